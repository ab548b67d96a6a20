"""Expected exact-match accuracy: the knapsack's learned fraction with a ramp of measurable width.

In the knapsack model (:class:`~mixphase.theory.knapsack.KnapsackModel`) memorisation rises from
0 to 1 over a range of ratios set only by the knowledge set's bits; measured transitions are
logistic in ``ln r`` with a width ``w ~ 0.15-0.25`` (10-90% over ~2.5x in ``r``). The accuracy
model [ours] lets each fact's value per bit vary log-logistically around the model's (scale ``w``
in ln odds), which convolves the learned fraction ``phi`` with a logistic density in
``x = ln(r/(1-r))`` at the run's own exposures:

    A(x) = ∫ phi(x - u) dLogistic(u; 0, w) = ∫_0^1 F((x - y(f)) / w) df

(integration by parts; ``F`` the logistic CDF, ``y(f) = ln critical_odds(N, f)`` the log odds at
which the fraction ``f`` is learned). ``y`` is taken piecewise linear in ``f`` between
``LEVELS + 1`` equally spaced levels; on each piece the integral is exact:
``∫ F((x - y)/w) df = Δf * w * (g((x - y_k)/w) - g((x - y_k+1)/w)) / (y_k+1 - y_k)`` with
``g = softplus``. As ``w -> 0`` this tends to ``phi`` (interpolated between the levels; exactly
``phi`` at ``w = 0``), tested.

A run's seed shifts its transition by ``delta ~ N(0, sigma^2)`` in ln odds (``shift``);
:func:`seed_averaged_accuracy` integrates it out (Gauss-Hermite).
"""

from __future__ import annotations

import numpy as np

from mixphase.theory.knapsack import KnapsackModel, from_ln_odds

#: Pieces of the linear interpolation of ``y(f)``.
LEVELS = 16
#: Where a level cannot be reached (the web would keep no parameters): a log odds beyond reach.
_UNREACHABLE = 1e3


def level_log_odds(model: KnapsackModel, n_params, ratio) -> np.ndarray:
    """``y_k = ln critical_odds(N, k/LEVELS)`` at the exposures of ``ratio``, stacked on axis 0."""
    out = []
    for f in np.linspace(0.0, 1.0, LEVELS + 1):
        q = model.critical_odds(n_params, f, ratio)
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.log(q)
        out.append(np.where(np.isfinite(y), y, _UNREACHABLE))
    return np.stack(np.broadcast_arrays(*out))


def accuracy_from_levels(x, levels: np.ndarray, width, shift=0.0) -> np.ndarray:
    """``A(x + shift)`` from :func:`level_log_odds` (see the module docstring)."""
    x = np.asarray(x, dtype=float) + shift
    w = np.asarray(width, dtype=float)
    shape = np.broadcast_shapes(levels.shape[1:], x.shape, w.shape)
    pad = (1,) * (len(shape) - (levels.ndim - 1))
    levels = np.broadcast_to(levels.reshape(levels.shape[:1] + pad + levels.shape[1:]),
                             levels.shape[:1] + shape)  # fmt: skip
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        g = w * np.logaddexp(0.0, (x - levels) / w)  # w * softplus at every level
        dy = levels[1:] - levels[:-1]
        piece = (g[:-1] - g[1:]) / dy
        flat = 0.5 * (1 + np.tanh(0.5 * (x - levels[:-1]) / w))  # F((x - y_k)/w) when dy -> 0
        total = np.where(np.abs(dy) > 1e-9 * np.maximum(w, 1e-300), piece, flat).mean(axis=0)
    return np.clip(total, 0.0, 1.0)


def accuracy(model: KnapsackModel, n_params, ratio, width, shift=0.0) -> np.ndarray:
    """Expected exact-match accuracy at ``(N, r)`` (training length: ``model.training_tokens``).

    ``width``: the logistic ramp's scale ``w`` in ln odds (0: the learned fraction itself);
    ``shift``: a run's seed effect in ln odds (positive = learns earlier).
    """
    r = np.asarray(ratio, dtype=float)
    w = np.asarray(width, dtype=float)
    if np.all(w == 0) and np.all(np.asarray(shift) == 0):
        return np.asarray(model.learned_fraction(n_params, r), dtype=float)
    x = np.log(r / (1 - r))
    return accuracy_from_levels(x, level_log_odds(model, n_params, r), np.maximum(w, 1e-12), shift)


