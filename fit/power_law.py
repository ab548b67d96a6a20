"""Power law of critical points, ``y = A x^alpha`` (e.g. critical ratio vs. model size).

Each point's own uncertainty is propagated: with ``y_lower``/``y_upper`` (an ``interval_level``
interval per point, e.g. a fitted critical point's 90% interval) the point's standard error on
``ln y`` is ``(ln y_upper - ln y_lower) / (2 z)``, ``z`` the normal quantile of the level. An extra
scatter ``sigma ~ HalfNormal(sd(ln y))`` is added in quadrature (runs vary beyond their own
intervals). ``(ln A, alpha)`` have Gaussian priors (``alpha ~ N(0, (5 sd(ln y)/sd(ln x))^2)``) and
are marginalised exactly; the posterior of ``sigma`` is exact on a grid
(:mod:`mixphase.fit._linear`), so the result is exact, with no sampling diagnostics to fail (its diagnostics are the grid's:
:mod:`mixphase.fit.diagnostics`).
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.stats import norm

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
from mixphase.fit import diagnostics
from mixphase.fit.data import check_ci, check_xy, optional_array
from mixphase.fit.results import PowerLawFit
from mixphase.records import Estimate


def fit_power_law(x, y, y_lower=None, y_upper=None, ci: float = 0.9, seed: int = 0,
                  predicted_exponent: float | None = None, *, interval_level: float = 0.9,
                  n_draws: int = 4000) -> PowerLawFit:  # fmt: skip
    """Fit ``y = A x^alpha`` in log-log space; compare ``alpha`` with ``predicted_exponent``."""
    ci = check_ci(ci)
    interval_level = check_ci(interval_level)
    x, y = check_xy(x, y, min_points=3, what="power law")
    lower = optional_array("y_lower", y_lower, x.size, positive=True)
    upper = optional_array("y_upper", y_upper, x.size, positive=True)
    if (lower is None) != (upper is None):
        raise MixphaseInputError("give both y_lower and y_upper, or neither")
    if lower is not None and (np.any(lower > y) or np.any(upper < y)):
        raise MixphaseInputError("each point needs y_lower <= y <= y_upper")
    if predicted_exponent is not None and not np.isfinite(predicted_exponent):
        raise MixphaseInputError("predicted_exponent must be finite")
    t0 = time.perf_counter()
    lx, ly = np.log(x), np.log(y)
    su, sv = lin.Standardiser.of(lx), lin.Standardiser.of(ly)
    u, v = su.to(lx), sv.to(ly)
    e = None
    if lower is not None:
        z = norm.ppf((1 + interval_level) / 2)
        e = (np.log(upper) - np.log(lower)) / (2 * z) / sv.scale
        e = np.maximum(e, 1e-6)
    X = np.stack([np.ones_like(u), u], axis=-1)[None]
    tau = np.array([10.0, 5.0])

    def logpost(pts, sigma):
        return (lin.log_marginal(X, v, tau, sigma, e)
                + lin.log_sigma_prior(sigma, 1.0)[None, :])  # fmt: skip

    post = lin.grid_posterior(logpost, [], [], (1, 1), n_sigma=(200, 100))
    rng = np.random.default_rng(seed)
    _, s = post.draw(n_draws, rng)
    coef = lin.sample_coefficients(np.repeat(X, n_draws, 0), v, tau, s, e, rng)
    alpha = coef[:, 1] * sv.scale / su.scale
    log_a = sv.center + sv.scale * coef[:, 0] - alpha * su.center
    warnings = []
    if x.size < 4:
        warnings.append(f"only {x.size} points: the exponent rests mostly on the prior's width")
    prob_above = None
    if predicted_exponent is not None:
        prob_above = float(np.mean(alpha > predicted_exponent))
    return PowerLawFit(
        exponent=Estimate.from_samples(alpha, ci),
        prefactor=Estimate.from_samples(_prefactor(log_a), ci),
        scatter=Estimate.from_samples(s * sv.scale, ci),
        predicted_exponent=None if predicted_exponent is None else float(predicted_exponent),
        diagnostics=diagnostics.grid(
            post, [], log_evidence=post.log_evidence - x.size * math.log(sv.scale)
        ),
        warnings=warnings,
        ci=ci,
        n_points=int(x.size),
        prob_above_predicted=prob_above,
        seconds=time.perf_counter() - t0,
        draws={"exponent": alpha, "log_prefactor": log_a, "scatter": s * sv.scale},
        data={"x": x, "y": y, "y_lower": lower, "y_upper": upper},
    )


def _prefactor(log_a: np.ndarray) -> np.ndarray:
    """``A = exp(ln A)``, refused (not inf or 0) when it lies outside float64's range."""
    worst = float(np.max(np.abs(log_a)))
    if worst > LOG_FLOAT_MAX:
        raise MixphaseInputError(
            f"the prefactor A = exp({float(np.median(log_a)):.4g}) lies outside the floating-point "
            "range; rescale x or y (e.g. divide x by its typical value)"
        )
    return np.exp(log_a)


LOG_FLOAT_MAX = 700.0  # exp() of more overflows float64 (and of less than -700 loses precision)
