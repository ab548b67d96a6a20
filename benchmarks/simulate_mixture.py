"""Benchmark: Monte Carlo learning curves, 10^7 items x 20 sizes x 20 repetitions (target < 30 s
on 2 cores). Prints a markdown table; ``--write`` also saves it to benchmarks/results/simulate.md.

    python benchmarks/simulate_mixture.py            # the target case, 1 and 2 threads
    python benchmarks/simulate_mixture.py --quick    # 10^6 items (a smoke run)
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from mixphase.simulate import simulate_mixture_curves
from mixphase.theory import Truncation, breakpoints, expected_error, mixture_distribution

CASES = [  # (beta, truncation, real share)
    (1.5, Truncation(cutoff=1000), 0.05),
    (2.0, Truncation(top_p=0.9), 0.1),
]


def _theory_seconds(beta, trunc, pi, n_items, sizes) -> float:
    """What the run spends in mixphase.theory (breakpoints, p and q, exact expectation)."""
    t0 = time.perf_counter()
    breakpoints(beta, trunc, pi, n_items)
    p, q = mixture_distribution(beta, trunc, pi, n_items)
    expected_error(p, q, sizes)
    return time.perf_counter() - t0


def run(n_items: int, sizes: int, reps: int, workers: list[int]) -> list[dict]:
    rows = []
    for beta, trunc, pi in CASES:
        for w in workers:
            t0 = time.perf_counter()
            c = simulate_mixture_curves(beta, trunc, pi, n_items=n_items, repetitions=reps,
                                        n_sizes=sizes, seed=0, workers=w)  # fmt: skip
            total = time.perf_counter() - t0
            theory = _theory_seconds(beta, trunc, pi, n_items, c.sizes)
            z = np.abs((c.mean - c.exact) / c.stderr)
            rows.append({
                "case": f"beta={beta:g}, {trunc.mechanism}, pi={pi:g} (k={c.breakpoints.cutoff})",
                "items": n_items, "sizes": c.sizes.size, "reps": reps, "threads": w,
                "total_s": total, "theory_s": theory, "sampling_s": total - theory,
                "per_rep_s": (total - theory) / reps, "max_z": float(z.max()),
            })  # fmt: skip
    return rows


def table(rows: list[dict]) -> str:
    head = ("| case | items | sizes | reps | threads | total s | theory s | sampling s | "
            "s/rep | max abs z |")  # fmt: skip
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['items']:.0e} | {r['sizes']} | {r['reps']} | {r['threads']} | "
            f"{r['total_s']:.2f} | {r['theory_s']:.2f} | {r['sampling_s']:.2f} | "
            f"{r['per_rep_s']:.3f} | {r['max_z']:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^6 items instead of 10^7")
    ap.add_argument("--write", action="store_true", help="save to benchmarks/results/simulate.md")
    args = ap.parse_args()
    n_items = 10**6 if args.quick else 10**7
    rows = run(n_items, 20, 20, [1, 2])
    env = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, "
           f"Python {platform.python_version()}, numpy {np.__version__}")  # fmt: skip
    text = table(rows)
    print(env)
    print(text)
    if args.write:
        path = Path(__file__).parent / "results" / "simulate.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# mixphase simulate: Monte Carlo learning-curve benchmark\n\n"
            f"`python benchmarks/simulate_mixture.py --write` on {env}.\n\n{text}\n"
        )
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
