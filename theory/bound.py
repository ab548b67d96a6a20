"""Generalisation bound of a real-synthetic mixture, term by term.

Structure after Wang et al. (2025), Thm 1 (constants not recovered; close to DAVINZ, Wu et al.,
ICML 2022). With probability ``1 - delta``, for a training set ``S`` with real share ``w``:

    test loss <= w*L_real + (1-w)*L_syn                         (weighted empirical losses)
               + w*MMD(real, test) + (1-w)*MMD(syn, test)      (distribution shift)
               + C * sqrt(yhat^T Theta0^{-1} yhat / |S|)       (NTK complexity at init)
               + sqrt(2*max(w, 1-w)*log(8/delta) / |S|)        (finite sample)
               + truncation                                     (tail not covered; ours)

**Truncation term [ours; derived under the memorisation model]** (docs/theory.md §2.3): the
*excess tail mass*

    T(n) = sum_{i>k} p_i [(1 - pi*p_i)^n - (1 - p_i)^n]        (:func:`truncation_term`)

-- the real test mass beyond the cutoff ``k`` that a memorising learner on ``n`` draws from the
mixture has not seen but one on ``n`` real draws has. Beyond ``k`` the mixture is ``q_i =
pi*p_i <= p_i``, so every summand is ``>= 0`` and does not depend on ``k``: ``T >= 0`` by
construction, non-increasing in ``k`` (a lower cutoff adds summands), 0 at ``pi = 1`` or
``k = n_items``, at most the tail mass ``sum_{i>k} p_i``, and 0 again as ``n -> inf``.

*Unit.* ``T`` is a 0-1 missing mass: the probability that a real test query falls on a tail
item the mixture's learner lacks, i.e. an additive increase of the **0-1 error** (an error
probability). Added to a loss bound it is in the loss's units only for a loss bounded by 1 (0-1
loss, 1 - accuracy); for a loss bounded by ``L_max`` multiply it by ``L_max``; for an unbounded
loss (cross-entropy) it is a penalty, not a bound term.

The signed quantity mixphase used before (issue #16), ``err_q(n) - err_p(n)`` over *all* items
(:func:`signed_error_gap`), equals ``T(n)`` plus a head part ``sum_{i<=k} p_i [(1-q_i)^n -
(1-p_i)^n]`` that is ``<= 0`` (the mixture sees its head faster). It is negative at small
``n`` (-0.022 at n = 1, beta 2, k 10, pi 0.1) and falls as ``k`` falls at ``n <= 100``, so it is
no truncation penalty; it is kept only for comparison.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.mixture import (
    check_real_share,
    expected_error,
    mixture_distribution,
)
from mixphase.theory.truncation import DEFAULT_N_ITEMS, Truncation, check_beta, zipf_pmf


@dataclass(frozen=True)
class BoundTerms:
    """Each term of the mixture bound; ``total`` is their sum."""

    empirical: float
    mmd: float
    complexity: float
    finite_sample: float
    truncation: float = 0.0

    @property
    def total(self) -> float:
        return self.empirical + self.mmd + self.complexity + self.finite_sample + self.truncation

    def to_dict(self) -> dict[str, float]:
        return {**asdict(self), "total": self.total}


def mixture_bound(
    real_share: float,
    loss_real: float,
    loss_synthetic: float,
    mmd_real: float,
    mmd_synthetic: float,
    ntk_quadratic: float,
    n: int,
    delta: float = 0.05,
    complexity_scale: float = 1.0,
    truncation: float = 0.0,
) -> BoundTerms:
    """Evaluate the bound above; ``ntk_quadratic = yhat^T Theta0^{-1} yhat``."""
    w = float(real_share)
    if not 0 <= w <= 1:
        raise MixphaseInputError(f"real share must lie in [0, 1], got {w}")
    if n < 1 or not 0 < delta < 1 or ntk_quadratic < 0:
        raise MixphaseInputError("need n >= 1, 0 < delta < 1 and a non-negative NTK quadratic form")
    return BoundTerms(
        empirical=w * loss_real + (1 - w) * loss_synthetic,
        mmd=w * mmd_real + (1 - w) * mmd_synthetic,
        complexity=complexity_scale * float(np.sqrt(ntk_quadratic / n)),
        finite_sample=float(np.sqrt(2 * max(w, 1 - w) * np.log(8 / delta) / n)),
        truncation=float(truncation),
    )


def mmd_multi_kernel(x, y, bandwidths=None) -> float:
    """Biased (V-statistic) MMD with a sum of Gaussian kernels, ``sqrt(max(MMD^2, 0))``.

    ``k(a, b) = sum_s exp(-|a-b|^2 / (2 s^2))``; default bandwidths: the median pairwise distance
    of the pooled sample times (0.5, 1, 2) (median heuristic, Gretton et al. 2012).
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.atleast_2d(np.asarray(y, dtype=float))
    if x.shape[1] != y.shape[1]:
        raise MixphaseInputError("both samples need the same number of features")
    z = np.vstack([x, y])
    sq = np.sum(z**2, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * z @ z.T, 0.0)
    if bandwidths is None:
        med = np.sqrt(np.median(d2[np.triu_indices_from(d2, k=1)])) or 1.0
        bandwidths = (0.5 * med, med, 2 * med)
    k = sum(np.exp(-d2 / (2 * s**2)) for s in bandwidths)
    nx = x.shape[0]
    kxx, kyy, kxy = k[:nx, :nx], k[nx:, nx:], k[:nx, nx:]
    return float(np.sqrt(max(kxx.mean() + kyy.mean() - 2 * kxy.mean(), 0.0)))


