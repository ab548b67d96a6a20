"""mixphase's retraining-free *marginal* value: the memoriser's leave-one-contributor-out.

    m(c) = acc_mem(pool) - acc_mem(pool without c)

with ``acc_mem`` the memorising learner's test accuracy (:mod:`mixphase.value.memoriser`). Under
the memorisation model a contributor is worth what only it teaches: test items no other
contributor covers, and the majority votes its rows swing (a noisy contributor's rows answer
queries another contributor would answer right, so its marginal value is negative). An exact
copy of another contributor is worth 0.

Cost: the pool's neighbour lists (the ``K = 16`` nearest rows of every test query, and of
every training row among its item's rows; same-item where the memoriser restricts to the item) are computed once; removing a
contributor then reads the first surviving entries of each list. A row whose list is exhausted
(all ``K`` candidates removed while more exist) is recomputed exactly, so the result equals
``C + 1`` independent memoriser evaluations (a test checks it) at about the cost of one.
"""

from __future__ import annotations

import numpy as np

from mixphase.value.data import ValuationData, standardise
from mixphase.value.memoriser import (
    NEIGHBOURS,
    SELF_WEIGHT,
    _groups,
    _nearest,
    _nearest_within,
    memoriser_outcome,
)

K = 16


def _lists(q: np.ndarray, x: np.ndarray, q_items, x_items, exclude_self: bool) -> np.ndarray:
    """The ``K`` nearest rows of ``x`` of the same item, per row of ``q`` (-1 pads)."""
    out = np.full((len(q), K), -1, dtype=int)
    train = _groups(x_items)
    for item, q_rows in _groups(q_items).items():
        rows = train.get(item)
        if rows is None:
            continue
        local = _nearest_within(q[q_rows], x[rows], min(K, len(rows)), exclude_self)
        out[np.ix_(q_rows, np.arange(local.shape[1]))] = np.where(local >= 0, rows[local], -1)
    return out


def _first_alive(lists: np.ndarray, alive: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` entries of each list that are alive (-1 where fewer)."""
    ok = (lists >= 0) & alive[np.maximum(lists, 0)]
    rank = np.cumsum(ok, axis=1)
    out = np.full((len(lists), k), -1, dtype=int)
    for j in range(k):
        hit = ok & (rank == j + 1)
        has = hit.any(axis=1)
        out[has, j] = lists[has, hit[has].argmax(axis=1)]
    return out


def memoriser_marginal(data: ValuationData) -> np.ndarray:
    """``acc_mem(pool) - acc_mem(pool without c)`` for every contributor ``c``."""
    from threadpoolctl import threadpool_limits

    x, xt = standardise(data)
    y, items, it_test = data.y, data.item, data.item_test
    c_names = data.contributors
    cid = np.array([c_names.index(c) for c in data.contributor])
    with threadpool_limits(1, user_api="blas"):
        nbr = None if items is None else _lists(x, x, items, items, exclude_self=True)
        overall = _nearest(xt, x, k=K)
        same = None if items is None else _lists(xt, x, it_test, items, exclude_self=False)
        group_size = (
            None if items is None else np.bincount(np.unique(items, return_inverse=True)[1])
        )
        item_code = None if items is None else np.unique(items, return_inverse=True)[1]

        def acc(alive: np.ndarray) -> float:
            # labels after the majority vote, from the first surviving neighbours (items only)
            clean = y
            if items is not None:
                nn = _first_alive(nbr, alive, NEIGHBOURS)
                alive_per_item = np.bincount(item_code, weights=alive, minlength=len(group_size))
                avail = alive_per_item[item_code] - 1
                found = (nn >= 0).sum(1)
                if np.any(alive & (found < np.minimum(NEIGHBOURS, avail)) & (nbr[:, -1] >= 0)):
                    return _exact(alive)  # a list ran out: the exact vote
                votes = np.zeros((len(y), data.n_classes))
                votes[np.arange(len(y)), y] += SELF_WEIGHT
                for j in range(NEIGHBOURS):
                    ok = nn[:, j] >= 0
                    np.add.at(votes, (np.flatnonzero(ok), y[nn[ok, j]]), 1.0)
                keep = votes[np.arange(len(y)), y] >= votes.max(axis=1)
                clean = np.where(keep, y, votes.argmax(axis=1))
            # answers
            if items is None:
                covered = np.isin(data.y_test, np.unique(y[alive]))
                first = _first_alive(overall, alive, 1)[:, 0]
                exhausted = (first < 0) & (overall[:, -1] >= 0)
            else:
                covered = np.isin(it_test, np.unique(items[alive]))
                lists = np.where(covered[:, None], same, overall)
                first = _first_alive(lists, alive, 1)[:, 0]
                exhausted = (first < 0) & (lists[:, -1] >= 0)
            if exhausted.any():
                return _exact(alive)
            return float(np.mean(clean[first] == data.y_test))

        def _exact(alive: np.ndarray) -> float:
            sub = None if items is None else items[alive]
            return memoriser_outcome(x[alive], y[alive], sub, xt, data.y_test, it_test,
                                     data.n_classes).accuracy  # fmt: skip

        full = acc(np.ones(len(y), dtype=bool))
        return np.array([full - acc(cid != j) for j in range(len(c_names))])
