"""Benchmark mixphase's data valuation against baselines and heuristics on the built-in tasks.

    python benchmarks/value_benchmark.py [--tasks ...] [--seeds 0 1 2] [--quick] [--out out/value]
    python benchmarks/value_benchmark.py --report out/value/suite.json   # re-render the tables

Runs :func:`mixphase.value.suite.run_suite` (every task x seed; the protocol of
:mod:`mixphase.value.protocol`), writes ``<out>/suite.json`` (every run, the seed-spread summary
and the verdicts) and ``<out>/suite.png``, and prints the markdown tables for
benchmarks/results/value.md plus one verdict line per task. Evaluation seeds by default
(``EVAL_SEEDS``); ``--dev`` uses the development seeds on which the memoriser's rules were
chosen. One torch thread (tiny models). Prints ``uptime`` before and after (load average).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import torch

from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.value.plot import plot_suite
from mixphase.value.suite import run_suite
from mixphase.value.tasks import DEV_SEEDS, EVAL_SEEDS, TASKS


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", nargs="+", default=list(TASKS))
    ap.add_argument("--seeds", nargs="+", type=int, default=None)
    ap.add_argument("--dev", action="store_true", help="use the development seeds")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default="out/value")
    ap.add_argument("--report", metavar="SUITE_JSON", help="only re-render a saved suite.json")
    args = ap.parse_args()
    if args.report:
        from mixphase.value.suite import load_suite

        print(load_suite(args.report).report())
        return
    seeds = args.seeds or list(DEV_SEEDS if args.dev else EVAL_SEEDS)
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    t0 = time.perf_counter()

    def tick(label: str) -> None:
        print(f"[{time.perf_counter() - t0:7.0f} s] {label}", file=sys.stderr, flush=True)

    suite = run_suite(args.tasks, seeds, quick=args.quick, tick=tick)
    with atomic_write(out / "suite.json") as fh:
        fh.write(dumps(suite) + "\n")
    plot_suite(suite, out / "suite.png")
    print(suite.report())
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