def ntk_quadratic_form(gram, residual, ridge: float = 1e-6) -> float:
    """``yhat^T (Theta0 + ridge*tr(Theta0)/n * I)^{-1} yhat`` by Cholesky (O(n^3): use on blocks)."""
    g = np.asarray(gram, dtype=float)
    r = np.asarray(residual, dtype=float).ravel()
    n = g.shape[0]
    reg = ridge * max(np.trace(g) / n, 1e-12)
    c = np.linalg.cholesky(g + reg * np.eye(n))
    z = np.linalg.solve(c, r)
    return float(z @ z)


def excess_tail_mass(p: np.ndarray, cutoff: int, real_share: float, sizes) -> np.ndarray:
    """``T(n) = sum_{i>k} p_i [(1 - pi*p_i)^n - (1 - p_i)^n]`` for each ``n`` in ``sizes``.

    ``p`` is the real law on ranks ``1..n_items`` (index 0 is rank 1), ``cutoff`` = ``k``,
    ``real_share`` = ``pi`` in ``[0, 1]``. A 0-1 missing mass, ``>= 0`` (module docstring).
    """
    pi = float(real_share)
    if not np.isfinite(pi) or not 0 <= pi <= 1:
        raise MixphaseInputError(f"real share must lie in [0, 1], got {real_share!r}")
    s = np.atleast_1d(np.asarray(sizes, dtype=float))
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise MixphaseInputError("data sizes must be finite and non-negative")
    tail = np.asarray(p, dtype=float)[int(cutoff) :]
    if tail.size == 0 or pi == 1:
        return np.zeros_like(s)
    lq, lp = np.log1p(-pi * tail), np.log1p(-np.minimum(tail, 1.0))
    out = np.empty_like(s)
    with np.errstate(divide="ignore"):
        for j, n in enumerate(s):
            # (1 - pi p_i)^n - (1 - p_i)^n = (1 - pi p_i)^n * (1 - exp(n [log(1-p_i) - log(1-pi p_i)]))
            # with both factors in [0, 1]: no overflow, no cancellation
            term = tail * np.exp(n * lq) * -np.expm1(n * (lp - lq)) if n > 0 else 0 * tail
            # summed sequentially from the last rank: a lower k only appends non-negative terms,
            # so T is non-increasing in k exactly, rounding included
            out[j] = np.cumsum(term[::-1])[-1]
    return out


def truncation_term(
    beta: float,
    truncation: Truncation,
    real_share: float,
    n: int,
    n_items: int = DEFAULT_N_ITEMS,
) -> float:
    """The bound's truncation term: excess tail mass ``T(n)`` beyond the cutoff ``k`` that
    ``truncation`` implies (a 0-1 missing mass; module docstring). ``real_share`` in [0, 1]."""
    beta = check_beta(beta)
    p = zipf_pmf(beta, n_items)
    k = truncation.cutoff_rank(beta, n_items)
    return float(excess_tail_mass(p, k, real_share, [n])[0])


def signed_error_gap(
    beta: float,
    truncation: Truncation,
    real_share: float,
    n: int,
    n_items: int = DEFAULT_N_ITEMS,
) -> float:
    """``err_q(n) - err_p(n)`` over all items: signed, *not* a truncation penalty (it is negative
    where the mixture learns its head faster; module docstring). Kept for comparison."""
    p, q = mixture_distribution(beta, truncation, check_real_share(real_share), n_items)
    return float(expected_error(p, q, [n])[0] - expected_error(p, p, [n])[0])
