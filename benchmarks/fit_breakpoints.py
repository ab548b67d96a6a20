"""Benchmark: breakpoints of synthetic three-phase curves, mixphase vs. common peers.

Curves: ``ln y`` piecewise linear in ``ln x`` with two hard kinks (the truth peers assume), x
evenly spaced in log over 4 decades (1 to 1e4), Gaussian noise of sd ``noise`` on ``ln y``.
Per curve (seeded by its cell and replicate): log10 b1 ~ U(0.8, 1.6), log10 b2 ~ U(2.4, 3.2),
phase slopes U(-1.0, -0.5), U(-0.15, 0.05), U(-0.8, -0.4).

Methods (all given the true number of breakpoints, 2, and fitted in log-log space):
- mixphase ``fit_breakpoints(engine="fast")``: posterior median, 90% credible interval;
- optionally mixphase ``engine="pymc"`` on the first ``--pymc-curves`` curves of n = 50;
- piecewise-regression (Pilgrim 2021): estimate, 90% interval = estimate +- 1.645 se
  (its reported 95% CI is the same normal interval at 1.96);
- pwlf (differential evolution, 3 segments): point estimates only;
- ruptures ``Dynp(model="clinear")`` (exact dynamic programming, continuous linear cost, on the
  index, which is linear in log x here): point estimates only.

Metrics: median |log10(estimate) - log10(truth)| pooled over both breakpoints; coverage of the
nominal 90% interval; failures (no estimate); mean wall seconds per fit.

Run: ``python benchmarks/fit_breakpoints.py [--reps 10] [--out benchmarks/results/fit.md]``
(peers: ``pip install piecewise-regression pwlf ruptures``; they are not mixphase dependencies).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
from _report import publish

NOTES = """
## Notes

- mixphase (fast): exact posterior of the breakpoints and noise on an adaptive grid, slopes and
  intercept marginalised analytically (conjugate Gaussian priors), 2000 i.i.d. draws; interval =
  central 90% credible interval; default smoothness 0.003 of the log-x range.
- mixphase (pymc): the same model and priors by NUTS (2 chains x 500 draws after 500 tuning
  steps), run on one n = 50 curve per noise level only (its time is dominated by compiling).
- piecewise-regression: Muggeo's iterative method with 100 bootstrap restarts (its default);
  90% interval = estimate +- 1.645 se (its delta-method standard error).
- pwlf: differential evolution over breakpoint locations (least squares), no interval.
- ruptures: optimal segmentation (Dynp) with the continuous piecewise-linear cost, no interval;
  its breakpoints are restricted to sample points, hence the larger error.
- Times are wall seconds per fit on a shared 2-core machine (other jobs were running: compare
  the methods' times with each other, not with an idle machine's).
