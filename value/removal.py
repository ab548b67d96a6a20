"""High- and low-value removal curves (OpenDataVal / pyDVL's point-removal protocol, per contributor).

Rank the contributors by a method's scores; remove the top (``high``) or bottom (``low``)
fraction ``f`` of them from the pool, retrain the model on the rest (with a truth seed, not the
method's) and record its test accuracy. A good valuation makes accuracy fall fastest when the
high-value contributors go and hold (or rise) when the low-value ones go. Summaries:
``high_drop`` = acc(pool) - mean_f acc(pool without top f) (larger is better) and ``low_gain`` =
mean_f acc(pool without bottom f) - acc(pool) (larger is better). Retrains of an identical
remaining pool are shared between methods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.value.data import ValuationData, standardise
from mixphase.value.learner import DEFAULT_LEARNER, LearnerConfig, retrain_accuracy

FRACTIONS = (0.2, 0.4)


@dataclass
class RemovalCurves:
    fractions: tuple[float, ...]
    full: float
    high: dict[str, list[float]]
    low: dict[str, list[float]]
    retrains: int
    seconds: float

    def summary(self) -> dict[str, dict[str, float]]:
        return {m: {"high_drop": self.full - float(np.mean(self.high[m])),
                    "low_gain": float(np.mean(self.low[m])) - self.full}
                for m in self.high}  # fmt: skip

    def to_dict(self) -> dict:
        return {"fractions": list(self.fractions), "full_pool_accuracy": self.full,
                "high": self.high, "low": self.low, "summary": self.summary(),
                "retrains": self.retrains, "seconds": self.seconds}  # fmt: skip


def removal_curves(data: ValuationData, scores: dict[str, np.ndarray], seed: int,
                   fractions=FRACTIONS, cfg: LearnerConfig = DEFAULT_LEARNER) -> RemovalCurves:  # fmt: skip
    """Curves for every method in ``scores`` (contributor order of ``data.contributors``)."""
    import time

    t0 = time.perf_counter()
    x, xt = standardise(data)
    names = data.contributors
    cache: dict[frozenset, float] = {}

    def acc_without(removed: frozenset) -> float:
        if removed not in cache:
            keep = ~np.isin(data.contributor, list(removed))
            cache[removed] = retrain_accuracy(x[keep], data.y[keep], xt, data.y_test,
                                              data.n_classes, seed, cfg)  # fmt: skip
        return cache[removed]

    full = acc_without(frozenset())
    high, low = {}, {}
    for m, s in scores.items():
        order = np.argsort(-np.asarray(s, float), kind="stable")  # best first
        high[m], low[m] = [], []
        for f in fractions:
            k = max(1, round(f * len(names)))
            high[m].append(acc_without(frozenset(names[i] for i in order[:k])))
            low[m].append(acc_without(frozenset(names[i] for i in order[::-1][:k])))
    return RemovalCurves(tuple(fractions), full, high, low, len(cache),
                         time.perf_counter() - t0)  # fmt: skip
