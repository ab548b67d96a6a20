"""Generalisation bound of a real-synthetic mixture, term by term.

Structure after Wang et al. (2025), Thm 1 (constants not recovered; close to DAVINZ, Wu et al.,
ICML 2022). With probability ``1 - delta``, for a training set ``S`` with real share ``w``:

    test loss <= w*L_real + (1-w)*L_syn                         (weighted empirical losses)
               + w*MMD(real, test) + (1-w)*MMD(syn, test)      (distribution shift)
               + C * sqrt(yhat^T Theta0^{-1} yhat / |S|)       (NTK complexity at init)
               + sqrt(2*max(w, 1-w)*log(8/delta) / |S|)        (finite sample)
               + truncation                                     (tail not covered; ours)

The truncation term is mixphase's explicit addition (**derived here**, docs/theory.md §2.3): the
expected test mass of items the memorising learner has not seen,
``sum_i p_i (1-q_i)^|S|`` from :func:`mixphase.theory.mixture.expected_error`, minus the same for
an untruncated set of equal size, i.e. the excess missing mass caused by truncation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.mixture import expected_error, mixture_distribution
from mixphase.theory.truncation import DEFAULT_N_ITEMS, Truncation


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


def truncation_term(
    beta: float,
    truncation: Truncation,
    real_share: float,
    n: int,
    n_items: int = DEFAULT_N_ITEMS,
) -> float:
    """Excess missing mass from truncation: ``err_q(n) - err_p(n)`` (see module docstring)."""
    p, q = mixture_distribution(beta, truncation, real_share, n_items)
    return float(expected_error(p, q, [n])[0] - expected_error(p, p, [n])[0])
