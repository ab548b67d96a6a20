"""``mixphase validate``: train small transformers on SynBio + a synthetic web to test the theory."""

from __future__ import annotations

from pathlib import Path

import click

from mixphase.cli._common import (
    PROBABILITY,
    SEED,
    Count,
    Number,
    emit,
    group_json_option,
    json_option,
    want_json,
    warn,
)
from mixphase.errors import MixphaseInputError

PRESET_NAMES = ("tiny", "small", "base")
# Bounds of the model and recipe options: beyond them a run does not fit in memory (or time).
N_LAYER = Count(1, 256, reason="memory")
D_MODEL = Count(1, 16384, reason="memory")
N_HEAD = Count(1, 1024)
STEPS = Count(1, 100_000_000)
BATCH = Count(1, 65536, reason="memory")
PEOPLE = Count(1, 10_000_000, reason="memory: every biography is held as tokens")
LR = Number(float, 0, 10, low_open=True, high_reason="larger rates overflow the optimiser")
SIZE_INDEX = Count(0, 99)
JOBS = Count(1, 512)
SEEDS = Count(1, 1000)
WEB_FACTS = Count(1, 100_000_000, reason="memory: every fact is held as tokens")
THREADS = Count(1, 1024)
ENSEMBLE_GIB = Number(float, 0, 1e6, low_open=True, high_reason="GiB")
MAX_MEMBERS = Count(1, 100_000)
GPUS = Count(0, 64)
MAX_PARALLEL = Count(1, 100_000)
OUT_FOLDER = click.Path(file_okay=False, path_type=Path)


def _check_preset(preset: str) -> str:
    from mixphase.validate.presets import get_preset

    get_preset(preset)
    return preset


def _check_ratio(r: float) -> float:
    if not 0.0 <= r <= 1.0:
        raise MixphaseInputError(f"--ratio must lie in [0, 1], got {r!r}")
    return r


def model_options(func):
    opts = [
        click.option("--preset", "-p", default="tiny", show_default=True,
                     help=f"Preset ({', '.join(PRESET_NAMES)}): data, recipe and model sizes."),
        click.option("--n-layer", type=N_LAYER, help="Override the number of layers."),
        click.option("--d-model", type=D_MODEL, help="Override the model width."),
        click.option("--n-head", type=N_HEAD, help="Override the number of heads."),
        click.option("--steps", type=STEPS, help="Override the number of training steps."),
        click.option("--batch-size", type=BATCH, help="Override the batch size (sequences)."),
        click.option("--lr", type=LR, help="Override the peak learning rate."),
        click.option("--people", "n_people", type=PEOPLE,
                     help="Use the first N people of the preset's biographies."),
        click.option("--web-facts", type=WEB_FACTS,
                     help="Use the N most frequent facts of the preset's synthetic web."),
        click.option("--web-mode", type=click.Choice(["fixed", "incompressible"]),
                     default="fixed", show_default=True,
                     help="incompressible: web values redrawn at every occurrence (a control)."),
        click.option("--schedule", type=click.Choice(["cosine", "wsd"]), default="cosine",
                     show_default=True,
                     help="Learning-rate schedule: cosine, or warmup-stable-decay (10% cooldown)."),
        click.option("--threads", type=THREADS, default=1, show_default=True,
                     help="Torch threads per process on CPU (results are bit-reproducible for "
                          "a given count)."),
        click.option("--web-data", type=click.Path(path_type=Path),
                     help="Your own web text (.txt, .jsonl with 'text', .parquet); byte-level."),
        click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda."),
        click.option("--compile", "compile_", type=click.Choice(["auto", "yes", "no"]),
                     default="auto", show_default=True, help="torch.compile (auto: on CUDA)."),
        click.option("--seed", type=SEED, default=0, show_default=True,
                     help="Training seed (init and data order; bit-reproducible on CPU)."),
        click.option("--data-seed", type=SEED, default=0, show_default=True,
                     help="Seed of the data itself (people, facts)."),
    ]  # fmt: skip
    for o in reversed(opts):
        func = o(func)
    return func


