"""Resumable sweeps over model sizes x mixing ratios (plus web-only runs to measure alpha).

Each finished run appends one complete JSON line to ``DIR/results.jsonl`` (:mod:`mixphase.journal`:
one ``write`` per line, a torn tail moved aside on the next start, readers skip unparsable lines
with their line numbers and keep the last record of a key), and writes its own
``DIR/runs/<name>/result.json`` and ``log.jsonl``. On restart, runs whose ``key`` (preset, size,
ratio, seed, data seed, steps, batch, lr, overrides) is in ``results.jsonl`` are skipped, and a run
whose ``result.json`` was written but never reached ``results.jsonl`` (a kill in between) is
recorded from it, so a killed sweep loses at most the runs in flight. A folder whose results came
from an older engine (``engine_version``: other seed streams and evaluation) is not resumed.

**Ensembles** (default; ``ensemble=False``, ``--no-ensemble``, trains one run per task): pending
runs that share a model shape train together (:mod:`mixphase.validate.ensemble`), in chunks that
fit the memory budget and balance the workers (:mod:`mixphase.validate.groups`); each run's result
is the same as when trained alone.

**Workers** (:mod:`mixphase.validate.workers`): ``jobs`` spawned processes, each training one
ensemble at a time with **one torch thread** on CPU (``threads``; the default 1 whatever ``jobs``
is, so results do not depend on ``--jobs``; a resumed sweep warns when its records used another
thread count), dying with the parent. Beyond one machine (:mod:`mixphase.validate.backends`):
``backend="ray"`` runs the same tasks on a Ray cluster (results return to the driver) and
``backend="submitit"`` as one SLURM array job (each run writes its ``result.json`` on the shared
folder; the driver records them). Either way the driver alone writes ``results.jsonl``, and a
rerun resumes as above.

Controls (after the validation notes): for the smallest and largest size, the highest ratio whose
accuracy stayed below 0.5 is re-run (a) 3x longer and (b) with a trivial web of 10 facts (the 10
most frequent facts of the full web; the same people). If the longer run stays low while the
trivial web lets the biographies in, the transition is capacity-limited (the knapsack mechanism);
if the longer run learns them, it is exposure-limited.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from mixphase import journal
from mixphase.errors import MixphaseInputError
from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.validate.backends import Backend
from mixphase.validate.presets import get_preset
from mixphase.validate.seeds import ENGINE_VERSION
from mixphase.validate.train import RunConfig

RESULTS = "results.jsonl"


def read_results(path: str | os.PathLike, warn: Callable[[str], None] | None = None) -> list[dict]:
    """The run records of a ``results.jsonl`` (missing file: empty list): unparsable lines skipped
    and reported to ``warn`` with their line numbers, one record per key (the last)."""
    return journal.read_records(path, warn)


def plan(preset: str, *, sizes: Iterable[int] | None = None, ratios: Iterable[float] | None = None,
         seeds: Iterable[int] = (0,), web_only: bool = True, **overrides) -> list[RunConfig]:  # fmt: skip
    """The run configurations of a sweep (resolved), web-only runs (ratio 0) first."""
    p = get_preset(preset)
    size_idx = list(range(len(p.sizes))) if sizes is None else list(sizes)
    ratio_list = list(p.ratios if ratios is None else ratios)
    for r in ratio_list:
        if not 0.0 <= r <= 1.0:
            raise MixphaseInputError(f"ratio must lie in [0, 1], got {r!r}")
    if web_only and 0.0 not in ratio_list:
        ratio_list = [0.0, *ratio_list]
    runs = [RunConfig(preset=preset, size=s, ratio=r, seed=seed, **overrides).resolved()
            for r in ratio_list for s in size_idx for seed in seeds]  # fmt: skip
    return runs


def run_dir(out: Path, cfg: RunConfig) -> str:
    """``out/runs/<size>_r<ratio>_s<seed>_<hash of the key>``."""
    h = hashlib.sha1(cfg.key().encode()).hexdigest()[:10]
    return str(out / "runs" / f"{cfg.model_size.name}_r{cfg.ratio:g}_s{cfg.seed}_{h}")


def finished_result(cfg: RunConfig, folder: str | os.PathLike) -> dict | None:
    """The ``result.json`` in ``folder`` if it is this run's (same key and engine), else None."""
    p = Path(folder) / "result.json"
    try:
        rec = json.loads(p.read_text())
    except (OSError, ValueError):
        return None
    ok = isinstance(rec, dict) and rec.get("key") == cfg.key()
    return rec if ok and rec.get("engine_version") == ENGINE_VERSION else None


