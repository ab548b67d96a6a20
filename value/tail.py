"""Zipf exponent of the target and the truncation cutoff of a synthetic part, from item counts.

Items are the knowledge units whose long tail truncation removes (an ``item`` column, or the
labels when there is none). Estimates, documented in ``value/__init__.py``:

- **ranks**: items ordered by their test frequency (ties and items absent from the test set
  after, by training frequency, then id). ``n_items`` = distinct items in test and training.
- **beta**: maximum-likelihood exponent of a discrete Zipf law ``p_r ∝ r^-beta`` on ranks
  ``1..n_items`` given the test counts, searched in ``[1.01, 6]`` (the theory needs beta > 1; a
  flatter target is clamped to 1.01 and flagged).
- **cutoff k** of a synthetic part with ``n`` rows: maximum likelihood under a coverage model.
  If the part were ``n`` draws from the Zipf law truncated at ``k`` (renormalised), rank ``r`` is
  covered with probability ``m_r(k) = 1 - (1 - p'_r(k))^n`` (0 beyond k). The observed covered
  set ``c_r`` scores ``sum_r c_r log m_r + (1 - c_r) log(1 - m_r)`` with ``m_r`` clipped to
  ``[eps, 1 - eps]`` (eps = 1e-3: a few stray rare items, e.g. mislabelled rows, do not force
  ``k`` up to the largest covered rank). ``k`` maximises it over ``1..n_items``. An untruncated
  sample gets ``k = n_items`` (its sparse tail coverage is what finite sampling predicts), a
  generator truncated at ``k`` gets about ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

BETA_BOUNDS = (1.01, 6.0)
COVERAGE_EPS = 1e-3


@dataclass(frozen=True)
class ItemRanks:
    """Rank (1-based) of every item id, the number of items, and the test counts by rank."""

    rank_of: dict
    n_items: int
    test_counts: np.ndarray  # counts of ranks 1..n_items in the test set

    def ranks(self, items: np.ndarray) -> np.ndarray:
        return np.array([self.rank_of[i] for i in np.asarray(items).tolist()], dtype=int)


def item_ranks(item_train: np.ndarray, item_test: np.ndarray) -> ItemRanks:
    ids = np.union1d(np.unique(item_train), np.unique(item_test))
    test_c = {i: 0 for i in ids.tolist()}
    train_c = dict(test_c)
    for i in np.asarray(item_test).tolist():
        test_c[i] += 1
    for i in np.asarray(item_train).tolist():
        train_c[i] += 1
    order = sorted(ids.tolist(), key=lambda i: (-test_c[i], -train_c[i], i))
    rank_of = {i: r + 1 for r, i in enumerate(order)}
    counts = np.array([test_c[i] for i in order], dtype=float)
    return ItemRanks(rank_of, len(order), counts)


def fit_zipf_beta(counts_by_rank: np.ndarray) -> tuple[float, bool]:
    """MLE of beta for ``p_r ∝ r^-beta`` on ranks 1..len(counts); ``(beta, clamped)``."""
    c = np.asarray(counts_by_rank, dtype=float)
    logr = np.log(np.arange(1, c.size + 1, dtype=float))
    total = c.sum()
    if c.size < 2 or total <= 0:
        return BETA_BOUNDS[0], True

    def nll(b: float) -> float:
        logz = np.logaddexp.reduce(-b * logr)
        return float(b * (c @ logr) + total * logz)

    res = minimize_scalar(nll, bounds=BETA_BOUNDS, method="bounded", options={"xatol": 1e-4})
    beta = float(res.x)
    if beta <= BETA_BOUNDS[0] + 1e-3:
        return BETA_BOUNDS[0], True
    if beta >= BETA_BOUNDS[1] - 1e-3:
        return BETA_BOUNDS[1], True
    return beta, False


def fit_cutoff(covered_ranks: np.ndarray, n_rows: int, beta: float, n_items: int) -> int:
    """Maximum-likelihood truncation rank ``k`` of a part with ``n_rows`` rows (see module doc)."""
    covered = np.zeros(n_items, dtype=bool)
    covered[np.asarray(covered_ranks, dtype=int) - 1] = True
    if not covered.any():
        return 1
    w = np.arange(1, n_items + 1, dtype=float) ** (-beta)
    cum = np.cumsum(w)
    ks = np.arange(1, n_items + 1)
    if n_items > 2000:  # log-spaced candidates keep this O(n_items * 200)
        ks = np.unique(np.geomspace(1, n_items, 200).astype(int))
    eps = COVERAGE_EPS
    on = np.arange(n_items)
    lls = []
    step = max(1, 2_000_000 // n_items)  # candidate rows per vectorised chunk (memory bound)
    for lo in range(0, len(ks), step):
        kc = ks[lo : lo + step]
        p = w[None, :] / cum[kc - 1][:, None]
        m = -np.expm1(n_rows * np.log1p(-np.minimum(p, 1 - 1e-12)))
        m = np.clip(np.where(on[None, :] < kc[:, None], m, 0.0), eps, 1 - eps)
        lls.append(np.sum(np.where(covered[None, :], np.log(m), np.log1p(-m)), axis=1))
    best_k, best_ll = n_items, -np.inf
    for k, ll in zip(ks.tolist(), np.concatenate(lls).tolist(), strict=True):
        if ll > best_ll + 1e-9:  # first k within 1e-9 of the running best wins (as before)
            best_k, best_ll = int(k), ll
    return best_k