def _overrides(kw: dict) -> dict:
    web = kw.pop("web_data")
    if web is not None and not Path(web).is_file():
        why = "it is a folder" if Path(web).is_dir() else "no such file"
        raise MixphaseInputError(f"--web-data {web}: {why}")
    out = {"n_layer": kw.pop("n_layer"), "d_model": kw.pop("d_model"), "n_head": kw.pop("n_head"),
           "steps": kw.pop("steps"), "batch_size": kw.pop("batch_size"), "lr": kw.pop("lr"),
           "n_people": kw.pop("n_people"), "device": kw.pop("device"),
           "web_facts": kw.pop("web_facts"), "web_mode": kw.pop("web_mode"),
           "schedule": kw.pop("schedule"),
           "compile": kw.pop("compile_"), "data_seed": kw.pop("data_seed"),
           "web_data": str(web) if web is not None else None}  # fmt: skip
    return {k: v for k, v in out.items() if v is not None}


def _execution(no_ensemble: bool, memory: float | None, max_members: int, threads: int,
               as_json: bool) -> dict:  # fmt: skip
    """How a sweep trains (the option types have checked the values)."""
    return {"ensemble": not no_ensemble, "threads": threads,
            "memory": None if memory is None else memory * 2**30, "max_members": max_members,
            "progress": False if want_json(as_json) else None}  # fmt: skip


def ensemble_options(func):
    opts = [
        click.option("--no-ensemble", is_flag=True,
                     help="Train one run per task instead of batching runs of one model shape."),
        click.option("--ensemble-memory", "ensemble_memory", type=ENSEMBLE_GIB,
                     help="GiB one ensemble may use (default 2 on CPU, 80% of free GPU memory "
                          "shared by the jobs); larger groups are split."),
        click.option("--max-members", type=MAX_MEMBERS, default=64, show_default=True,
                     help="Most runs in one ensemble."),
    ]  # fmt: skip
    for o in reversed(opts):
        func = o(func)
    return func


class _RunResult(dict):
    def to_dict(self) -> dict:
        return dict(self)

    def __str__(self) -> str:
        keys = ("size", "params", "tokens", "ratio", "memorization_accuracy", "web_loss",
                "exposures_per_bio", "bits_per_param", "seconds", "tokens_per_second", "mfu",
                "device")  # fmt: skip
        return "\n".join(f"{k:<22} {self[k]}" for k in keys if k in self)


def _prepare_out(out: Path) -> None:
    """The output folder: created now (writable), after every other check passed."""
    from mixphase.io import prepare_folder

    prepare_folder(out, "--out")


def backend_options(func):
    opts = [
        click.option("--backend", type=click.Choice(["local", "ray", "submitit"]),
                     default="local", show_default=True,
                     help="local processes; tasks on a Ray cluster (RAY_ADDRESS, else a local "
                          "Ray; pip install 'mixphase[ray]'); or one SLURM array job through "
                          "submitit (pip install 'mixphase[submitit]')."),
        click.option("--submitit-cluster", type=click.Choice(["slurm", "local", "debug"]),
                     default="slurm", show_default=True,
                     help="submitit: SLURM, processes on this machine, or in this process."),
        click.option("--slurm-partition", help="submitit: SLURM partition."),
        click.option("--slurm-time", default="4:00:00", show_default=True,
                     help="submitit: wall time of one task (minutes, HH:MM:SS or D-HH:MM); "
                          "tasks out of time or preempted are requeued."),
        click.option("--slurm-gpus-per-task", type=GPUS, default=0, show_default=True,
                     help="submitit: GPUs per task (>= 1: --device auto trains on CUDA)."),
        click.option("--max-parallel", type=MAX_PARALLEL,
                     help="submitit: array tasks running at once (SLURM array cap)."),
    ]  # fmt: skip
    for o in reversed(opts):
        func = o(func)
    return func


def _backend(kw: dict):
    """The checked :class:`~mixphase.validate.backends.Backend` (pops its options from ``kw``)."""
    from mixphase.validate.backends import Backend, parse_time

    be = Backend(kw.pop("backend"), cluster=kw.pop("submitit_cluster"),
                 partition=kw.pop("slurm_partition"), time_min=parse_time(kw.pop("slurm_time")),
                 gpus_per_task=kw.pop("slurm_gpus_per_task"),
                 max_parallel=kw.pop("max_parallel")).check()  # fmt: skip
    if be.name == "submitit":
        be.submitit_device(kw.get("device", "auto"))  # --device cuda needs GPUs per task
    return be