#: Gauss-Hermite nodes (probabilists') for a normal seed effect: 5 points, error < 1e-3 in the
#: accuracy while sigma <= w (~0.02 at sigma = 3 w).
_GH = np.polynomial.hermite_e.hermegauss(5)
GH_NODES, GH_WEIGHTS = _GH[0], _GH[1] / _GH[1].sum()


def seed_averaged_accuracy(model, n_params, ratio, width, seed_sd) -> np.ndarray:
    """``E_delta[A(x + delta)]``, ``delta ~ N(0, seed_sd^2)``: what runs average to."""
    r = np.asarray(ratio, dtype=float)
    x = np.log(r / (1 - r))
    levels = level_log_odds(model, n_params, r)
    w = np.maximum(np.asarray(width, dtype=float), 1e-12)
    return sum(wg * accuracy_from_levels(x, levels, w, np.asarray(seed_sd) * z)
               for z, wg in zip(GH_NODES, GH_WEIGHTS, strict=True))  # fmt: skip


def ratio_at_accuracy(model: KnapsackModel, n_params, level: float, width, shift=0.0):
    """The ratio at which the expected accuracy reaches ``level`` (e.g. 0.5: the sweep's 50%
    point). The root in ln odds (accuracy rises with ``r``) inside the bracket the levels set
    (``y_0 - 20 w``, ``y_LEVELS + 20 w``), by the Illinois variant of regula falsi; at full
    training the levels do not depend on ``r`` and are computed once. NaN where the accuracy
    never reaches ``level``."""
    n = np.asarray(n_params, dtype=float)
    w = np.maximum(np.asarray(width, dtype=float), 1e-12)
    fixed = level_log_odds(model, n, None) if model.training_tokens is None else None

    def f(x):
        levels = fixed if fixed is not None else level_log_odds(model, n, from_ln_odds(x))
        return accuracy_from_levels(x, levels, w, shift) - level

    ref = fixed if fixed is not None else level_log_odds(model, n, None)
    top_level = np.where(ref[-1] < _UNREACHABLE, ref[-1], ref[0] + 50.0)
    span = 20 * w + np.abs(shift)
    a = np.clip(ref[0] - span - 5.0, -40.0, 40.0)  # finite training only raises the levels
    b = np.clip(top_level + span + (5.0 if fixed is not None else 40.0), -40.0, 40.0)
    a, b = (v.copy() for v in np.broadcast_arrays(a, b))
    fa, fb = f(a), f(b)
    ok = (fa <= 0) & (fb >= 0)
    side = np.zeros(a.shape)
    x = a
    for _ in range(40):
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.where(fb != fa, b - fb * (b - a) / (fb - fa), 0.5 * (a + b))
        x = np.where(np.isfinite(x) & (x > np.minimum(a, b)) & (x < np.maximum(a, b)), x,
                     0.5 * (a + b))  # fmt: skip
        fx = f(x)
        right = fx > 0  # the root lies left of x: x replaces b
        fa = np.where(right & (side == 1), fa / 2, fa)  # Illinois: halve the stale end
        fb = np.where(~right & (side == -1), fb / 2, fb)
        a, fa = np.where(right, a, x), np.where(right, fa, fx)
        b, fb = np.where(right, x, b), np.where(right, fx, fb)
        side = np.where(right, 1, -1)
        if np.all(np.abs(b - a) < 1e-9) or np.all(np.abs(fx) < 1e-10):
            break
    return np.where(ok, from_ln_odds(x), np.nan)


__all__ = [
    "GH_NODES",
    "GH_WEIGHTS",
    "LEVELS",
    "accuracy",
    "accuracy_from_levels",
    "level_log_odds",
    "ratio_at_accuracy",
    "seed_averaged_accuracy",
]
