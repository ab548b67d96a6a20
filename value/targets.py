"""The two valuation targets, computed by retraining (the ground truth of the benchmark).

- **stand-alone value** of contributor c: test accuracy of the MLP
  (:mod:`mixphase.value.learner`) trained on c's rows alone.
- **marginal value** of c: ``acc(pool) - acc(pool without c)``, the change in test accuracy of
  the MLP trained on every contributor when c is removed (leave-one-contributor-out).

Each target is averaged over ``repeats`` training seeds of its own (:func:`truth_seeds`: never
the seed that anchors or retraining baselines use), and reports its *reliability*: the mean
Pearson correlation between two single-seed versions of itself (a ceiling on what any method
can reach against one seed; the average over ``repeats`` seeds is more reliable still). Cost
of the truth = the seconds of **one** seed (one retrain per contributor for stand-alone, one
pooled retrain plus one pooled-minus-one retrain per contributor for marginal), the reference
every method's time is compared with.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mixphase.value.data import ValuationData, standardise
from mixphase.value.learner import DEFAULT_LEARNER, LearnerConfig, retrain_accuracy

TARGETS = ("stand_alone", "marginal")


def truth_seeds(seed: int, repeats: int) -> list[int]:
    """Training seeds of the ground truth for benchmark seed ``seed``: ``10_000 + 100*seed + r``
    (methods and anchors train with ``seed`` itself, so they never share a seed with the truth)."""
    return [10_000 + 100 * int(seed) + r for r in range(repeats)]


@dataclass
class Target:
    """One target's values per contributor (mean over its seeds) and what they cost."""

    name: str
    contributors: list[str]
    per_seed: np.ndarray  # (repeats, contributors)
    seeds: list[int]
    seconds: float  # all seeds
    seconds_one_seed: float  # the reference cost: the truth computed once

    @property
    def values(self) -> np.ndarray:
        return self.per_seed.mean(axis=0)

    @property
    def reliability(self) -> float:
        """Mean Pearson correlation between pairs of single-seed truths (NaN with one seed)."""
        r = [_pearson(self.per_seed[i], self.per_seed[j])
             for i in range(len(self.seeds)) for j in range(i + 1, len(self.seeds))]  # fmt: skip
        r = [v for v in r if np.isfinite(v)]
        return float(np.mean(r)) if r else float("nan")

    def to_dict(self) -> dict:
        return {"target": self.name, "seeds": self.seeds, "seconds": self.seconds,
                "seconds_one_seed": self.seconds_one_seed, "reliability": self.reliability,
                "values": dict(zip(self.contributors, self.values.tolist(), strict=True))}  # fmt: skip


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if np.std(a) < 1e-15 or np.std(b) < 1e-15:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def stand_alone_values(data: ValuationData, seed: int, names=None,
                       cfg: LearnerConfig = DEFAULT_LEARNER) -> np.ndarray:  # fmt: skip
    """Test accuracy of the MLP trained (with ``seed``) on each named contributor alone."""
    x, xt = standardise(data)
    names = data.contributors if names is None else names
    return np.array([retrain_accuracy(x[data.rows(c)], data.y[data.rows(c)], xt, data.y_test,
                                      data.n_classes, seed, cfg) for c in names])  # fmt: skip


def marginal_values(data: ValuationData, seed: int,
                    cfg: LearnerConfig = DEFAULT_LEARNER) -> np.ndarray:  # fmt: skip
    """``acc(pool) - acc(pool without c)`` per contributor, every model trained with ``seed``."""
    x, xt = standardise(data)
    full = retrain_accuracy(x, data.y, xt, data.y_test, data.n_classes, seed, cfg)
    out = []
    for c in data.contributors:
        keep = data.contributor != c
        out.append(full - retrain_accuracy(x[keep], data.y[keep], xt, data.y_test,
                                           data.n_classes, seed, cfg))  # fmt: skip
    return np.array(out)


def compute_target(data: ValuationData, name: str, seed: int = 0, repeats: int = 1,
                   cfg: LearnerConfig = DEFAULT_LEARNER,
                   tick: Callable[[], None] | None = None) -> Target:  # fmt: skip
    """The ``name`` target (``stand_alone`` or ``marginal``) on ``repeats`` truth seeds."""
    fn = {"stand_alone": stand_alone_values, "marginal": marginal_values}[name]
    seeds = truth_seeds(seed, repeats)
    rows, secs = [], []
    for s in seeds:
        t0 = time.perf_counter()
        rows.append(fn(data, s, cfg=cfg))
        secs.append(time.perf_counter() - t0)
        if tick is not None:
            tick()
    return Target(name, data.contributors, np.array(rows), seeds, float(np.sum(secs)),
                  float(np.mean(secs)))  # fmt: skip