@click.group()
@group_json_option
def validate(as_json: bool) -> None:
    """Train small GPT-style transformers on SynBio mixed with a synthetic web (Zipf key-value facts)."""


@validate.command("run")
@model_options
@click.option(
    "--ratio", "-r", type=PROBABILITY, required=True, help="Token share of biographies, [0, 1]."
)
@click.option(
    "--size", type=SIZE_INDEX, help="Index into the preset's model sizes (default: its own)."
)
@click.option(
    "--out",
    "-o",
    type=OUT_FOLDER,
    required=True,
    help="Folder for result.json and log.jsonl.",
)
@click.option(
    "--eval-every", type=Count(0, 100_000_000), help="Evaluate every N steps (0: at the end only)."
)
@click.option("--verbose", "-v", is_flag=True, help="Print the training log (on stderr).")
@json_option
def run_cmd(preset, ratio, size, out, eval_every, verbose, as_json, seed, threads, **kw) -> None:
    """One training run -> OUT/result.json (params, tokens, ratio, accuracy, web loss, speed)."""
    from mixphase.io import new_folder_guard
    from mixphase.validate.train import RunConfig, train
    from mixphase.validate.workers import torch_threads

    cfg = RunConfig(preset=_check_preset(preset), ratio=_check_ratio(ratio), seed=seed, size=size,
                    eval_every=eval_every, **_overrides(kw))  # fmt: skip
    cfg.resolved()  # all checks before anything is written
    with new_folder_guard(out), torch_threads(threads):
        _prepare_out(out)
        result = train(cfg, out, quiet=not verbose)
    emit(_RunResult(result), as_json)


@validate.command("sweep")
@model_options
@click.option(
    "--out",
    "-o",
    type=OUT_FOLDER,
    required=True,
    help="Folder: results.jsonl (appended, resumable), runs/, report.*, sweep.png.",
)
@click.option(
    "--ratio",
    "-r",
    "ratios",
    type=PROBABILITY,
    multiple=True,
    help="Ratios (repeatable). Default: the preset's.",
)
@click.option(
    "--size",
    "sizes",
    type=SIZE_INDEX,
    multiple=True,
    help="Size indices (repeatable). Default: all the preset's sizes.",
)
@click.option("--seeds", type=SEEDS, default=1, show_default=True, help="Seeds per point.")
@click.option("--no-web-only", is_flag=True, help="Skip the web-only (r = 0) runs that give alpha.")
@click.option(
    "--controls",
    is_flag=True,
    help="Add controls: 3x longer training and a 10-fact web below the transition.",
)
@click.option(
    "--jobs",
    "-j",
    type=JOBS,
    default=1,
    show_default=True,
    help="Parallel single-thread worker processes on this machine (ray, submitit: the runs "
    "are split into at least this many tasks).",
)
@backend_options
@ensemble_options
@json_option
def sweep_cmd(preset, out, ratios, sizes, seeds, no_web_only, controls, jobs, as_json,
              seed, threads, no_ensemble, ensemble_memory, max_members, **kw) -> None:  # fmt: skip
    """Sizes x ratios, resumable; then critical ratios per size vs the theory's exponent."""
    from mixphase.io import new_folder_guard
    from mixphase.validate.sweep import plan, sweep

    for r in ratios:
        _check_ratio(r)
    if seeds < 1:
        raise MixphaseInputError(f"--seeds must be at least 1, got {seeds}")
    if seed + seeds - 1 > SEED.high:
        raise MixphaseInputError(f"--seed + --seeds - 1 must be at most {SEED.high}")
    backend = _backend(kw)
    over = _overrides(kw)
    common = dict(sizes=sizes or None, ratios=ratios or None, seeds=range(seed, seed + seeds),
                  web_only=not no_web_only)  # fmt: skip
    check = {**over, "device": backend.planning_device(over["device"])}
    plan(_check_preset(preset), **common, **check)  # all checks before anything is written
    ex = _execution(no_ensemble, ensemble_memory, max_members, threads, as_json)
    echo = (lambda s: click.echo(s, err=True)) if want_json(as_json) else click.echo
    with new_folder_guard(out):
        _prepare_out(out)
        rep = sweep(preset, out, **common, controls=controls, jobs=jobs, backend=backend,
                    echo=echo, execution=ex, **over)  # fmt: skip
    emit(rep, as_json)


