"""How often `mixphase fit swarm` finds a planted threshold, and how often it calls one where there
is none (issue 19). Prints a markdown table; the figures go in BENCHMARKS.md.

Planted swarms (olmix-style, Dirichlet(1, 1, 1) weights over knowledge / web / code):

- ``threshold`` metric: a sharp step of height 0.7 at knowledge weight 0.1 (width 0.08 in ln w)
  plus smooth effects of web (``0.15 exp(-4 w_web)``, a data-mixing-law exponential) and code
  (linear), normal noise ``sd``;
- ``smooth`` metric: ``1 + 0.5 exp(-3 w_web) + 0.2 exp(-2 w_code)`` (smooth in every domain),
  normal noise ``sd``.

Counted per cell over ``--seeds`` swarms: detections per domain, and for the planted domain how
often the critical weight's 90% interval holds 0.1.

    python benchmarks/swarm_check.py [--seeds 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mixphase.fit.swarm import check_swarm

DOMAINS = ("knowledge", "web", "code")


def swarm(n: int, sd: float, seed: int, metric: str):
    rng = np.random.default_rng(seed)
    w = rng.dirichlet([1.0, 1.0, 1.0], size=n)
    k, web, code = w.T
    if metric == "threshold":
        y = 0.05 + 0.7 / (1 + np.exp(-(np.log(k) - np.log(0.1)) / 0.08))
        y += 0.15 * np.exp(-4 * web) + 0.05 * code
    else:
        y = 1.0 + 0.5 * np.exp(-3 * web) + 0.2 * np.exp(-2 * code)
    return w, y + sd * rng.standard_normal(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    cells = [("threshold", 64, 0.01), ("threshold", 48, 0.03), ("threshold", 32, 0.05),
             ("threshold", 24, 0.03), ("threshold", 64, 0.10),
             ("smooth", 64, 0.01), ("smooth", 64, 0.003), ("smooth", 32, 0.01)]  # fmt: skip
    print(
        "| metric | runs | noise sd | knowledge | web | code | 90% interval holds 0.1 | s/check |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for metric, n, sd in cells:
        hits = dict.fromkeys(DOMAINS, 0)
        cover, t0 = 0, time.perf_counter()
        for seed in range(args.seeds):
            w, y = swarm(n, sd, seed, metric)
            for c in check_swarm(w, {metric: y}, DOMAINS, seed=0).checks:
                hits[c.domain] += c.detected
                if c.detected and c.domain == "knowledge":
                    cover += c.critical_weight.contains(0.1)
        secs = (time.perf_counter() - t0) / args.seeds
        cov = f"{cover}/{hits['knowledge']}" if metric == "threshold" else "-"
        cols = " | ".join(f"{hits[d]}/{args.seeds}" for d in DOMAINS)
        print(f"| {metric} | {n} | {sd:g} | {cols} | {cov} | {secs:.1f} |", flush=True)


if __name__ == "__main__":
    main()
