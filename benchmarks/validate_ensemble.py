"""Runs per hour and tokens/s: one model size x 6 ratios x 3 seeds, single runs vs ensembles.

    flock /tmp/mixphase-heavy.lock python benchmarks/validate_ensemble.py [--steps 500]
        [--size 1] [--jobs 2] [--device cpu|cuda] [--legacy-ref 3ec4dad] [--modes ...]

Modes, measured one after the other in this one invocation (same machine state, same runs):

- ``legacy``: the engine before ensembles (git ``--legacy-ref``, extracted to a temporary folder
  and imported in the workers), as ``validate sweep --jobs 2`` ran it: a spawned process pool,
  one torch thread per worker, one run per task. Its results differ from the others (other seed
  streams and evaluation), only its speed is compared.
- ``single``: this engine with ``--no-ensemble``: the same pool, one run per task.
- ``ensemble``: this engine's default: runs of one shape trained as ensembles (two of 9 with
  ``--jobs 2``).
- ``ensemble-1x2t`` (optional): all 18 runs as one ensemble in one process with two torch threads
  (its results differ from the one-thread modes in the last bits).

Prints a table (wall s, CPU s of the workers, runs/hour, training tokens/s, speed-up) and the
equivalence of ``single`` and ``ensemble`` (largest relative difference of logged losses and of
the web loss, differing accuracies). ``--repeat 2`` runs the modes in mirrored order (A B C C B A)
and reports the median of each, which evens out a changing load. CPU seconds (the workers'
user + system time) are less sensitive to other jobs on the machine than wall time. On CUDA use
``--device cuda`` (``--jobs`` processes share the GPU; with ensembles ``--jobs 1`` trains all 18
runs as one ensemble).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RATIOS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32)
SEEDS = (0, 1, 2)


def _configs(a) -> list[dict]:
    return [dict(preset="tiny", size=a.size, ratio=r, seed=s, steps=a.steps, device=a.device,
                 compile="no", log_every=50) for r in RATIOS for s in SEEDS]  # fmt: skip


def _legacy_worker(cfg: dict, out_dir: str, snapshot: str) -> dict:
    """Train one run with the old engine (its validate/ modules loaded from ``snapshot``)."""
    import torch

    torch.set_num_threads(1)
    import mixphase.validate as pkg

    pkg.__path__[:] = [snapshot]
    from mixphase.validate.train import RunConfig, train

    return train(RunConfig(**cfg), out_dir)


def run_legacy(cfgs: list[dict], out: Path, jobs: int, ref: str) -> tuple[float, list[dict]]:
    import concurrent.futures as cf
    import multiprocessing as mp

    snap = Path(tempfile.mkdtemp(prefix="mixphase-legacy-"))
    root = Path(__file__).resolve().parents[1]
    tar = subprocess.run(["git", "-C", str(root), "archive", ref, "validate"], capture_output=True,
                         check=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(snap)], input=tar, check=True)
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn")) as pool:
        futs = [pool.submit(_legacy_worker, c, str(out / f"run{i}"), str(snap / "validate"))
                for i, c in enumerate(cfgs)]  # fmt: skip
        res = [f.result() for f in futs]
    wall = time.perf_counter() - t0
    shutil.rmtree(snap, ignore_errors=True)
    return wall, res


def run_new(cfgs: list[dict], out: Path, jobs: int, ensemble: bool,
            threads: int = 1) -> tuple[float, list[dict]]:  # fmt: skip
    from mixphase.validate.sweep import execute
    from mixphase.validate.train import RunConfig

    runs = [RunConfig(**c).resolved() for c in cfgs]
    t0 = time.perf_counter()
    if jobs == 1:  # run in a child process, so that its CPU time is counted like the pools'
        import concurrent.futures as cf
        import multiprocessing as mp

        with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
            res = pool.submit(_execute_in_child, cfgs, str(out), ensemble, threads).result()
    else:
        res = execute(runs, out, jobs=jobs, ensemble=ensemble, threads=threads)
    return time.perf_counter() - t0, res


def _execute_in_child(cfgs: list[dict], out: str, ensemble: bool, threads: int) -> list[dict]:
    from mixphase.validate.sweep import execute
    from mixphase.validate.train import RunConfig

    return execute([RunConfig(**c).resolved() for c in cfgs], out, jobs=1, ensemble=ensemble,
                   threads=threads)  # fmt: skip


def _losses(out: Path, key: str) -> list[float]:
    import hashlib

    for d in (out / "runs").iterdir():
        if d.name.endswith(hashlib.sha1(key.encode()).hexdigest()[:10]):
            recs = [json.loads(x) for x in (d / "log.jsonl").read_text().splitlines()]
            return [r["train_loss"] for r in recs if "train_loss" in r]
    return []


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (the pool's workers)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--size", type=int, default=1, help="index into the tiny preset's sizes")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument(
        "--legacy-ref",
        default="3ec4dad",
        help="git commit of the engine before ensembles ('' to skip it)",
    )
    ap.add_argument("--modes", nargs="+", default=["legacy", "single", "ensemble"])
    ap.add_argument("--repeat", type=int, default=1, help="rounds, in mirrored order")
    a = ap.parse_args(argv)
    cfgs = _configs(a)
    root = Path(tempfile.mkdtemp(prefix="mixphase-ens-bench-"))
    load = os.getloadavg()
    modes = [m for m in a.modes if m != "legacy" or a.legacy_ref]
    order = [m for r in range(a.repeat) for m in (modes if r % 2 == 0 else modes[::-1])]
    times: dict[str, list[tuple[float, float]]] = {m: [] for m in modes}
    results = {}
    for k, mode in enumerate(order):
        out = root / f"{mode}{k}"
        cpu0 = _children_cpu()
        if mode == "legacy":
            wall, res = run_legacy(cfgs, out, a.jobs, a.legacy_ref)
        elif mode == "ensemble-1x2t":  # one process, one ensemble, two torch threads
            wall, res = run_new(cfgs, out, 1, ensemble=True, threads=2)
        else:
            wall, res = run_new(cfgs, out, a.jobs, ensemble=(mode == "ensemble"))
        times[mode].append((wall, _children_cpu() - cpu0))
        results[mode] = (out, res)
        print(f"{mode}: {wall:.1f} s wall, {times[mode][-1][1]:.1f} s CPU", file=sys.stderr,
              flush=True)  # fmt: skip
    rows = []
    for mode in modes:
        wall = statistics.median(w for w, _ in times[mode])
        cpu = statistics.median(c for _, c in times[mode])
        tokens = sum(r["tokens"] for r in results[mode][1])
        rows.append((mode, wall, cpu, len(cfgs) * 3600 / wall, tokens / wall))
    base = {m: w for m, w, *_ in rows}
    base_cpu = {m: c for m, _, c, *_ in rows}
    import torch

    dev = (
        torch.cuda.get_device_name(0)
        if a.device.startswith("cuda")
        else f"{os.cpu_count()}-core CPU"
    )
    print(f"\n{len(cfgs)} runs (tiny size {a.size}, {len(RATIOS)} ratios x {len(SEEDS)} seeds, "
          f"{a.steps} steps x batch 128), --jobs {a.jobs}, {dev}, torch {torch.__version__}, "
          f"load before {load[0]:.1f} / after {os.getloadavg()[0]:.1f}\n")  # fmt: skip
    print("| mode | wall s | CPU s | runs/hour | tokens/s | vs legacy (wall, CPU) | "
          "vs single (wall, CPU) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, wall, cpu, rph, tps in rows:
        vs_l = (f"{base['legacy'] / wall:.2f}x, {base_cpu['legacy'] / cpu:.2f}x"
                if "legacy" in base else "-")  # fmt: skip
        vs_s = (f"{base['single'] / wall:.2f}x, {base_cpu['single'] / cpu:.2f}x"
                if "single" in base else "-")  # fmt: skip
        print(f"| {mode} | {wall:.1f} | {cpu:.1f} | {rph:.0f} | {tps:,.0f} | {vs_l} | {vs_s} |")
    if "single" in results and "ensemble" in results:
        (o1, r1), (o2, r2) = results["single"], results["ensemble"]
        by = {r["key"]: r for r in r2}
        worst_loss, worst_web, acc_diff = 0.0, 0.0, 0
        for r in r1:
            e = by[r["key"]]
            la, lb = _losses(o1, r["key"]), _losses(o2, r["key"])
            worst_loss = max(
                [worst_loss] + [abs(x - y) / abs(x) for x, y in zip(la, lb, strict=True)]
            )
            worst_web = max(worst_web, abs(r["web_loss"] - e["web_loss"]) / abs(r["web_loss"]))
            acc_diff += r["memorization_accuracy"] != e["memorization_accuracy"]
        print(f"\nsingle vs ensemble: largest relative difference of logged train losses "
              f"{worst_loss:.2e}, of the web loss {worst_web:.2e}; runs whose accuracy differs: "
              f"{acc_diff} of {len(r1)}")  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
