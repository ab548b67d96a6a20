"""advise vs planted truth: calibrate on a simulated sweep at one size, advise at others.

For each setting a "true" model has planted constants (value scale, capacity, ramp width, seed
scatter; the paper's web law; finite training). A 14-ratio sweep at one model size is simulated
with the accuracy model (:mod:`mixphase.theory.accuracy`, what ``predict``, ``advise`` and
:func:`mixphase.simulate.knapsack.phase_diagram` with ``width`` use), each run with its own seed effect and binomial noise
over ``N_EVAL`` people; advise
calibrates on it (:func:`mixphase.advise.calibrate`) and its advice at other sizes is compared with
the truth: the critical ratio at 50% accuracy and the best keep fraction (random subsampling) at
half the true critical ratio. The uncalibrated priors are shown for contrast. Measured sweeps are
in ``benchmarks/predict_heldout.py``.

    python benchmarks/advise_vs_simulation.py [--out benchmarks/results/advise.md] [--seeds 5]
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
from _report import publish

from mixphase.advise import advise_knowledge, calibrate, uncalibrated
from mixphase.advise.runs import calibration_data
from mixphase.theory import KnapsackModel, KnowledgeSet
from mixphase.theory import accuracy as acc
from mixphase.theory import strategy_search as ss
from mixphase.theory.predictions import format_size

# (name, facts, training tokens, planted kappa, b, w, sigma, calibration size, prediction sizes)
SETTINGS = [
    ("SynBio-20k, 3.2B tokens", 20_000, 3.2e9, 1.0, 0.7, 0.2, 0.12, 3e7, (1e8, 3e8)),
    ("SynBio-320k, 32B tokens", 320_000, 32e9, 2.5, 1.5, 0.15, 0.1, 7e7, (1.6e8, 4.1e8)),
    ("SynBio-1.28M, 32B tokens", 1_280_000, 32e9, 0.5, 2.0, 0.25, 0.15, 4.1e8, (1e9, 2.8e9)),
]
N_EVAL = 200


def _truth(facts, tokens, kappa, b):
    return KnapsackModel(knowledge=KnowledgeSet(n_facts=facts), training_tokens=tokens,
                         bits_per_param=b, value_scale=kappa)  # fmt: skip


def _sweep(truth, width, sigma, size, seed):
    r50 = float(acc.ratio_at_accuracy(truth, size, 0.5, width))
    ratios = np.unique(np.clip(r50 * np.geomspace(0.25, 4, 14), 1e-5, 0.95))
    rng = np.random.default_rng(seed)
    rows = []
    for r in ratios:  # one run per ratio: its own seed effect, then binomial over people
        delta = sigma * rng.standard_normal()
        a = float(np.asarray(acc.accuracy(truth, size, r, width, delta)))
        rows.append({"model_size": size, "ratio": float(r), "total": float(N_EVAL),
                     "correct": float(rng.binomial(N_EVAL, 0.01 + 0.98 * a))})  # fmt: skip
    return rows


def simulated(seeds: int) -> list[str]:
    lines = ["| setting | predict at | r_50 truth | r_50 uncalibrated | r_50 calibrated (90%) | in "
             "| keep truth at r_50/2 | keep calibrated (90%) | in |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    hits = keep_hits = total = 0
    errors = []
    for name, facts, tokens, kappa, b, w, sigma, n_cal, n_pred in SETTINGS:
        truth = _truth(facts, tokens, kappa, b)
        target = _truth(facts, tokens, 1.0, 2.0)  # what the user knows: the configuration
        prior = uncalibrated(target)
        for seed in range(seeds):
            rows = _sweep(truth, w, sigma, n_cal, seed)
            cal = calibrate(target, data=calibration_data(rows), seed=seed)
            for size in n_pred:
                r50 = float(acc.ratio_at_accuracy(truth, size, 0.5, w))
                est = cal.draws.summary(cal.draws.ratio_at_accuracy([size], 0.5))
                raw = prior.draws.summary(prior.draws.ratio_at_accuracy([size], 0.5))
                keep_t = float(np.ravel(ss.best_keep_fraction(truth, size, r50 / 2))[0])
                keep = advise_knowledge(target, [size], r50 / 2, calibration=cal).rows[0][
                    "subsample"]["keep_fraction"]  # fmt: skip
                hits += est.contains(r50)
                keep_hits += keep.contains(keep_t)
                total += 1
                errors.append(abs(np.log(est.median / r50)))
                if seed == 0:
                    lines.append(f"| {name} (cal. {format_size(n_cal)}) | {format_size(size)} | "
                                 f"{r50:.4g} | {raw} | {est} | {'yes' if est.contains(r50) else 'NO'}"
                                 f" | {keep_t:.3g} | {keep} | {'yes' if keep.contains(keep_t) else 'NO'} |")  # fmt: skip
    lines += ["", f"Over {seeds} simulated sweeps per setting: the truth's r_50 inside the 90% "
              f"interval in {hits}/{total}, the best keep fraction in {keep_hits}/{total}; median "
              f"|ln error| of r_50 {np.median(errors):.3f} (max {np.max(errors):.3f})."]  # fmt: skip
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/advise.md"))
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    t0 = time.time()
    body = ["# advise vs simulation", "",
            f"`python benchmarks/advise_vs_simulation.py --seeds {args.seeds}` on "
            f"{platform.machine()} CPU, Python {platform.python_version()}.", "",
            "## Planted truth (simulated sweeps, calibrate at one size, advise at others)", "",
            *simulated(args.seeds), "",
            "Measured sweeps: `benchmarks/results/predict_heldout.md`.", "",
            f"Wall time: {time.time() - t0:.0f} s."]  # fmt: skip
    publish(body, args.out)


if __name__ == "__main__":
    main()