def _recover(cfg: RunConfig, out: Path) -> dict | None:
    """A finished run's ``result.json`` (same key and engine) that is not in the journal."""
    return finished_result(cfg, run_dir(out, cfg))


def _check_engine(records: list[dict], path: Path, threads: int | None, echo) -> None:
    old = sorted({r.get("engine_version", 1) for r in records} - {ENGINE_VERSION})
    if old:
        raise MixphaseInputError(
            f"{path} holds results of engine {old[0]} (other seed streams and evaluation); this "
            f"is engine {ENGINE_VERSION}: train into a new folder (or judge it with --report-only)"
        )
    used = {r.get("torch_threads") for r in records if r.get("device", "").startswith("cpu")}
    if threads and used - {threads, None}:
        echo(f"warning: {path} has CPU runs with {sorted(used - {None})} torch threads; this "
             f"session uses {threads} (results differ in the last bits)")  # fmt: skip


def execute(runs: list[RunConfig], out: str | os.PathLike, *, jobs: int = 1,
            backend: str | Backend = "local", threads: int | None = 1,
            echo: Callable[[str], None] | None = None, ensemble: bool = True,
            memory: float | None = None, max_members: int = 64, progress: bool | None = False,
            device: str = "auto") -> list[dict]:  # fmt: skip
    """Run what is not yet in ``out/results.jsonl``; append each result as it finishes.

    ``backend``: ``local``, ``ray``, ``submitit`` or a :class:`Backend` with options.
    ``memory``: bytes one ensemble may use (default 2 GiB on CPU, 80% of the free GPU memory
    shared by the jobs on local CUDA). ``progress``: bars on stderr (None: on a terminal) - one
    per run in training (local), runs finished with an ETA (remote backends). ``device``: what
    was asked for; remote backends decide ``auto`` from the cluster (local runs keep theirs).
    """
    from mixphase.progress import Bars, bar
    from mixphase.validate import groups as G

    if jobs < 1:
        raise MixphaseInputError(f"--jobs must be at least 1, got {jobs}")
    if threads is not None and threads < 1:
        raise MixphaseInputError(f"--threads must be at least 1, got {threads}")
    be = Backend.of(backend).check()
    out = Path(out)
    echo = echo or (lambda s: None)
    results_path = out / RESULTS
    out.mkdir(parents=True, exist_ok=True)
    warning = journal.repair(results_path)
    if warning:
        echo(f"warning: {warning}")
    records = read_results(results_path, warn=lambda w: echo(f"warning: {w}"))
    done = {r["key"] for r in records}
    lock, recorded, after = threading.Lock(), set(done), []

    def record(res: dict) -> None:
        with lock:
            if res["key"] in recorded:
                return
            journal.append_record(results_path, dumps(res))
            recorded.add(res["key"])
        for f in after:
            f()
        echo(f"done {res['key']}: acc={res['memorization_accuracy']:.3f} "
             f"web_loss={res['web_loss']:.3f} ({res['seconds']:.0f}s)")  # fmt: skip

    uniq = list({c.key(): c for c in runs}.values())
    if any(c.key() not in done for c in uniq):
        _check_engine(records, results_path, threads, echo)
    todo = []
    for c in uniq:
        if c.key() in done:
            continue
        rec = _recover(c, out)
        if rec is not None:
            record(rec)
            echo(f"recovered {c.key()} from its result.json")
        else:
            todo.append(c)
    echo(f"{len(uniq) - len(todo)} of {len(uniq)} runs already done; {len(todo)} to run")
    if not todo:
        return read_results(results_path)
    if memory is None and not be.remote and todo[0].device.startswith("cuda"):
        import torch

        memory = 0.8 * torch.cuda.mem_get_info()[0] / jobs

    def chunks(width: int) -> list[list[RunConfig]]:
        if not ensemble:
            return [[c] for c in todo]
        return G.plan_groups(todo, jobs=width, budget=int(memory) if memory else None,
                             max_members=max_members)  # fmt: skip

    trunks = str(out / "wsd_trunks")
    quiet = progress is False
    if be.remote:
        runs_bar = bar(total=len(todo), desc=f"runs ({be.name})", unit="run", quiet=quiet)
        after.append(lambda: runs_bar.update(1))
        try:
            _execute_remote(be, todo, chunks, out, jobs, threads, device, trunks, record)
        finally:
            runs_bar.close()
        return read_results(results_path)
    tasks = [(ch, [run_dir(out, c) for c in ch], threads, trunks) for ch in chunks(jobs)]
    bars = Bars(quiet, label=_bar_label)
    try:
        if jobs == 1 or len(tasks) == 1:
            from mixphase.validate.workers import run_group

            for t in tasks:
                run_group(*t, progress=bars.update, on_result=lambda _, r: record(r))
        else:
            _execute_pool(tasks, jobs, bars.update, record)
    finally:
        bars.close()
    return read_results(results_path)


