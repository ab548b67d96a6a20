"""Likelihood of accuracy counts around a phase transition, with clustered answers and seed scatter.

A run scores ``n`` answers and gets ``k`` right; the expected accuracy at ``u = ln x`` is the
sigmoid of :mod:`mixphase.fit.families`::

    mu(u) = floor + (ceiling - floor) * s,    s = expit((u - u_c) / w).

Two sources of noise beyond independent answers [ours; standard survey and random-effects
statistics]:

- **Clustered answers** (design effect ``d``, Kish 1965). The answers of one run come in clusters
  (the 5 attributes of one person are learned together or not); with intra-cluster correlation
  ``icc`` and ``m`` answers per cluster, ``d = 1 + (m - 1) icc``, and the counts carry the
  information of ``k/d`` successes in ``n/d`` independent trials. ``d = m`` counts people, not
  answers, as the independent units.
- **Seed scatter** (``tau``). Runs that differ only in their seeds place the transition at
  different points: each run's critical point is ``u_c + b`` with ``b ~ N(0, tau^2)`` (``tau`` = sd
  of ``ln x_c`` between runs). The run's own accuracy ``p`` then has mean ``mu(u)`` and, by the delta
  method, variance ``v = (d mu / du)^2 tau^2 = ((ceiling - floor) s (1 - s) / w)^2 tau^2``, largest at
  the transition and vanishing on the plateaus. ``p`` is taken to be Beta-distributed with that mean
  and variance (a beta matches a logit-normal's first two moments), so the count is beta-binomial
  with intra-class correlation ``rho = v / (mu (1 - mu))`` (capped at :data:`RHO_MAX`).

``tau = 0`` and ``d = 1`` give the plain binomial likelihood. Counts may be fractional (``k/d``):
every log-pmf uses ``gammaln``, the continuous extension of the binomial coefficients.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, gammaln

#: Largest intra-class correlation of the beta-binomial (a run is never fully all-or-nothing).
RHO_MAX = 0.95
#: Where the beta-binomial inflates the binomial variance by less than this factor,
#: ``(n - 1) rho < INFLATION_MIN``, the binomial is used (equal to within 0.1% in variance).
INFLATION_MIN = 1e-3
_EPS = 1e-12


def log_choose(n, k) -> np.ndarray:
    """``ln C(n, k)`` for real ``0 <= k <= n`` (gamma functions)."""
    n, k = np.asarray(n, float), np.asarray(k, float)
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def binomial_logpmf(k, n, p) -> np.ndarray:
    """``ln Binomial(k | n, p)``, broadcasting; ``p`` clipped to ``[1e-12, 1 - 1e-12]``."""
    p = np.clip(p, _EPS, 1 - _EPS)
    return log_choose(n, k) + k * np.log(p) + (n - k) * np.log1p(-p)


def beta_binomial_logpmf(k, n, p, rho) -> np.ndarray:
    """``ln BetaBinomial(k | n, a, b)`` with mean ``p`` and intra-class correlation ``rho``.

    ``a = p (1/rho - 1)``, ``b = (1 - p)(1/rho - 1)``; ``Var(k) = n p (1-p) (1 + (n-1) rho)``.
    Where ``(n - 1) rho < INFLATION_MIN`` the binomial is returned (the limit ``rho -> 0``).
    """
    k, n, p, rho = np.broadcast_arrays(*(np.asarray(v, float) for v in (k, n, p, rho)))
    return log_choose(n, k) + _log_ratio(k, n, p, rho)


def _log_ratio(k, n, p, rho) -> np.ndarray:
    """``ln BetaBinomial - ln C(n, k)`` (the part that depends on the parameters)."""
    p = np.clip(p, _EPS, 1 - _EPS)
    out = k * np.log(p) + (n - k) * np.log1p(-p)
    m = (n - 1) * rho >= INFLATION_MIN
    if np.any(m):
        km, nm, pm = k[m], n[m], p[m]
        c = 1.0 / np.minimum(rho[m], RHO_MAX) - 1.0
        a, b = pm * c, (1 - pm) * c
        out[m] = (gammaln(km + a) + gammaln(nm - km + b) - gammaln(nm + c)
                  - gammaln(a) - gammaln(b) + gammaln(c))  # fmt: skip
    return out


def transition_mean(u, u_c, log_w, floor, ceiling) -> tuple[np.ndarray, np.ndarray]:
    """``(mu, dmu/du)`` of the sigmoid at ``u`` (all arguments broadcast)."""
    w = np.exp(log_w)
    s = expit((np.asarray(u, float) - u_c) / w)
    amp = np.asarray(ceiling, float) - np.asarray(floor, float)
    return floor + amp * s, amp * s * (1 - s) / w


def scatter_rho(mu, slope, tau) -> np.ndarray:
    """Intra-class correlation of a run's count from seed scatter ``tau`` (see module doc)."""
    mu = np.clip(mu, _EPS, 1 - _EPS)
    return np.minimum((np.asarray(slope) * tau) ** 2 / (mu * (1 - mu)), RHO_MAX)


def transition_loglik(u, correct, total, u_c, log_w, floor, ceiling, tau: float = 0.0,
                      design_effect: float = 1.0) -> np.ndarray:  # fmt: skip
    """Log likelihood of counts at points ``u`` (n,) for parameter arrays (G,): shape (G,).

    ``correct``/``total`` are answer counts; they are divided by ``design_effect`` (clustered
    answers) and each run is beta-binomial with the seed scatter ``tau`` (module doc). Summed over
    points; parameters broadcast as columns (``u_c[:, None]``...).
    """
    u = np.asarray(u, float)[None, :]
    k = np.asarray(correct, float)[None, :] / design_effect
    n = np.asarray(total, float)[None, :] / design_effect
    cols = [np.asarray(a, float).reshape(-1, 1) for a in (u_c, log_w, floor, ceiling)]
    mu, slope = transition_mean(u, *cols)
    const = float(log_choose(n, k).sum())
    if tau > 0:
        rho = scatter_rho(mu, slope, tau)
        kb, nb, rb = np.broadcast_arrays(k, n, rho)
        return const + _log_ratio(kb, nb, mu, rb).sum(-1)
    p = np.clip(mu, _EPS, 1 - _EPS)
    return const + (k * np.log(p) + (n - k) * np.log1p(-p)).sum(-1)


__all__ = [
    "RHO_MAX",
    "beta_binomial_logpmf",
    "binomial_logpmf",
    "log_choose",
    "scatter_rho",
    "transition_loglik",
    "transition_mean",
]
