"""Simple heuristic values of a contributor: the baselines any valuation method must beat.

All retraining-free and label-aware only through counts (plus the MMD's joint kernel):

- ``size``: number of rows ``n``.
- ``distinct_items``: distinct items the contributor covers (the ``item`` column, else labels).
- ``distinct_labels``: distinct labels it covers.
- ``test_mass``: share of the test set's rows whose item (the ``item`` column, else the label)
  the contributor covers at least once -- the test mass covered, ``1 - missing mass``.
- ``neg_mmd``: ``-MMD(contributor, test)`` on joint (features, label) vectors, the multi-kernel
  MMD of :class:`~mixphase.value.terms.MMDToTest` (whole contributor, real and synthetic rows
  together; at most 400 rows per side, seeded).
"""

from __future__ import annotations

import time

import numpy as np

from mixphase.value.data import ValuationData, standardise

HEURISTICS = ("size", "distinct_items", "distinct_labels", "test_mass", "neg_mmd")


def covered_test_rows(data: ValuationData, name: str) -> np.ndarray:
    """Boolean per test row: is its item (or label) present in the contributor's rows?"""
    items, items_test = data.items_or_labels()
    return np.isin(items_test, np.unique(items[data.rows(name)]))


def heuristic_scores(data: ValuationData, seed: int = 0,
                     which: tuple[str, ...] = HEURISTICS) -> tuple[dict, dict]:  # fmt: skip
    """``({heuristic: scores per contributor}, {heuristic: seconds})``."""
    names = data.contributors
    items, _ = data.items_or_labels()
    scores, secs = {}, {}

    def timed(key, fn):
        if key in which:
            t0 = time.perf_counter()
            scores[key] = np.array([fn(c) for c in names], dtype=float)
            secs[key] = time.perf_counter() - t0

    timed("size", lambda c: len(data.rows(c)))
    timed("distinct_items", lambda c: len(np.unique(items[data.rows(c)])))
    timed("distinct_labels", lambda c: len(np.unique(data.y[data.rows(c)])))
    timed("test_mass", lambda c: covered_test_rows(data, c).mean())
    if "neg_mmd" in which:
        t0 = time.perf_counter()
        scores["neg_mmd"] = -mmd_to_test(data, seed)
        secs["neg_mmd"] = time.perf_counter() - t0
    return scores, secs


def mmd_to_test(data: ValuationData, seed: int = 0, max_rows: int = 400) -> np.ndarray:
    """Joint (features, label) MMD of each whole contributor to the test set."""
    from threadpoolctl import threadpool_limits

    from mixphase.value.terms import MMDToTest, joint_features

    x, xt = standardise(data)
    rng = np.random.default_rng(seed)
    c = data.n_classes
    with threadpool_limits(1, user_api="blas"):
        ti = rng.choice(len(xt), size=min(len(xt), max_rows), replace=False)
        to_test = MMDToTest(joint_features(xt[ti], data.y_test[ti], c))
        out = []
        for name in data.contributors:
            idx = data.rows(name)
            sub = idx if len(idx) <= max_rows else rng.choice(idx, max_rows, replace=False)
            out.append(to_test.mmd(joint_features(x[sub], data.y[sub], c)))
    return np.array(out)
