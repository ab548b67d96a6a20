"""The memorisation model's test accuracy of a training set, computed without retraining.

Under the memorisation model of docs/theory.md §2.2 a learner *knows an item once it has seen
it* and answers an unseen one by a guess; the truncation term ``T`` (§2.3) is the expected excess
test mass such a learner misses. mixphase evaluates this learner on the actual test set instead
of its expectation, which needs no Zipf or cutoff fit and sees label noise and shift too:

- **which training row answers a test query**: if the data have an ``item`` column and the
  training set holds the query's item, its nearest training row *of that item*; otherwise the
  nearest training row overall (Euclidean, standardised features). Without an ``item`` column the
  labels stand in for items, so the features alone decide (a 1-NN learner).
- **which label that row teaches** (label noise, only with an ``item`` column): the majority
  of the row's own label and the labels of its two nearest rows of the same item; a tie keeps
  the row's own label. So a row is relabelled only when both neighbours agree on another label
  -- a learner that sees an item several times learns its majority answer -- while a row seen
  once keeps its label. The share of labels this changes is the noise estimate. Without an item
  column every "item" (label) holds only its own label and nothing is relabelled: the value is
  then exactly a 1-NN classifier's test accuracy. (Rules chosen on the development seeds,
  :data:`~mixphase.value.tasks.DEV_SEEDS`, against the plain nearest row, a 5-NN vote and the
  same vote over feature neighbours when there are no items, which erased rare classes; no
  constant is fitted.)

Accuracy = share of test rows whose answer equals their label. It splits into the terms mixphase
reports, each a 0-1 error (the unit of ``1 - accuracy``):

- ``missing``: test rows whose item the training set lacks and that are answered wrongly -- the
  missing mass times the guess error; its expectation is the finite-sample missing mass of a real
  sample plus the truncation term ``T``;
- ``covered_error``: test rows whose item it holds but are still answered wrongly -- label noise
  and shift (a generator that draws an item's features wrongly).

Cost: O(|test| x n) distances per training set (chunked), no model is trained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SELF_WEIGHT = 1  # the row votes with its own label ...
NEIGHBOURS = 2  # ... and its two nearest rows of the same item; ties keep the own label
CHUNK = 512


@dataclass(frozen=True)
class MemoriserOutcome:
    """Per training set: accuracy and its split into 0-1 error terms."""

    accuracy: float
    covered: float  # share of test rows whose item the training set holds
    missing: float  # share of test rows not covered and answered wrongly
    covered_error: float  # share of test rows covered and answered wrongly
    noise: float  # share of training labels the plurality vote changed

    def to_dict(self) -> dict[str, float]:
        return {"accuracy": self.accuracy, "covered": self.covered, "missing": self.missing,
                "covered_error": self.covered_error, "label_noise": self.noise}  # fmt: skip


def _sq_norms(a: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", a, a)


def _nearest(q: np.ndarray, x: np.ndarray, mask_fn=None, k: int = 1) -> np.ndarray:
    """Indices of the ``k`` nearest rows of ``x`` for each row of ``q``, nearest first, ties
    broken by the lower row index (chunked; -1 where fewer than ``k`` are allowed).

    ``mask_fn(lo, hi)`` may return a boolean (hi-lo, n) array of allowed pairs.
    """
    sx = _sq_norms(x)
    kk = min(k, x.shape[0])
    out = np.full((len(q), k), -1, dtype=int)
    for lo in range(0, len(q), CHUNK):
        hi = min(lo + CHUNK, len(q))
        d = sx[None, :] - 2.0 * (q[lo:hi] @ x.T)
        if mask_fn is not None:
            d = np.where(mask_fn(lo, hi), d, np.inf)
        thr = np.partition(d, kk - 1, axis=1)[:, kk - 1 : kk]
        r, c = np.nonzero((d <= thr) & np.isfinite(d))  # the k nearest and any ties with them
        order = np.lexsort((c, d[r, c], r))  # by row, then distance, then index
        r, c = r[order], c[order]
        pos = np.arange(len(r)) - np.searchsorted(r, np.arange(hi - lo))[r]
        keep = pos < kk
        out[lo + r[keep], pos[keep]] = c[keep]
    return out


def _groups(items: np.ndarray) -> dict:
    """``{item: row indices}`` (indices ascending)."""
    order = np.argsort(items, kind="stable")
    keys, starts = np.unique(items[order], return_index=True)
    return dict(zip(keys.tolist(), np.split(order, starts[1:]), strict=True))


def _nearest_within(q: np.ndarray, x: np.ndarray, k: int, exclude_self: bool) -> np.ndarray:
    """``k`` nearest rows of ``x`` per row of ``q`` by exact squared distance (small blocks)."""
    d = _sq_norms(q)[:, None] + _sq_norms(x)[None, :] - 2.0 * (q @ x.T)
    if exclude_self:
        np.fill_diagonal(d, np.inf)
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.where(np.isfinite(np.take_along_axis(d, order, 1)), order, -1)


def denoised_labels(x: np.ndarray, y: np.ndarray, items: np.ndarray | None,
                    n_classes: int) -> np.ndarray:  # fmt: skip
    """Each row's label after the majority vote with its nearest same-item rows (module doc);
    unchanged without an item column (the labels are then the items)."""
    n = len(y)
    if n < 2:
        return y.copy()
    if items is None:  # labels are the items: every item's rows share its label
        return y.copy()
    nn = np.full((n, NEIGHBOURS), -1, dtype=int)
    for rows in _groups(items).values():  # neighbours among the item's own rows only
        if len(rows) > 1:
            local = _nearest_within(x[rows], x[rows], min(NEIGHBOURS, len(rows) - 1), True)
            nn[rows, : local.shape[1]] = np.where(local >= 0, rows[local], -1)
    votes = np.zeros((n, n_classes))
    votes[np.arange(n), y] += SELF_WEIGHT
    for j in range(nn.shape[1]):
        ok = nn[:, j] >= 0
        np.add.at(votes, (np.flatnonzero(ok), y[nn[ok, j]]), 1.0)
    best = votes.max(axis=1)
    keep = votes[np.arange(n), y] >= best  # ties keep the row's own label
    return np.where(keep, y, votes.argmax(axis=1))


def memoriser_answers(x: np.ndarray, y: np.ndarray, items: np.ndarray | None, x_test: np.ndarray,
                      items_test: np.ndarray | None, covered: np.ndarray) -> np.ndarray:  # fmt: skip
    """Answer per test row of the learner trained on ``(x, y)`` (``y`` already
    :func:`denoised_labels`): the nearest row of the query's item where ``covered``, else the
    nearest row overall; ``items`` None: always the nearest row overall."""
    if items is None:
        return y[_nearest(x_test, x)[:, 0]]
    answer = np.empty(len(x_test), dtype=y.dtype)
    out = np.flatnonzero(~covered)
    if out.size:
        answer[out] = y[_nearest(x_test[out], x)[:, 0]]
    train = _groups(items)
    for item, t_rows in _groups(items_test[covered]).items():
        t_rows = np.flatnonzero(covered)[t_rows]
        rows = train[item]
        answer[t_rows] = y[rows[_nearest_within(x_test[t_rows], x[rows], 1, False)[:, 0]]]
    return answer


def memoriser_outcome(x: np.ndarray, y: np.ndarray, items: np.ndarray | None, x_test: np.ndarray,
                      y_test: np.ndarray, items_test: np.ndarray | None,
                      n_classes: int) -> MemoriserOutcome:  # fmt: skip
    """Accuracy of the memorising learner trained on ``(x, y[, items])`` and its error terms.

    ``items`` None means labels stand in for items (coverage is then label coverage).
    """
    y = np.asarray(y, dtype=int)
    clean = denoised_labels(x, y, items, n_classes)
    if items is None:
        covered = np.isin(y_test, np.unique(y))
    else:
        covered = np.isin(items_test, np.unique(items))
    answer = memoriser_answers(x, clean, items, x_test, items_test, covered)
    right = answer == y_test
    return MemoriserOutcome(
        accuracy=float(right.mean()),
        covered=float(covered.mean()),
        missing=float(np.mean(~covered & ~right)),
        covered_error=float(np.mean(covered & ~right)),
        noise=float(np.mean(clean != y)),
    )
