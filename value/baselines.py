"""Baseline valuation methods (one score per contributor), each at its own settings.

Which target each one estimates (:data:`CLAIMS` in :mod:`mixphase.value.protocol`):

- :func:`loo_retrain` (marginal): leave-one-contributor-out retraining,
  ``acc(pool) - acc(pool without c)`` with the method's own seed -- the marginal target itself,
  computed once.
- :func:`knn_shapley` (marginal): exact K-NN Shapley values (Jia et al., VLDB 2019, recursion of
  Thm 1; K = 5) of every training row on the **full** test set, summed over each contributor.
- :func:`knn_utility` (stand-alone): the utility K-NN Shapley builds on, for the contributor
  alone: test accuracy of a 5-NN classifier trained on its rows.
- :func:`one_nn` (stand-alone): test accuracy of a 1-NN classifier on the contributor alone (the
  plain memoriser that mixphase refines with items and a majority vote).
- :func:`davinz` (stand-alone): DAVINZ-style (Wu et al., ICML 2022) ``-(MMD + NTK complexity)``
  at initialisation with unit weights, computed (and timed) on its own.
- :func:`tracin` (marginal): TracIn-CP (Pruthi et al., 2020) on the last layer: sum over 3
  checkpoints of a model trained once on the whole pool of ``lr * grad loss(z) . grad
  loss(z_test)``, averaged over the test set and summed over each contributor's rows.
- :func:`random_scores`.
"""

from __future__ import annotations

import numpy as np

from mixphase.value.data import ValuationData, standardise
from mixphase.value.learner import DEFAULT_LEARNER, LearnerConfig, train_mlp


def loo_retrain(data: ValuationData, seed: int = 0,
                cfg: LearnerConfig = DEFAULT_LEARNER) -> np.ndarray:  # fmt: skip
    from mixphase.value.targets import marginal_values

    return marginal_values(data, seed, cfg)


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


def knn_shapley(data: ValuationData, k: int = 5, max_test: int | None = None,
                seed: int = 0) -> np.ndarray:  # fmt: skip
    """Summed K-NN Shapley values per contributor; every test row unless ``max_test``; one BLAS
    thread."""
    from threadpoolctl import threadpool_limits

    x, xt = standardise(data)
    yt = data.y_test
    if max_test is not None and len(xt) > max_test:
        ti = np.random.default_rng(seed).choice(len(xt), size=max_test, replace=False)
        xt, yt = xt[ti], yt[ti]
    with threadpool_limits(1, user_api="blas"):
        pts = knn_shapley_points(x, data.y, xt, yt, k)
    return np.array([pts[data.rows(c)].sum() for c in data.contributors])


def knn_accuracy(x: np.ndarray, y: np.ndarray, xt: np.ndarray, yt: np.ndarray, k: int,
                 n_classes: int) -> float:  # fmt: skip
    """Test accuracy of a K-NN plurality classifier (ties: lowest class index)."""
    kk = min(k, len(x))
    sq = np.sum(x**2, axis=1)
    right = 0
    for lo in range(0, len(xt), 512):
        d = sq[None, :] - 2 * xt[lo : lo + 512] @ x.T
        nn = np.argpartition(d, kk - 1, axis=1)[:, :kk] if kk < len(x) else np.tile(
            np.arange(len(x)), (len(d), 1))  # fmt: skip
        votes = np.zeros((len(d), n_classes))
        for j in range(nn.shape[1]):
            np.add.at(votes, (np.arange(len(d)), y[nn[:, j]]), 1.0)
        right += int(np.sum(votes.argmax(axis=1) == yt[lo : lo + 512]))
    return right / len(xt)


def knn_utility(data: ValuationData, k: int = 5) -> np.ndarray:
    """K-NN test accuracy of each contributor alone (K-NN Shapley's utility, K = 5); one BLAS
    thread, like mixphase's memoriser (small products)."""
    from threadpoolctl import threadpool_limits

    x, xt = standardise(data)
    with threadpool_limits(1, user_api="blas"):
        return np.array([knn_accuracy(x[data.rows(c)], data.y[data.rows(c)], xt, data.y_test, k,
                                      data.n_classes) for c in data.contributors])  # fmt: skip


def one_nn(data: ValuationData) -> np.ndarray:
    """1-NN test accuracy of each contributor alone."""
    return knn_utility(data, k=1)


def davinz(data: ValuationData, seed: int = 0, block: int = 256,
           max_mmd_rows: int = 400) -> np.ndarray:  # fmt: skip
    """``-(MMD(S, test) + sqrt(yhat^T Theta0^-1 yhat / n))`` per contributor, unit weights."""
    from threadpoolctl import threadpool_limits

    from mixphase.value.heuristics import mmd_to_test
    from mixphase.value.ntk import NTKAtInit

    x, xt = standardise(data)
    mmd = mmd_to_test(data, seed, max_mmd_rows)
    with threadpool_limits(1, user_api="blas"):
        ntk = NTKAtInit(x.shape[1], data.n_classes, seed=seed)
        ntk.calibrate(xt)
        comp = []
        for c in data.contributors:
            idx = data.rows(c)
            q = ntk.quadratic_form(x[idx], data.y[idx], block=block, seed=seed, max_rows=4096)
            comp.append(np.sqrt(q / len(idx)))
    return -(mmd + np.array(comp))


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
