"""Figure 6: data valuation: agreement with the ground truth and wall time, per method.

Runs the benchmark of ``mixphase value benchmark`` (:func:`mixphase.value.benchmark.
run_benchmark`) on built-in tasks (``TASKS``; quick: ``QUICK_TASKS`` and ``QUICK_METHODS``, without
the per-contributor retraining baselines). For each method it plots the Pearson and Spearman
correlation of the method's contributor scores with the ground-truth values (left; error bars: 90%
percentile bootstrap over contributors, the ranks re-computed on the original sample for Spearman)
and its wall time (right, log scale, one run): exactly what the benchmark reports.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import FigureResult, FigureSkipped, main

NUMBER = 6
NAME = "fig6_data_valuation"
TITLE = "Data valuation: correlation with ground truth and wall time per method"

TASKS = ("longtail", "digits", "text")
QUICK_TASKS = ("longtail",)

#: --quick leaves out the methods that retrain per contributor (leave-one-out, TracIn); the
#: ground truth itself still retrains one model per contributor.
QUICK_METHODS = ("mixphase", "mixphase_theory", "mixphase_no_truncation", "davinz",
                 "knn_shapley", "random")  # fmt: skip


def benchmark(task: str, quick: bool, seed: int = 0) -> dict:
    """``{"task", "methods": {name: {"pearson", "spearman", "seconds"}}}`` for one task, from
    :func:`mixphase.value.benchmark.run_benchmark` (quick: ``QUICK_METHODS`` only)."""
    from mixphase.value.benchmark import METHODS, run_benchmark

    result = run_benchmark(task, seed=seed, methods=QUICK_METHODS if quick else METHODS)
    out = result.to_dict()
    if not isinstance(out.get("methods"), dict):
        raise FigureSkipped("mixphase.value's benchmark returned no 'methods' table; skipped")
    return out


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    results = [benchmark(t, quick, seed) for t in (QUICK_TASKS if quick else TASKS)]
    methods: list[str] = []
    for r in results:
        methods += [m for m in r["methods"] if m not in methods]
    fig, (ax, bx) = st.figure(ncols=2, width=10.0, height=4.6)
    n_t, width = len(results), 0.8 / (2 * len(results))
    x = np.arange(len(methods))
    rows = []
    rng = np.random.default_rng(seed)
    for t, r in enumerate(results):
        ci = {m: correlation_intervals(r, m, rng) for m in methods}
        for k, metric in enumerate(("pearson", "spearman")):
            vals = np.array([_num(r["methods"].get(m, {}).get(metric)) for m in methods])
            pos = x - 0.4 + width * (2 * t + k + 0.5)
            ax.bar(pos, vals, width, color=st.color(2 * t + k) if n_t > 1 else st.color(k),
                   hatch="" if k == 0 else "//", edgecolor="white",
                   label=f"{r['task']}: {metric}" if n_t > 1 else metric)  # fmt: skip
            lo = np.array([ci[m][metric][0] for m in methods])
            hi = np.array([ci[m][metric][1] for m in methods])
            ok = np.isfinite(lo) & np.isfinite(vals)
            ax.errorbar(pos[ok], vals[ok], yerr=[np.maximum(vals - lo, 0)[ok],
                                                 np.maximum(hi - vals, 0)[ok]],
                        fmt="none", ecolor="0.15", elinewidth=1.0, capsize=2.5)  # fmt: skip
            for m, a, b in zip(methods, lo, hi, strict=True):
                ci[m][f"{metric}_interval"] = (a, b)
        secs = [_num(r["methods"].get(m, {}).get("seconds")) for m in methods]
        bx.bar(x - 0.4 + (t + 0.5) * 0.8 / n_t, secs, 0.8 / n_t, color=st.color(t),
               label=r["task"])  # fmt: skip
        rows += [{"task": r["task"], "method": m, **{k: _num(r["methods"][m].get(k))
                  for k in ("pearson", "spearman", "seconds")},
                  **{f"{k}_{b}": ci[m][k][j] for k in ("pearson", "spearman")
                     for j, b in enumerate(("lower", "upper"))}}
                 for m in methods if m in r["methods"]]  # fmt: skip
    for a in (ax, bx):
        a.set_xticks(x)
        a.set_xticklabels(methods, rotation=30, ha="right")
        a.set_xlabel("valuation method")
    ax.axhline(0, color="0.3", lw=0.8)
    lows = [r[k] for r in rows for k in ("pearson", "spearman", "pearson_lower",
                                         "spearman_lower")] + [0.0]  # fmt: skip
    ax.set_ylim(min(-0.1, np.nanmin(lows) - 0.05), 1.05)
    ax.set_ylabel("correlation with ground-truth value\n(bars: 90% bootstrap interval)")
    st.legend_below(ax, ncol=2 if n_t == 1 else 3, gap=1.25)
    bx.set_yscale("log")
    bx.set_ylabel("wall time (s, log scale; one run)")
    bx.set_title("Cost")
    ax.set_title(
        "Agreement with the ground truth" + (f" (task {results[0]['task']})" if n_t == 1 else "")
    )
    if n_t > 1:
        st.legend_below(bx, ncol=n_t, title="task", gap=1.25)
    else:
        bx.set_title(f"Cost (task {results[0]['task']})")
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    summary = {f"{r['task']}:{m}": f"pearson {_num(v.get('pearson')):.3f}, spearman "
               f"{_num(v.get('spearman')):.3f}, {_num(v.get('seconds')):.3g} s"
               for r in results for m, v in r["methods"].items()}  # fmt: skip
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


def correlation_intervals(result: dict, method: str, rng, n_boot: int = 2000,
                          level: float = 0.9) -> dict:  # fmt: skip
    """Percentile bootstrap intervals (contributors resampled) of the method's Pearson and
    Spearman correlations with the ground truth; NaN where the benchmark gives no per-contributor
    scores (or fewer than 4 contributors)."""
    from scipy.stats import rankdata

    nan = {"pearson": (np.nan, np.nan), "spearman": (np.nan, np.nan)}
    scores = (result.get("scores") or {}).get(method)
    truth = (result.get("ground_truth") or {}).get("values")
    if not isinstance(scores, dict) or not isinstance(truth, dict):
        return nan
    keys = [k for k in truth if k in scores]
    if len(keys) < 4:
        return nan
    a = np.array([_num(scores[k]) for k in keys])
    b = np.array([_num(truth[k]) for k in keys])
    idx = rng.integers(0, len(keys), size=(n_boot, len(keys)))
    q = [(1 - level) / 2, (1 + level) / 2]
    out = {}
    for name, (u, v) in (("pearson", (a, b)), ("spearman", (rankdata(a), rankdata(b)))):
        uu, vv = u[idx], v[idx]
        uu, vv = uu - uu.mean(1, keepdims=True), vv - vv.mean(1, keepdims=True)
        den = np.sqrt((uu**2).sum(1) * (vv**2).sum(1))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = (uu * vv).sum(1) / den
        r = r[np.isfinite(r)]
        out[name] = tuple(np.quantile(r, q)) if r.size > n_boot // 2 else (np.nan, np.nan)
    return out


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


if __name__ == "__main__":
    raise SystemExit(main(make))
