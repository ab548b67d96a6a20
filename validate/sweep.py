"""Resumable sweeps over model sizes x mixing ratios (plus web-only runs to measure alpha).

Each finished run appends one complete JSON line to ``DIR/results.jsonl``
(:func:`mixphase.io.append_line_atomic`, one ``write`` per line), and writes its own
``DIR/runs/<n>/result.json`` and ``log.jsonl``. On restart, runs whose ``key`` (preset, size,
ratio, seed, data seed, steps, batch, lr, overrides) is already in ``results.jsonl`` are skipped,
so a killed sweep loses at most the runs in flight. Lines that do not parse (there should be none)
are ignored.

Parallelism on one machine: ``jobs`` worker processes (``spawn``), each with one torch thread
(on CPU) — the layout that works best on few cores. Beyond one machine, ``backend="ray"`` runs
the same worker function as Ray tasks on an existing Ray cluster (``pip install mixphase[ray]``,
then ``ray start`` / ``RAY_ADDRESS``); results still flow back to the driver, which alone writes
``results.jsonl``. No scheduler is home-made beyond the local process pool.

Controls (after the validation notes): for the smallest and largest size, the highest ratio whose
accuracy stayed below 0.5 is re-run (a) 3x longer and (b) with a trivial web of 10 facts. If the
longer run stays low while the trivial web lets the biographies in, the transition is
capacity-limited (the knapsack mechanism); if the longer run learns them, it is
exposure-limited.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from mixphase.errors import MixphaseInputError
from mixphase.io import append_line_atomic
from mixphase.records import dumps
from mixphase.validate.presets import get_preset
from mixphase.validate.train import RunConfig

RESULTS = "results.jsonl"


def read_results(path: str | os.PathLike) -> list[dict]:
    """The complete result lines of a ``results.jsonl`` (missing file: empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    with open(path) as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and "key" in rec:
                out.append(rec)
    return out


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


def _worker(cfg: RunConfig, out_dir: str, threads: int) -> dict:
    import torch

    if threads:
        torch.set_num_threads(threads)
    from mixphase.validate.train import train

    return train(cfg, out_dir)


def _run_dir(out: Path, cfg: RunConfig) -> str:
    import hashlib

    h = hashlib.sha1(cfg.key().encode()).hexdigest()[:10]
    return str(out / "runs" / f"{cfg.model_size.name}_r{cfg.ratio:g}_s{cfg.seed}_{h}")


def execute(runs: list[RunConfig], out: str | os.PathLike, *, jobs: int = 1, backend: str = "local",
            threads: int | None = None, echo: Callable[[str], None] | None = None) -> list[dict]:  # fmt: skip
    """Run what is not yet in ``out/results.jsonl``; append each result as it finishes."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / RESULTS
    done = {r["key"] for r in read_results(results_path)}
    todo = [c for c in runs if c.key() not in done]
    echo = echo or (lambda s: None)
    echo(f"{len(runs) - len(todo)} of {len(runs)} runs already done; {len(todo)} to run")
    if jobs < 1:
        raise MixphaseInputError(f"--jobs must be at least 1, got {jobs}")
    if threads is None:
        threads = 1 if jobs > 1 else 0  # 0: leave torch's default

    def record(cfg: RunConfig, res: dict) -> None:
        append_line_atomic(results_path, dumps(res))
        echo(f"done {cfg.key()}: acc={res['memorization_accuracy']:.3f} "
             f"web_loss={res['web_loss']:.3f} ({res['seconds']:.0f}s)")  # fmt: skip

    if backend == "ray":
        _execute_ray(todo, out, threads, record)
    elif backend != "local":
        raise MixphaseInputError(f"unknown backend {backend!r}: choose local or ray")
    elif jobs == 1 or len(todo) <= 1:
        for cfg in todo:
            record(cfg, _worker(cfg, _run_dir(out, cfg), threads))
    else:
        ctx = mp.get_context("spawn")
        pool = cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)
        try:
            futs = {pool.submit(_worker, c, _run_dir(out, c), threads): c for c in todo}
            for fut in cf.as_completed(futs):
                record(futs[fut], fut.result())
        except BaseException:
            # Interrupted or a run failed: stop now; finished runs are already recorded.
            procs = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                p.terminate()
            raise
        pool.shutdown()
    return read_results(results_path)


def _execute_ray(todo: list[RunConfig], out: Path, threads: int, record) -> None:
    try:
        import ray
    except ImportError:
        raise MixphaseInputError("backend ray needs Ray: pip install 'mixphase[ray]'") from None
    if not ray.is_initialized():
        ray.init(address=os.environ.get("RAY_ADDRESS"), ignore_reinit_error=True)
    import torch

    gpus = 0.25 if torch.cuda.is_available() else 0  # a few small runs share a GPU
    remote = ray.remote(num_cpus=max(1, threads), num_gpus=gpus)(_worker)
    refs = {remote.remote(c, _run_dir(out, c), threads): c for c in todo}
    pending = list(refs)
    while pending:
        ready, pending = ray.wait(pending, num_returns=1)
        for ref in ready:
            record(refs[ref], ray.get(ref))


def sweep(preset: str, out: str | os.PathLike, *, sizes=None, ratios=None, seeds=(0,),
          web_only: bool = True, controls: bool = False, jobs: int = 1, backend: str = "local",
          echo: Callable[[str], None] | None = None, report: bool = True, **overrides):  # fmt: skip
    """Plan, run (resumably), optionally run the controls, then compare with the theory.

    Returns the :class:`~mixphase.validate.report.SweepReport` (or the results list when
    ``report=False``). ``overrides`` are :class:`RunConfig` fields (``steps``, ``batch_size``...).
    """
    t0 = time.perf_counter()
    runs = plan(preset, sizes=sizes, ratios=ratios, seeds=seeds, web_only=web_only, **overrides)
    results = execute(runs, out, jobs=jobs, backend=backend, echo=echo)
    if controls:
        ctl = control_runs(results, runs)
        if ctl:
            results = execute(ctl, out, jobs=jobs, backend=backend, echo=echo)
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