def _bar_label(key: str) -> str:
    """A run's bar: its key without preset, data seed, batch and rate."""
    return " ".join(p for p in key.split("|")[1:] if not p.startswith(("data=", "bs=", "lr=")))


def _execute_remote(be: Backend, todo, chunks, out: Path, jobs: int, threads, device: str,
                    trunks: str, record) -> None:  # fmt: skip
    """Ray tasks (results returned to the driver) or a submitit array (result files)."""
    width = max(1, threads or 1)
    if be.name == "ray":
        from mixphase.validate import ray_backend

        def keep(res: dict, folder: str, log: str) -> None:  # the driver writes the run folder
            d = Path(folder)
            d.mkdir(parents=True, exist_ok=True)
            with atomic_write(d / "log.jsonl") as fh:
                fh.write(log)
            with atomic_write(d / "result.json") as fh:
                json.dump(json.loads(dumps(res)), fh, indent=1)
            record(res)

        with ray_backend.connect() as resources:
            cpus = int(float(resources.get("CPU", 1)) // width)
            tasks = [(ch, [run_dir(out, c) for c in ch]) for ch in chunks(max(jobs, cpus, 1))]
            ray_backend.run(tasks, threads=threads, device=device, resources=resources,
                            record=keep)  # fmt: skip
    else:
        from mixphase.validate import slurm_backend

        cap = be.max_parallel or len(todo)
        tasks = [(ch, [run_dir(out, c) for c in ch], trunks) for ch in chunks(max(jobs, cap))]
        slurm_backend.run(tasks, out, be, threads=threads, device=device, record=record)


def _execute_pool(tasks: list, jobs: int, progress, record) -> None:
    import concurrent.futures as cf

    from mixphase.validate.workers import Pool

    pool, ok = Pool(jobs, progress, record), False
    try:
        futs = [pool.submit(*t) for t in tasks]
        for fut in cf.as_completed(futs):
            for res in fut.result():
                record(res)
        ok = True
    finally:
        pool.close(ok)


def sweep(preset: str, out: str | os.PathLike, *, sizes=None, ratios=None, seeds=(0,),
          web_only: bool = True, controls: bool = False, jobs: int = 1,
          backend: str | Backend = "local",
          echo: Callable[[str], None] | None = None, report: bool = True,
          execution: dict | None = None, **overrides):  # fmt: skip
    """Plan, run (resumably), optionally run the controls, then compare with the theory.

    Returns the :class:`~mixphase.validate.report.SweepReport` (or the results list when
    ``report=False``). ``overrides`` are :class:`RunConfig` fields (``steps``, ``batch_size``...);
    ``execution`` holds :func:`execute`'s options (``ensemble``, ``threads``, ``memory``,
    ``max_members``, ``progress``).
    """
    t0 = time.perf_counter()
    be = Backend.of(backend)
    device = overrides.get("device", "auto")
    overrides = {**overrides, "device": be.planning_device(device)}  # remote: decided there
    runs = plan(preset, sizes=sizes, ratios=ratios, seeds=seeds, web_only=web_only, **overrides)
    ex = dict(jobs=jobs, backend=be, echo=echo, device=device, **(execution or {}))
    results = execute(runs, out, **ex)
    if controls:
        ctl = control_runs(results, runs)
        if ctl:
            results = execute(ctl, out, **ex)
    if echo:
        echo(f"sweep wall time this session: {time.perf_counter() - t0:.0f}s")
    if not report:
        return results
    from mixphase.validate.report import compare

    rep = compare(results, keys={c.key() for c in runs})
    rep.save(out)
    return rep


def control_runs(results: list[dict], runs: list[RunConfig]) -> list[RunConfig]:
    """Controls for the smallest and largest size: 3x steps, and a 10-fact web."""
    by_key = {r["key"]: r for r in results}
    sizes = sorted(
        {c.model_size.name: c for c in runs}.values(), key=lambda c: c.d_model * c.n_layer
    )
    out = []
    for base in {sizes[0].model_size.name, sizes[-1].model_size.name}:
        below = [c for c in runs if c.model_size.name == base and c.ratio > 0
                 and c.key() in by_key and by_key[c.key()]["memorization_accuracy"] < 0.5]  # fmt: skip
        if not below:
            continue
        c = max(below, key=lambda c: c.ratio)
        out.append(replace(c, steps=3 * c.steps))
        out.append(replace(c, web_facts=10))
    return out
