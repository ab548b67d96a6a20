"""Benchmark: every valuation method against the retrained ground truth on a built-in task.

Ground truth: test accuracy of the MLP retrained on each contributor's data alone
(:func:`~mixphase.value.baselines.ground_truth`). Per method: Pearson and Spearman correlation of
its scores with the ground truth over all contributors, and its wall time. ``mixphase``'s time
includes its anchor retrains; its correlation is also given on the non-anchor contributors.
``loo_retrain`` (leave-one-contributor-out retraining) is the retraining cost the issue compares
against. Ablations: ``mixphase_theory`` (unit weights, no retraining) and
``mixphase_no_truncation`` (same fit without the truncation term).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import pearsonr, spearmanr

from mixphase.value import baselines as B
from mixphase.value.score import TERMS, ValuationResult, Weights, choose_anchors, fit_weights
from mixphase.value.tasks import load_task

METHODS = ("mixphase", "mixphase_theory", "mixphase_no_truncation", "davinz", "knn_shapley",
           "tracin", "loo_retrain", "random")  # fmt: skip


def _corr(a, b) -> tuple[float, float]:
    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.std(a) < 1e-15 or np.std(b) < 1e-15:
        return float("nan"), float("nan")
    return float(pearsonr(a, b)[0]), float(spearmanr(a, b)[0])


@dataclass
class BenchmarkResult:
    task: str
    contributors: list[str]
    truth: np.ndarray
    truth_seconds: float
    scores: dict[str, np.ndarray]
    seconds: dict[str, float]
    valuation: ValuationResult
    known: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    def methods(self) -> dict[str, dict]:
        out = {}
        anchors = set(self.valuation.weights.anchors)
        rest = np.array([c not in anchors for c in self.contributors])
        for m, s in self.scores.items():
            p, r = _corr(s, self.truth)
            row = {"pearson": p, "spearman": r, "seconds": self.seconds[m]}
            if m == "mixphase" and rest.sum() >= 3:
                row["pearson_non_anchor"], row["spearman_non_anchor"] = _corr(
                    s[rest], self.truth[rest]
                )
            if self.known is not None:
                row["pearson_known"], row["spearman_known"] = _corr(s, self.known)
            out[m] = row
        return out

    def speed_ratios(self) -> dict[str, float]:
        t = self.seconds["mixphase"]
        return {f"{m}_over_mixphase": self.seconds[m] / t
                for m in ("loo_retrain", "tracin", "knn_shapley") if m in self.seconds}  # fmt: skip

    def to_dict(self) -> dict:
        d = {
            "task": self.task,
            "methods": self.methods(),
            "ground_truth": {"metric": "test accuracy of the MLP retrained on the contributor alone",
                             "seconds": self.truth_seconds,
                             "values": dict(zip(self.contributors, self.truth.tolist(), strict=True))},
            "speed_ratios": self.speed_ratios(),
            "mixphase_terms": self.valuation.term_summary(),
            "mixphase_weights": self.valuation.weights.to_dict(),
            "term_ablation_pearson": self.extra.get("term_ablation", {}),
            "scores": {m: dict(zip(self.contributors, s.tolist(), strict=True))
                       for m, s in self.scores.items()},
            "zipf_beta": self.valuation.table.beta,
        }  # fmt: skip
        if self.known is not None:
            d["known_value"] = dict(zip(self.contributors, self.known.tolist(), strict=True))
            d["ground_truth"]["pearson_with_known"] = _corr(self.truth, self.known)[0]
        return d

    def __str__(self) -> str:
        meth = self.methods()
        lines = [f"value benchmark: task {self.task}, {len(self.contributors)} contributors; "
                 f"ground truth = retrained MLP accuracy per contributor ({self.truth_seconds:.1f} s)",
                 f"{'method':<24} {'pearson':>8} {'spearman':>9} {'seconds':>8}"]  # fmt: skip
        for m, r in meth.items():
            lines.append(f"{m:<24} {r['pearson']:>8.3f} {r['spearman']:>9.3f} {r['seconds']:>8.2f}")
        mp = meth["mixphase"]
        if "pearson_non_anchor" in mp:
            lines.append(f"mixphase on non-anchor contributors: pearson {mp['pearson_non_anchor']:.3f}"
                         f", spearman {mp['spearman_non_anchor']:.3f}")  # fmt: skip
        ratios = ", ".join(
            f"{k.split('_over')[0]} {v:.1f}x" for k, v in self.speed_ratios().items()
        )
        lines.append(f"time relative to mixphase: {ratios}")
        w = self.valuation.weights
        lines.append(
            "mixphase weights ("
            + w.source
            + "): "
            + ", ".join(f"{t}={c:.3g}" for t, c in zip(TERMS, w.coef, strict=True))
        )
        abl = self.extra.get("term_ablation", {})
        if abl:
            lines.append(
                "pearson without each term (same weights): "
                + ", ".join(f"{t} {v:.3f}" for t, v in abl.items())
            )
        return "\n".join(lines)


def run_benchmark(task: str, seed: int = 0, n_anchors: int = 5,
                  methods: tuple[str, ...] = METHODS) -> BenchmarkResult:  # fmt: skip
    """Run every method on a built-in task (see module docstring)."""
    from mixphase.value.score import compute_terms

    data = load_task(task, seed)
    names = data.contributors
    t0 = time.perf_counter()
    truth = B.ground_truth(data, seed)
    truth_s = time.perf_counter() - t0
    scores, secs = {}, {}

    # mixphase: terms, then anchors retrained (their cost is counted, not read off the truth)
    t0 = time.perf_counter()
    table = compute_terms(data, seed=seed)
    t_terms = time.perf_counter() - t0
    t1 = time.perf_counter()
    idx = choose_anchors(1.0 - table.terms.sum(axis=1), n_anchors)
    anchor_truth = B.ground_truth_of(data, [names[i] for i in idx], seed)
    coef, b, lam, cv = fit_weights(table.terms, idx, anchor_truth)
    t_anchor = time.perf_counter() - t1
    weights = Weights(coef, b, "anchors", [names[i] for i in idx], lam, cv, t_anchor)
    val = ValuationResult(table, weights, t_terms + t_anchor)
    scores["mixphase"], secs["mixphase"] = val.values, t_terms + t_anchor
    scores["mixphase_theory"], secs["mixphase_theory"] = 1.0 - table.terms.sum(axis=1), t_terms
    if "mixphase_no_truncation" in methods:
        t1 = time.perf_counter()
        tn = table.terms.copy()
        tn[:, TERMS.index("truncation")] = 0.0
        c2, b2, *_ = fit_weights(tn, idx, anchor_truth)
        scores["mixphase_no_truncation"] = b2 - tn @ c2
        secs["mixphase_no_truncation"] = t_terms + t_anchor + time.perf_counter() - t1
    ablation = {}
    for j, t in enumerate(TERMS):
        keep = np.arange(len(TERMS)) != j
        ablation[t] = _corr(b - table.terms[:, keep] @ coef[keep], truth)[0]
    scores["davinz"], secs["davinz"] = B.davinz(table), t_terms  # shares the term computation
    runners = {
        "knn_shapley": lambda: B.knn_shapley(data, seed=seed),
        "tracin": lambda: B.tracin(data, seed=seed),
        "loo_retrain": lambda: B.loo_retrain(data, seed=seed),
        "random": lambda: B.random_scores(data, seed),
    }
    for m, fn in runners.items():
        if m in methods:
            t0 = time.perf_counter()
            scores[m] = fn()
            secs[m] = time.perf_counter() - t0
    scores = {m: scores[m] for m in METHODS if m in scores and m in methods}
    known = None
    if "known_value" in data.meta:
        known = np.array([data.meta["known_value"][c] for c in names])
    return BenchmarkResult(task, names, truth, truth_s, scores, secs, val, known,
                           {"term_ablation": ablation, "terms_seconds": t_terms})  # fmt: skip


def plot_benchmark(result: BenchmarkResult, path) -> None:
    """Bar chart: Pearson and Spearman per method, with wall time (log scale) beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mixphase.io import save_figure

    meth = result.methods()
    names = list(meth)
    x = np.arange(len(names))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [2, 1]})
    a1.bar(x - 0.2, [meth[m]["pearson"] for m in names], 0.4, label="Pearson")
    a1.bar(x + 0.2, [meth[m]["spearman"] for m in names], 0.4, label="Spearman")
    a1.axhline(0, color="k", lw=0.8)
    a1.set_xticks(x, names, rotation=35, ha="right")
    a1.set_ylabel("correlation with retrained ground truth")
    a1.set_ylim(-1, 1)
    a1.legend()
    a1.set_title(f"value benchmark: {result.task}")
    a2.bar(x, [max(meth[m]["seconds"], 1e-3) for m in names], color="gray")
    a2.set_yscale("log")
    a2.set_xticks(x, names, rotation=35, ha="right")
    a2.set_ylabel("wall time [s]")
    fig.tight_layout()
    save_figure(fig, path, dpi=110)
    plt.close(fig)
