"""Benchmark mixphase's data valuation against the baselines on the built-in tasks.

    python benchmarks/value_benchmark.py [--tasks digits longtail text] [--out out/value]

Writes ``<out>/<task>.json`` (the ``mixphase value benchmark --json`` object) and
``<out>/<task>.png`` (bar chart), and prints a markdown table for benchmarks/results/value.md.
One torch thread (tiny models; also what 2-core CI machines give each worker).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from mixphase.records import dumps
from mixphase.value.benchmark import plot_benchmark, run_benchmark


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", nargs="+", default=["digits", "longtail", "text"])
    ap.add_argument("--out", default="out/value")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for task in args.tasks:
        res = run_benchmark(task, seed=args.seed)
        (out / f"{task}.json").write_text(dumps(res) + "\n")
        plot_benchmark(res, out / f"{task}.png")
        d = json.loads(dumps(res))
        print(f"\n### {task}\n\n| method | Pearson | Spearman | seconds |\n|---|---:|---:|---:|")
        for m, r in d["methods"].items():
            print(f"| {m} | {r['pearson']:.3f} | {r['spearman']:.3f} | {r['seconds']:.2f} |")
        print("\n" + str(res))


if __name__ == "__main__":
    main()
