"""Benchmark: the PyMC engine's NUTS samplers side by side, and the fast engine for reference.

The same 20 curves for every method: 40 points, two hard kinks, x over 4 decades, noise sd 0.05
on ln y (the generator of ``benchmarks/fit_breakpoints.py``). Every method fits each curve with
``fit_breakpoints(x, y, 2, seed=i)``, the PyMC engine at its defaults (4 chains x 1000 draws
after 1000 tuning steps, target_accept 0.95).

Each sampler runs in its own fresh Python process, twice:
- cold: PyTensor's and numba's disk caches in a new empty folder (a first install); the first
  fit includes importing PyMC, compiling the model and sampling; later fits reuse the compiled
  model (:mod:`mixphase.fit._nuts`);
- warm: a second process on the now-filled caches, first fit only (a user's next session).

Columns: first-fit seconds (cold, warm); per-fit seconds (median over fits 2..N of the cold
process); ESS/s = bulk ESS (min over parameters) / per-fit seconds (median); agreement with the
fast engine's exact posterior: max over curves and breakpoints of |difference| of the median and
of the 90% interval ends, as a fraction of the exact interval's width (Monte Carlo error of a
quantile from ~1000 effective draws is a few percent of the width).

Run: ``python benchmarks/fit_pymc.py [--curves 20] [--samplers nutpie,numpyro,pymc]
[--out benchmarks/results/fit_pymc.md]``; run it alone on the machine
(``flock /tmp/mixphase-heavy.lock``) and record ``uptime``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _report import publish

N_POINTS, NOISE = 40, 0.05


def make_curve(i: int):
    rng = np.random.default_rng([N_POINTS, i, 20261122])
    lb = np.array([rng.uniform(0.8, 1.6), rng.uniform(2.4, 3.2)])  # log10 breakpoints
    s = np.array([rng.uniform(-1.0, -0.5), rng.uniform(-0.15, 0.05), rng.uniform(-0.8, -0.4)])
    lx = np.linspace(0.0, 4.0, N_POINTS) * np.log(10)
    lbn = lb * np.log(10)
    ly = s[0] * lx + (s[1] - s[0]) * np.maximum(lx - lbn[0], 0)
    ly += (s[2] - s[1]) * np.maximum(lx - lbn[1], 0)
    return np.exp(lx), np.exp(ly + NOISE * rng.standard_normal(N_POINTS))


def worker(method: str, curves: int) -> None:
    """Fit ``curves`` curves with one method; one JSON line per fit on stdout."""
    from mixphase.fit import fit_breakpoints

    for i in range(curves):
        x, y = make_curve(i)
        t0 = time.perf_counter()
        if method == "fast":
            f = fit_breakpoints(x, y, 2, seed=i)
        else:
            f = fit_breakpoints(x, y, 2, seed=i, engine="pymc", sampler=method)
        sec = time.perf_counter() - t0
        row = {"curve": i, "seconds": sec, "diagnostics": f.diagnostics, "timing": f.timing,
               "breakpoints": [b.to_dict() for b in f.breakpoints]}  # fmt: skip
        print(json.dumps(row), flush=True)


def run_worker(method: str, curves: int, cache: str) -> list[dict]:
    env = dict(os.environ, PYTENSOR_FLAGS=f"base_compiledir={cache}", MIXPHASE_NO_PROGRESS="1")
    out = subprocess.run([sys.executable, __file__, "--worker", method, "--curves", str(curves)],
                         env=env, capture_output=True, text=True, check=False)  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"{method} worker failed:\n{out.stderr[-3000:]}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def agreement(rows: list[dict], exact: list[dict]) -> tuple[float, float]:
    """Max |median diff| and max |interval-end diff|, as fractions of the exact width."""
    med, ends = 0.0, 0.0
    for r, e in zip(rows, exact, strict=False):
        for b, be in zip(r["breakpoints"], e["breakpoints"], strict=True):
            lb, lbe = {k: np.log(v) for k, v in b.items()}, {k: np.log(v) for k, v in be.items()}
            w = lbe["upper"] - lbe["lower"]
            med = max(med, abs(lb["median"] - lbe["median"]) / w)
            ends = max(
                ends, abs(lb["lower"] - lbe["lower"]) / w, abs(lb["upper"] - lbe["upper"]) / w
            )
    return med, ends


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--curves", type=int, default=20)
    ap.add_argument("--samplers", default="nutpie,numpyro,pymc")
    ap.add_argument("--slow-curves", type=int, default=None,
                    help="Curves for the numpyro and pymc samplers (default: --curves).")  # fmt: skip
    ap.add_argument("--out", type=Path, default=None, help="Also write the table (markdown).")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.curves)
        return
    load0 = os.getloadavg()
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        exact = run_worker("fast", args.curves, str(Path(tmp) / "fast"))
        methods = ["fast", *args.samplers.split(",")]
        for m in methods:
            cache = str(Path(tmp) / m)
            n = args.curves if m in ("fast", "nutpie") else (args.slow_curves or args.curves)
            rows = exact if m == "fast" else run_worker(m, n, cache)
            warm = run_worker(m, 1, cache)[0]["seconds"]
            per = float(np.median([r["seconds"] for r in rows[1:]]))
            if m == "fast":
                ess_s, med, ends, div = float("nan"), 0.0, 0.0, 0
            else:
                ess = float(np.median([r["diagnostics"]["ess_bulk_min"] for r in rows[1:]]))
                ess_s = ess / per
                med, ends = agreement(rows, exact)
                div = sum(r["diagnostics"]["divergences"] for r in rows)
            table.append((m, rows[0]["seconds"], warm, per, ess_s, med, ends, div, len(rows)))
            print(f"{m}: done ({len(rows)} fits)", file=sys.stderr, flush=True)
    load1 = os.getloadavg()
    lines = [
        f"# PyMC engine samplers (`benchmarks/fit_pymc.py`), {platform.machine()} "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{load0[0]:.1f} before, {load1[0]:.1f} after",
        "",
        "| method | fits | first fit s (cold / warm caches) | per-fit s | ESS/s | "
        "max median diff / width | max interval-end diff / width | divergences |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m, cold, warm, per, ess_s, med, ends, div, n in table:
        name = "fast engine (exact grid)" if m == "fast" else f"pymc engine, {m}"
        ess_txt = "–" if m == "fast" else f"{ess_s:.0f}"
        lines.append(f"| {name} | {n} | {cold:.1f} / {warm:.1f} | {per:.2f} | {ess_txt} | "
                     f"{med:.3f} | {ends:.3f} | {div} |")  # fmt: skip
    publish(lines, args.out)


if __name__ == "__main__":
    main()
