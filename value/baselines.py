"""Baselines and ground truth for contributor valuation (all return one score per contributor).

- :func:`ground_truth`: test accuracy of the MLP (:mod:`mixphase.value.learner`) retrained on
  each contributor's data alone.
- :func:`loo_retrain`: leave-one-contributor-out, ``acc(all) - acc(all without c)``.
- :func:`knn_shapley`: exact K-NN Shapley values (Jia et al., VLDB 2019, recursion of Thm 1),
  summed over each contributor's rows.
- :func:`davinz`: DAVINZ-style (Wu et al., ICML 2022) ``-(MMD + NTK complexity)`` at
  initialisation with unit weights; no empirical, finite-sample or truncation term, no fitting.
- :func:`tracin`: TracIn-CP (Pruthi et al., 2020) on the last layer: sum over 3 checkpoints of a
  model trained once on the whole pool of ``lr * grad loss(z) . grad loss(z_test)``, averaged over
  the test set and summed over each contributor's rows (closed form for the last layer).
- :func:`random_scores`.
"""

from __future__ import annotations

import numpy as np

from mixphase.value.data import ValuationData, standardise
from mixphase.value.learner import DEFAULT_LEARNER, LearnerConfig, retrain_accuracy, train_mlp


def ground_truth(
    data: ValuationData, seed: int = 0, cfg: LearnerConfig = DEFAULT_LEARNER
) -> np.ndarray:
    return ground_truth_of(data, data.contributors, seed, cfg)


def ground_truth_of(data: ValuationData, names, seed: int = 0,
                    cfg: LearnerConfig = DEFAULT_LEARNER) -> np.ndarray:  # fmt: skip
    """Retrained test accuracy of the named contributors only (mixphase's anchors)."""
    x, xt = standardise(data)
    return np.array([retrain_accuracy(x[data.rows(c)], data.y[data.rows(c)], xt, data.y_test,
                                      data.n_classes, seed, cfg)
                     for c in names])  # fmt: skip


def loo_retrain(
    data: ValuationData, seed: int = 0, cfg: LearnerConfig = DEFAULT_LEARNER
) -> np.ndarray:
    x, xt = standardise(data)
    full = retrain_accuracy(x, data.y, xt, data.y_test, data.n_classes, seed, cfg)
    out = []
    for c in data.contributors:
        keep = data.contributor != c
        out.append(full - retrain_accuracy(x[keep], data.y[keep], xt, data.y_test,
                                           data.n_classes, seed, cfg))  # fmt: skip
    return np.array(out)


def knn_shapley_points(x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray,
                       k: int = 5) -> np.ndarray:  # fmt: skip
    """Exact K-NN Shapley value of every training point, averaged over the test points."""
    n = len(x)
    vals = np.zeros(n)
    sq = np.sum(x**2, axis=1)
    ranks = np.arange(1, n, dtype=float)  # i = 1..n-1 (1-based position of alpha_i)
    coef = np.minimum(k, ranks) / ranks / k
    for lo in range(0, len(xt), 64):
        q, qy = xt[lo : lo + 64], yt[lo : lo + 64]
        d = sq[None, :] - 2 * q @ x.T
        order = np.argsort(d, axis=1, kind="stable")
        match = (y[order] == qy[:, None]).astype(float)
        s = np.empty_like(match)
        s[:, -1] = match[:, -1] / n
        diff = (match[:, :-1] - match[:, 1:]) * coef[None, :]
        # s_i = s_{i+1} + diff_i  ->  s_i = s_n + sum_{j>=i} diff_j
        s[:, :-1] = s[:, -1:] + np.cumsum(diff[:, ::-1], axis=1)[:, ::-1]
        np.add.at(vals, order.ravel(), s.ravel())
    return vals / len(xt)


def knn_shapley(data: ValuationData, k: int = 5, max_test: int = 500, seed: int = 0) -> np.ndarray:
    x, xt = standardise(data)
    rng = np.random.default_rng(seed)
    ti = rng.choice(len(xt), size=min(len(xt), max_test), replace=False)
    pts = knn_shapley_points(x, data.y, xt[ti], data.y_test[ti], k)
    return np.array([pts[data.rows(c)].sum() for c in data.contributors])


def davinz(table) -> np.ndarray:
    """From a :class:`~mixphase.value.score.TermTable`: ``-(mmd + complexity)``."""
    from mixphase.value.score import TERMS

    return -(table.terms[:, TERMS.index("mmd")] + table.terms[:, TERMS.index("complexity")])


def tracin(data: ValuationData, seed: int = 0, cfg: LearnerConfig = DEFAULT_LEARNER,
           checkpoints: int = 3) -> np.ndarray:  # fmt: skip
    import torch

    x, xt = standardise(data)
    _, snaps = train_mlp(x, data.y, data.n_classes, seed, cfg, checkpoints=checkpoints)
    c = data.n_classes
    point = np.zeros(len(x))
    for model in snaps:
        with torch.no_grad():
            h = model[1](model[0](torch.as_tensor(x, dtype=torch.float32)))
            ht = model[1](model[0](torch.as_tensor(xt, dtype=torch.float32)))
            p = torch.softmax(model[2](h), 1).numpy()
            pt = torch.softmax(model[2](ht), 1).numpy()
        h1 = np.hstack([h.numpy(), np.ones((len(x), 1))])
        ht1 = np.hstack([ht.numpy(), np.ones((len(xt), 1))])
        dlt = p - np.eye(c)[data.y]
        dlt_t = pt - np.eye(c)[data.y_test]
        a = dlt_t.T @ ht1 / len(xt)  # (C, hidden+1)
        point += cfg.lr * np.sum((dlt @ a) * h1, axis=1)
    return np.array([point[data.rows(name)].sum() for name in data.contributors])


def random_scores(data: ValuationData, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + 12345).normal(size=len(data.contributors))
