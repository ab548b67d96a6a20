"""Curve families, as plain functions of standardised log coordinates (lmfit style).

- Three-phase (k-breakpoint) curve: piecewise linear in ``u = log x`` / ``v = log y``, continuous,
  with each kink smoothed by a softplus of width ``delta`` (a smoothly broken power law,
  Caballero et al. 2022, "Broken Neural Scaling Laws")::

      v(u) = a + c u + sum_j d_j * delta * softplus((u - b_j) / delta)

  so the log-log slope is ``c`` before ``b_1`` and ``c + d_1 + ... + d_j`` after ``b_j``; the
  function is linear in ``(a, c, d)`` given the breakpoints ``b``. ``delta = 0`` is the hard hinge.
  Softplus is symmetric about its kink (``softplus(z) - z/2`` is even), so smoothing does not
  move the breakpoint.
- Phase transition: a sigmoid in ``log x`` from ``floor`` (small x) to ``ceiling`` (large x)::

      y(u) = floor + (ceiling - floor) * expit((u - u_c) / w)

  linear in ``(floor, ceiling)`` given the critical point ``u_c`` and width ``w``.
- Power law: ``log y = log A + alpha log x`` (a 0-breakpoint curve).
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def smooth_hinge(z: np.ndarray, delta: float) -> np.ndarray:
    """``delta * softplus(z / delta)``; the hinge ``max(z, 0)`` when ``delta == 0``."""
    if delta <= 0:
        return np.maximum(z, 0.0)
    return delta * np.logaddexp(0.0, z / delta)


def breakpoint_design(u: np.ndarray, b: np.ndarray, delta: float) -> np.ndarray:
    """Design matrices ``[1, u, h(u - b_1), ..., h(u - b_k)]`` for a batch of breakpoints.

    ``u``: (n,), ``b``: (G, k) -> (G, n, 2 + k).
    """
    u = np.asarray(u, dtype=float)
    b = np.atleast_2d(np.asarray(b, dtype=float))
    G, k = b.shape
    X = np.empty((G, u.size, 2 + k))
    X[:, :, 0] = 1.0
    X[:, :, 1] = u[None, :]
    for j in range(k):
        X[:, :, 2 + j] = smooth_hinge(u[None, :] - b[:, j : j + 1], delta)
    return X


def phase_slopes(coef: np.ndarray) -> np.ndarray:
    """Slopes of each phase from coefficients ``(a, c, d_1..d_k)``: (M, 2+k) -> (M, k+1)."""
    coef = np.atleast_2d(coef)
    return coef[:, 1:2] + np.concatenate(
        [np.zeros((coef.shape[0], 1)), np.cumsum(coef[:, 2:], axis=1)], axis=1
    )


def transition_design(u: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Design ``[1 - s, s]`` with ``s = expit((u - u_c)/w)``; ``theta``: (G, 2) = (u_c, log w)."""
    theta = np.atleast_2d(theta)
    s = expit((np.asarray(u)[None, :] - theta[:, 0:1]) / np.exp(theta[:, 1:2]))
    return np.stack([1.0 - s, s], axis=-1)


def transition_curve(u, u_c, log_w, floor, ceiling) -> np.ndarray:
    """Sigmoid curve for draws (arrays of shape (M,)) at points ``u`` (n,): (M, n)."""
    s = expit((np.asarray(u)[None, :] - np.asarray(u_c)[:, None]) / np.exp(log_w)[:, None])
    return np.asarray(floor)[:, None] + (np.asarray(ceiling) - np.asarray(floor))[:, None] * s
