"""Figure 6: data valuation: agreement with the ground truth and wall time, per method.

Runs the benchmark of ``mixphase value benchmark`` (:func:`mixphase.value.benchmark.
run_benchmark`) on built-in tasks (``TASKS``; quick: ``QUICK_TASKS`` and ``QUICK_METHODS``, without
the per-contributor retraining baselines). For each method it plots the Pearson and Spearman
correlation of the method's contributor scores with the ground-truth values (left) and its wall
time (right, log scale): exactly what the benchmark reports.
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
    fig, (ax, bx) = st.figure(ncols=2, width=10.0, height=3.8)
    n_t, width = len(results), 0.8 / (2 * len(results))
    x = np.arange(len(methods))
    rows = []
    for t, r in enumerate(results):
        for k, metric in enumerate(("pearson", "spearman")):
            vals = [_num(r["methods"].get(m, {}).get(metric)) for m in methods]
            pos = x - 0.4 + width * (2 * t + k + 0.5)
            ax.bar(pos, vals, width, color=st.color(2 * t + k) if n_t > 1 else st.color(k),
                   hatch="" if k == 0 else "//", edgecolor="white",
                   label=f"{r['task']}: {metric}" if n_t > 1 else metric)  # fmt: skip
        secs = [_num(r["methods"].get(m, {}).get("seconds")) for m in methods]
        bx.bar(x - 0.4 + (t + 0.5) * 0.8 / n_t, secs, 0.8 / n_t, color=st.color(t),
               label=r["task"])  # fmt: skip
        rows += [{"task": r["task"], "method": m, **{k: _num(r["methods"][m].get(k))
                  for k in ("pearson", "spearman", "seconds")}}
                 for m in methods if m in r["methods"]]  # fmt: skip
    for a in (ax, bx):
        a.set_xticks(x)
        a.set_xticklabels(methods, rotation=30, ha="right")
        a.set_xlabel("valuation method")
    ax.axhline(0, color="0.3", lw=0.8)
    lows = [r[k] for r in rows for k in ("pearson", "spearman")] + [0.0]
    ax.set_ylim(min(-0.1, np.nanmin(lows) - 0.05), 1.05)
    ax.set_ylabel("correlation with ground-truth value")
    ax.legend(loc="upper right", ncol=2 if n_t > 1 else 1)
    bx.set_yscale("log")
    bx.set_ylabel("wall time (s, log scale)")
    bx.set_title("Cost")
    ax.set_title(
        "Agreement with the ground truth" + (f" (task {results[0]['task']})" if n_t == 1 else "")
    )
    if n_t > 1:
        bx.legend(title="task", loc="upper right")
    else:
        bx.set_title(f"Cost (task {results[0]['task']})")
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    summary = {f"{r['task']}:{m}": f"pearson {_num(v.get('pearson')):.3f}, spearman "
               f"{_num(v.get('spearman')):.3f}, {_num(v.get('seconds')):.3g} s"
               for r in results for m, v in r["methods"].items()}  # fmt: skip
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


if __name__ == "__main__":
    raise SystemExit(main(make))
