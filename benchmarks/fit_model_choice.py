"""Benchmark: how often ``n_breakpoints="auto"`` finds the true number of breakpoints.

Planted curves: 40 points, x evenly spaced in log over 4 decades, ``ln y`` piecewise linear in
``ln x`` with ``k = 0, 1, 2, 3`` hard kinks, Gaussian noise of sd 0.05 / 0.1 / 0.2 / 0.4 on
ln y, ``--reps`` curves per (k, noise) cell (seeded by cell and replicate). Breakpoints: log10 b
uniform in the middle 70% of k equal sub-intervals of [0.5, 3.5] (so at least 0.3 decades
apart for k = 3, and 0.5 decades from the data ends);
first slope U(-1, -0.3); each slope change of size U(0.15, 0.6) and alternating sign (small
changes at high noise are meant to be hard to detect).

Each curve is fitted with the fast engine at every k = 0..3 (exact posterior draws), then k is
chosen by three rules on the same fits (:mod:`mixphase.fit.model_choice`):

- before: PSIS-LOO, the smallest k within 2 SE of the best elpd (the rule of ``auto`` before
  this change, Pareto k-hat ignored);
- evidence: the exact marginal likelihood, uniform prior over k (the fast engine's rule now);
- LOO + fallback: PSIS-LOO unless some candidate has Pareto k-hat > 0.7, then the evidence (the
  PyMC engine's rule now, for normal noise; evaluated here on the exact draws).

Run: ``python benchmarks/fit_model_choice.py [--reps 10] [--out benchmarks/results/fit_model_choice.md]``
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
from _report import publish

N_POINTS = 40
NOISES = (0.05, 0.1, 0.2, 0.4)
KS = (0, 1, 2, 3)
RULES = ("before (PSIS-LOO)", "evidence", "LOO + k-hat fallback")


def make_curve(k: int, noise: float, rep: int):
    rng = np.random.default_rng([k, int(noise * 1000), rep, 20261123])
    edges = np.linspace(0.5, 3.5, k + 1)
    w = 3.0 / max(k, 1)  # one breakpoint per sub-interval, away from its edges
    lb = np.array([rng.uniform(edges[j] + 0.15 * w, edges[j + 1] - 0.15 * w) for j in range(k)])
    slope = rng.uniform(-1.0, -0.3)
    sign = rng.choice([-1.0, 1.0])
    lx = np.linspace(0.0, 4.0, N_POINTS) * np.log(10)
    ly = slope * lx
    for j in range(k):
        d = sign * (-1) ** j * rng.uniform(0.15, 0.6)
        ly += d * np.maximum(lx - lb[j] * np.log(10), 0)
    return np.exp(lx), np.exp(ly + noise * rng.standard_normal(N_POINTS))


def choose_all(x, y, seed: int) -> tuple[dict[str, int], bool]:
    from mixphase.fit import breakpoints as bp
    from mixphase.fit import model_choice as mc

    prob = bp.make_problem(x, y)
    fits = {k: bp._fit_one(prob, k, "fast", "normal", 0.9, seed, 2000, {}) for k in KS}
    loo_k, _, unreliable = mc.by_loo(prob, fits)
    ev_k, _ = mc.by_evidence({k: f.log_evidence for k, f in fits.items()}, fits)
    return dict(zip(RULES, (loo_k, ev_k, ev_k if unreliable else loo_k), strict=True)), bool(
        unreliable
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    hits = {(noise, k, rule): 0 for noise in NOISES for k in KS for rule in RULES}
    khat = dict.fromkeys(NOISES, 0)
    for noise in NOISES:
        for k in KS:
            for rep in range(args.reps):
                x, y = make_curve(k, noise, rep)
                chosen, bad = choose_all(x, y, seed=rep)
                khat[noise] += bad
                for rule in RULES:
                    hits[noise, k, rule] += chosen[rule] == k
    n = args.reps
    lines = [
        f'# True-k rate of `n_breakpoints="auto"` (`benchmarks/fit_model_choice.py --reps {n}`)',
        f"{platform.machine()}, {os.cpu_count()} cores; {time.perf_counter() - t0:.0f} s; load "
        f"{load0[0]:.1f}. {N_POINTS} points, true k = 0-3, {n} curves per (k, noise).",
        "",
        "| noise sd (ln y) | " + " | ".join(RULES) + " | curves with k-hat > 0.7 |",
        "|---|" + "---|" * (len(RULES) + 1),
    ]
    total = len(KS) * n
    for noise in NOISES:
        rates = [sum(hits[noise, k, r] for k in KS) / total for r in RULES]
        lines.append(f"| {noise} | " + " | ".join(f"{v:.2f}" for v in rates)
                     + f" | {khat[noise]} of {total} |")  # fmt: skip
    rates = [sum(hits[key] for key in hits if key[2] == r) / (total * len(NOISES)) for r in RULES]
    lines.append("| all | " + " | ".join(f"**{v:.2f}**" for v in rates)
                 + f" | {sum(khat.values())} of {total * len(NOISES)} |")  # fmt: skip
    lines += ["", "Per true k (all noise levels):", "",
              "| true k | " + " | ".join(RULES) + " |", "|---|" + "---|" * len(RULES)]  # fmt: skip
    for k in KS:
        rates = [sum(hits[noise, k, r] for noise in NOISES) / (n * len(NOISES)) for r in RULES]
        lines.append(f"| {k} | " + " | ".join(f"{v:.2f}" for v in rates) + " |")
    publish(lines, args.out)


if __name__ == "__main__":
    main()