@validate.command("report")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@json_option
def report_cmd(folder, as_json) -> None:
    """Re-make the comparison from FOLDER/results.jsonl: the main sweep's transitions (controls
    and other configurations are not pooled in as seeds), the exponent verdict, the mechanism."""
    from mixphase.validate.report import compare
    from mixphase.validate.sweep import RESULTS, read_results

    results = read_results(folder / RESULTS, warn=warn)
    if not results:
        raise MixphaseInputError(f"{folder / RESULTS}: no results")
    rep = compare(results)
    rep.save(folder)
    emit(rep, as_json)


@validate.command("presets")
@json_option
def presets_cmd(as_json) -> None:
    """List the presets: sizes, data and training recipe."""
    from mixphase.validate.presets import PRESETS

    class _P(dict):
        def to_dict(self):
            return dict(self)

        def __str__(self):
            rows = []
            for name, p in PRESETS.items():
                sizes = ", ".join(s.name for s in p.sizes)
                rows.append(f"{name}: {p.description}\n  sizes: {sizes} (default "
                            f"{p.sizes[p.default_size].name}); ratios {list(p.ratios)}; "
                            f"{p.steps} steps x batch {p.batch_size}, lr {p.lr:g}")  # fmt: skip
            return "\n".join(rows)

    emit(_P({k: v.to_dict() for k, v in PRESETS.items()}), as_json)


@validate.command("reproduce")
@click.option(
    "--out",
    "-o",
    type=OUT_FOLDER,
    required=True,
    help="Folder: results.jsonl (resumable), runs/, report.json, report.md, figures.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="The CPU design (tiny preset; every claim but 6; ~55 two-thousand-step runs, budgeted "
    "for 25 min on 2 cores).",
)
@click.option(
    "--preset", "-p", default=None, help="Preset (default: tiny with --quick, small otherwise)."
)
@click.option(
    "--jobs",
    "-j",
    type=JOBS,
    default=1,
    show_default=True,
    help="Parallel single-thread worker processes (several share one GPU; ray, submitit: "
    "the runs are split into at least this many tasks).",
)
@click.option(
    "--seeds",
    type=SEEDS,
    default=1,
    show_default=True,
    help="Seeds per point of the coarse sweep (the ratios around each r_c, the controls and "
    "the subsampling grid always use 3, 3 and 2-3).",
)
@click.option("--steps", type=STEPS, help="Override the preset's training steps (every run).")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option(
    "--compile",
    "compile_",
    type=click.Choice(["auto", "yes", "no"]),
    default="no",
    show_default=True,
    help="torch.compile (sweeps of tiny models run eager).",
)
@click.option("--report-only", is_flag=True, help="Judge what is in OUT; train nothing.")
@backend_options
@ensemble_options
@json_option
def reproduce_cmd(out, quick, preset, jobs, seeds, steps, device, compile_, report_only,
                  no_ensemble, ensemble_memory, max_members, as_json, **kw) -> None:  # fmt: skip
    """Test the knapsack paper's claims (transitions, controls, power laws) -> OUT/report.*"""
    from mixphase.io import new_folder_guard
    from mixphase.validate.reproduce import check_design_args, design_for, reproduce

    check_design_args(jobs, seeds)
    backend = _backend(dict(kw, device=device))
    preset = _check_preset(preset or ("tiny" if quick else "small"))
    over = {"device": backend.planning_device(device), "compile": compile_}
    if steps is not None:
        over["steps"] = steps
    design = design_for(preset, quick, seeds, **over)
    echo = (lambda s: click.echo(s, err=True)) if want_json(as_json) else click.echo
    ex = {**_execution(no_ensemble, ensemble_memory, max_members, 1, as_json), "device": device}
    with new_folder_guard(out):
        _prepare_out(out)
        rep = reproduce(out, design, jobs=jobs, backend=backend, echo=echo,
                        train=not report_only, execution=ex)  # fmt: skip
    emit(rep, as_json)
