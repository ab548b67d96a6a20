"""Coverage of the critical point's 90% interval when runs scatter between seeds (issue 14).

Planted truth (mixphase.simulate.seed_scatter): r_c log-uniform in [0.03, 0.055], ramp width 0.2
in ln r, seed scatter sd(ln r_c) = 0.12 between runs, 40 people x 5 answers with intra-person
correlation 0.15 (design effect 1.6); ratios 0.01-0.16 (x2, one seed) plus 3 seeds at each of
r = 0.028, 0.04, 0.057. Each replicate is fitted four ways; the table gives the share of 90%
intervals that hold the true r_c and their median width in ln r.

    python benchmarks/fit_transition_coverage.py [--replicates 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mixphase.fit import fit_transition
from mixphase.simulate.seed_scatter import simulate_runs

RATIOS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.028, 0.04, 0.057]
SEEDS = [1, 1, 1, 1, 1, 3, 3, 3]
METHODS = {
    "binomial, every answer independent (before)": {},
    "stated scatter 0.12, design effect 1.6": {"scatter": 0.12, "design_effect": 1.6},
    "fitted scatter, design effect 1.6": {"scatter": "fit", "design_effect": 1.6},
    "fitted scatter, people as units (d = 5)": {"scatter": "fit", "design_effect": 5.0},
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=200)
    args = ap.parse_args()
    print(f"| fit | coverage of 90% intervals ({args.replicates} replicates) | median width "
          "(ln r) | s/fit |")  # fmt: skip
    print("|---|---:|---:|---:|")
    for name, kw in METHODS.items():
        hit, widths, t0 = 0, [], time.perf_counter()
        for i in range(args.replicates):
            rng = np.random.default_rng(i)
            rc = float(np.exp(rng.uniform(np.log(0.03), np.log(0.055))))
            d = simulate_runs(RATIOS, SEEDS, critical_ratio=rc, width=0.2, tau=0.12, icc=0.15,
                              rng=rng)  # fmt: skip
            f = fit_transition(d["x"], correct=d["correct"], total=d["total"], seed=i, **kw)
            hit += f.critical.lower <= rc <= f.critical.upper
            widths.append(np.log(f.critical.upper / f.critical.lower))
        sec = (time.perf_counter() - t0) / args.replicates
        print(f"| {name} | {hit / args.replicates:.3f} | {np.median(widths):.3f} | {sec:.2f} |")


if __name__ == "__main__":
    main()