"""

NS = (30, 50, 100)
NOISES = (0.02, 0.05, 0.1)
X_DECADES = (0.0, 4.0)


def make_curve(n: int, noise: float, rep: int):
    rng = np.random.default_rng([n, int(noise * 1000), rep, 20261122])
    lb = np.array([rng.uniform(0.8, 1.6), rng.uniform(2.4, 3.2)])  # log10 breakpoints
    s = np.array([rng.uniform(-1.0, -0.5), rng.uniform(-0.15, 0.05), rng.uniform(-0.8, -0.4)])
    l10x = np.linspace(*X_DECADES, n)
    lx, lbn = l10x * np.log(10), lb * np.log(10)
    ly = (
        s[0] * lx
        + (s[1] - s[0]) * np.maximum(lx - lbn[0], 0)
        + (s[2] - s[1]) * np.maximum(lx - lbn[1], 0)
    )
    y = np.exp(ly + noise * rng.standard_normal(n))
    return 10**l10x, y, lb


# Each method: (x, y, seed) -> (log10 breakpoints (2,), intervals (2, 2) or None)
def m_mixphase(x, y, seed):
    from mixphase.fit import fit_breakpoints

    f = fit_breakpoints(x, y, 2, ci=0.9, seed=seed)
    est = np.log10([b.median for b in f.breakpoints])
    ci = np.log10([[b.lower, b.upper] for b in f.breakpoints])
    return est, ci


def m_mixphase_pymc(x, y, seed):
    from mixphase.fit import fit_breakpoints

    f = fit_breakpoints(x, y, 2, ci=0.9, seed=seed, engine="pymc", chains=2, draws=500, tune=500)
    est = np.log10([b.median for b in f.breakpoints])
    ci = np.log10([[b.lower, b.upper] for b in f.breakpoints])
    return est, ci


def m_piecewise_regression(x, y, seed):
    import piecewise_regression

    np.random.seed(seed)  # noqa: NPY002 - it draws bootstrap restarts from the global RNG
    f = piecewise_regression.Fit(np.log10(x), np.log(y), n_breakpoints=2, verbose=False)
    r = f.get_results()
    if not r.get("converged") or r.get("estimates") is None:
        return None, None
    est = np.array([r["estimates"][f"breakpoint{j}"]["estimate"] for j in (1, 2)], dtype=float)
    se = np.array([r["estimates"][f"breakpoint{j}"]["se"] for j in (1, 2)], dtype=float)
    order = np.argsort(est)
    est, se = est[order], se[order]
    return est, np.stack([est - 1.645 * se, est + 1.645 * se], axis=1)


def m_pwlf(x, y, seed):
    import pwlf

    f = pwlf.PiecewiseLinFit(np.log10(x), np.log(y), seed=seed)
    bps = f.fit(3)
    return np.sort(np.asarray(bps)[1:-1]), None


def m_ruptures(x, y, seed):
    import ruptures as rpt

    lx = np.log10(x)
    bkps = rpt.Dynp(model="clinear", min_size=3, jump=1).fit(np.log(y)).predict(n_bkps=2)
    return np.array([lx[i] for i in bkps[:-1]]), None


METHODS = {
    "mixphase (fast)": m_mixphase,
    "piecewise-regression": m_piecewise_regression,
    "pwlf": m_pwlf,
    "ruptures (Dynp clinear)": m_ruptures,
}


def run(reps: int, pymc_curves: int):
    methods = dict(METHODS)
    if pymc_curves:
        methods["mixphase (pymc)"] = m_mixphase_pymc
    rows = []  # (method, n, noise, abs errors (2,), covered (2,) or None, seconds, failed)
    for n in NS:
        for noise in NOISES:
            for rep in range(reps):
                x, y, truth = make_curve(n, noise, rep)
                for name, fn in methods.items():
                    if name == "mixphase (pymc)" and not (n == 50 and rep < pymc_curves):
                        continue
                    t0 = time.perf_counter()
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            est, ci = fn(x, y, rep)
                    except Exception as exc:  # a peer's failure is a result, not a crash
                        print(f"  {name} failed on n={n} noise={noise} rep={rep}: {exc!r}")
                        est, ci = None, None
                    dt = time.perf_counter() - t0
                    if est is None or not np.all(np.isfinite(est)):
                        rows.append((name, n, noise, None, None, dt, True))
                        continue
                    err = np.abs(est - truth)
                    cov = None if ci is None else (ci[:, 0] <= truth) & (truth <= ci[:, 1])
                    rows.append((name, n, noise, err, cov, dt, False))
            print(f"done n={n} noise={noise}", flush=True)
    return rows, list(methods)


def summarise(rows, names, key=None):
    out = []
    for name in names:
        sel = [r for r in rows if r[0] == name and (key is None or key(r))]
        if not sel:
            continue
        ok = [r for r in sel if not r[6]]
        errs = np.concatenate([r[3] for r in ok]) if ok else np.array([np.nan])
        covs = [r[4] for r in ok if r[4] is not None]
        cov = float(np.mean(np.concatenate(covs))) if covs else None
        secs = float(np.mean([r[5] for r in sel]))
        out.append((name, len(sel), len(sel) - len(ok), float(np.median(errs)), cov, secs))
    return out


def table(summary) -> list[str]:
    lines = [
        "| method | curves | failed | median abs error log10(bp) | 90% coverage | s/fit |",
        "|---|---|---|---|---|---|",
    ]
    for name, n, failed, err, cov, secs in summary:
        c = "-" if cov is None else f"{cov:.3f}"
        lines.append(f"| {name} | {n} | {failed} | {err:.4f} | {c} | {secs:.3f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10, help="curves per (n, noise) cell")
    ap.add_argument("--pymc-curves", type=int, default=0, help="also run the pymc engine on "
                    "this many n=50 curves per noise level")  # fmt: skip
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/fit.md"))
    args = ap.parse_args()
    rows, names = run(args.reps, args.pymc_curves)
    lines = [
        "# Breakpoint benchmark (`benchmarks/fit_breakpoints.py`)",
        "",
        f"Synthetic three-phase curves, hard kinks, x over 4 decades; n in {NS}, noise sd on "
        f"ln y in {NOISES}, {args.reps} curves per cell (fixed seeds). Machine: "
        f"{os.cpu_count()} CPU cores, {platform.processor() or platform.machine()}, load "
        f"average at the end {os.getloadavg()[0]:.1f} (other jobs share the machine, so times "
        "are upper bounds). Errors pooled over both breakpoints.",
        "",
        "## All curves",
        "",
        *table(summarise(rows, names)),
    ]
    for n in NS:
        lines += ["", f"## n = {n}", "", *table(summarise(rows, names, key=lambda r: r[1] == n))]
    for noise in NOISES:
        lines += ["", f"## noise sd {noise}", "",
                  *table(summarise(rows, names, key=lambda r: r[2] == noise))]  # fmt: skip
    lines += ["", *NOTES.strip().splitlines()]
    publish(lines, args.out)


if __name__ == "__main__":
    main()
