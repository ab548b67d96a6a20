"""Fit your own learning curves with the mixphase library (a script, no notebook needed).

    python examples/fit_my_curves.py                       # makes an example CSV, then fits it
    python examples/fit_my_curves.py my_runs.csv --out fit_out

The CSV holds logged test-error curves of models trained on real-synthetic mixtures, one row per
point, with columns

    curve        a name for the run (one curve per name)
    real_share   the share pi of real data in that run's training mix, in (0, 1]
    data_size    training-set size |S| (examples, items or tokens: any unit, used as is)
    test_error   the test error at that size (> 0)

What it does, with the library API (``mixphase.fit``, ``mixphase.theory``):

1. fits each curve with a Bayesian piecewise power law with two breakpoints
   (:func:`mixphase.fit.fit_breakpoints`): the end of rapid learning and the start of tail
   learning, with 90 % credible intervals;
2. reads the Zipf exponent ``beta`` of the real data off the phase-3 (tail-learning) slope
   (``slope = -(beta-1)/beta``, docs/theory.md §2.2; phase 1 is the same law but its finite
   stretch before the first breakpoint is shallower than the asymptote);
3. checks the theory's scaling of the second breakpoint, ``|S|_2 ∝ 1/pi``, across the runs with
   :func:`mixphase.fit.fit_power_law` (predicted exponent -1);
4. infers the synthetic cutoff rank ``k`` from the first breakpoint and predicts both
   breakpoints of every run with :func:`mixphase.theory.breakpoints`;
5. saves a figure of the data, the fits and the breakpoints.

Without a CSV argument it first writes ``OUT/my_curves.csv`` from ``mixphase.simulate`` (a
memorising learner on Zipf(2) data, synthetic part cut at rank 100, test sets of 20,000 draws),
so the whole story runs in seconds.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections import defaultdict
from pathlib import Path

import numpy as np

EXAMPLE = {"beta": 2.0, "cutoff": 100, "shares": (0.02, 0.05, 0.1), "n_items": 20_000}


def make_example_csv(path: Path, seed: int = 0) -> Path:
    """Simulated curves in the format above (what you would log from real runs)."""
    from mixphase.simulate import simulate_mixture_curves
    from mixphase.theory import Truncation

    rows = []
    for j, pi in enumerate(EXAMPLE["shares"]):
        sim = simulate_mixture_curves(
            EXAMPLE["beta"], Truncation(cutoff=EXAMPLE["cutoff"]), pi,
            n_items=EXAMPLE["n_items"], repetitions=1, seed=seed + j, n_test=20_000,
            n_sizes=18, decades=1.5,
        )  # fmt: skip
        for size, err in zip(sim.sizes, sim.errors[0], strict=True):
            if err > 0:  # a log-log fit needs positive errors
                rows.append({"curve": f"pi={pi:g}", "real_share": pi, "data_size": int(size),
                             "test_error": float(err)})  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_curves(path: Path) -> dict[str, dict]:
    """``{curve: {"real_share": pi, "x": sizes, "y": errors}}`` from the CSV, sorted by size."""
    curves: dict[str, dict] = defaultdict(lambda: {"x": [], "y": [], "real_share": None})
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            c = curves[row["curve"]]
            c["real_share"] = float(row["real_share"])
            c["x"].append(float(row["data_size"]))
            c["y"].append(float(row["test_error"]))
    out = {}
    for name, c in curves.items():
        order = np.argsort(c["x"])
        out[name] = {"real_share": c["real_share"], "x": np.asarray(c["x"])[order],
                     "y": np.asarray(c["y"])[order]}  # fmt: skip
    return out


def infer_cutoff(beta: float, real_share: float, first_breakpoint: float, n_items: int) -> int:
    """The cutoff rank ``k`` whose predicted first breakpoint matches the fitted one."""
    from mixphase.theory import Truncation, breakpoints

    lo, hi = 1, n_items - 1
    while hi - lo > 1:  # the first breakpoint grows with k: bisect on log k
        mid = round(math.sqrt(lo * hi))
        mid = min(max(mid, lo + 1), hi - 1)
        if breakpoints(beta, Truncation(cutoff=mid), real_share, n_items).first < first_breakpoint:
            lo = mid
        else:
            hi = mid
    return hi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fit logged learning curves with mixphase.")
    parser.add_argument("csv", nargs="?", type=Path, help="your curves (default: an example)")
    parser.add_argument("--out", type=Path, default=Path("fit_my_curves_out"))
    parser.add_argument("--n-items", type=int, default=EXAMPLE["n_items"],
                        help="item universe assumed for the theory's predictions")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from mixphase.fit import fit_breakpoints

    path = args.csv or make_example_csv(args.out / "my_curves.csv", args.seed)
    curves = read_curves(path)
    print(f"{len(curves)} curves from {path}\n")

    # 1-2. a two-breakpoint fit per curve, and beta from the phase-3 slope
    from mixphase import MixphaseInputError

    fits = {}
    for name, c in list(curves.items()):
        try:
            fit = fit_breakpoints(c["x"], c["y"], n_breakpoints=2, ci=0.9, seed=args.seed)
        except MixphaseInputError as exc:  # e.g. a plateau too short to locate in the noise
            print(f"== {name}: no two-breakpoint fit ({exc}); left out\n")
            del curves[name]
            continue
        fits[name] = fit
        # phase 3 is the cleanest power law: err ~ (pi |S|)^(-(beta-1)/beta)
        beta = 1.0 / (1.0 + fit.slopes[2].median)
        c["beta"] = beta
        print(f"== {name} (real share {c['real_share']:g})\n{fit}")
        print(f"  => Zipf exponent from the phase-3 slope: beta = {beta:.3f}\n")

    # 3. |S|_2 ∝ 1/pi across runs
    shares = np.array([c["real_share"] for c in curves.values()])
    second = np.array([f.breakpoints[1].median for f in fits.values()])
    if len(set(shares)) >= 3:
        print("Second breakpoint vs real share (theory: exponent -1):")
        try:
            from mixphase.fit import fit_power_law
        except ImportError:  # an older mixphase: least squares instead
            slope = np.polyfit(np.log(shares), np.log(second), 1)[0]
            print(f"  exponent (least squares): {slope:.3f}\n")
        else:
            law = fit_power_law(shares, second, ci=0.9, seed=args.seed, predicted_exponent=-1.0)
            print(law, "\n")

    # 4. the theory's prediction with beta and k inferred from the data
    from mixphase.theory import Truncation, breakpoints

    beta = float(np.median([c["beta"] for c in curves.values()]))
    first = min(curves, key=lambda n: curves[n]["real_share"])
    k = infer_cutoff(beta, curves[first]["real_share"], fits[first].breakpoints[0].median,
                     args.n_items)  # fmt: skip
    print(f"Theory with beta = {beta:.3f} and cutoff k = {k} (inferred from '{first}'):")
    print(f"  {'curve':<12} {'predicted |S|_1':>16} {'fitted |S|_1':>30} "
          f"{'predicted |S|_2':>16} {'fitted |S|_2':>30}")  # fmt: skip
    for name, c in curves.items():
        bp = breakpoints(beta, Truncation(cutoff=k), c["real_share"], args.n_items)
        b1, b2 = fits[name].breakpoints
        print(f"  {name:<12} {bp.first:>16.4g} {b1!s:>30} {bp.second:>16.4g} {b2!s:>30}")

    # 5. figure
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9")
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, (name, c) in enumerate(curves.items()):
        col = colors[i % len(colors)]
        ax.plot(c["x"], c["y"], "o", ms=4, color=col, label=name)
        grid = np.geomspace(c["x"].min(), c["x"].max(), 200)
        lo, med, hi = fits[name].band(grid)
        ax.plot(grid, med, color=col, lw=1.5)
        ax.fill_between(grid, lo, hi, color=col, alpha=0.2, lw=0)
        for b in fits[name].breakpoints:
            ax.axvspan(b.lower, b.upper, color=col, alpha=0.12, lw=0)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training-set size |S|")
    ax.set_ylabel("test error")
    ax.set_title("Two-breakpoint fits (bands: 90% intervals)")
    ax.legend(title="run")
    args.out.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out / "fits.png", dpi=150, bbox_inches="tight")
    print(f"\nwrote {args.out / 'fits.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
