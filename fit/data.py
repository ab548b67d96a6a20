"""Checking the arrays a fit gets, once, at the boundary.

Files are read by :mod:`mixphase.readers` (CSV/TSV, JSON lines, Parquet, TensorBoard event
folders, W&B exports); :func:`read_curves` is its curve reader, re-exported here for ``fit``.
"""

from __future__ import annotations

import math

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.readers import read_curves

__all__ = ["check_ci", "check_xy", "optional_array", "read_curves"]


def check_xy(x, y=None, *, min_points: int, log_y: bool = True, what: str = "model"):
    """Finite 1-D arrays of equal length, positive x (and y for log models), sorted by x."""
    x = _array("x", x)
    if y is not None:
        y = _array("y", y)
        if y.size != x.size:
            raise MixphaseInputError(f"x and y have different lengths ({x.size} and {y.size})")
        if log_y and np.any(y <= 0):
            raise MixphaseInputError(f"y must be positive for the log-log {what}")
    if np.any(x <= 0):
        raise MixphaseInputError(f"x must be positive for the {what} (it is fitted in log x)")
    if x.size < min_points:
        raise MixphaseInputError(
            f"{x.size} points are too few for the {what}: it needs at least {min_points}"
        )
    if np.unique(x).size < 3:
        raise MixphaseInputError("x needs at least 3 distinct values")
    return x, y


def _array(name: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise MixphaseInputError(f"{name} must be numeric") from None
    if arr.ndim != 1:
        raise MixphaseInputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise MixphaseInputError(f"{name} contains NaN or infinite values")
    return arr


def optional_array(name: str, values, n: int, positive: bool = False) -> np.ndarray | None:
    if values is None:
        return None
    arr = _array(name, values)
    if arr.size != n:
        raise MixphaseInputError(f"{name} has {arr.size} values, x has {n}")
    if positive and np.any(arr <= 0):
        raise MixphaseInputError(f"{name} must be positive")
    if np.any(arr < 0):
        raise MixphaseInputError(f"{name} must be non-negative")
    return arr


def check_ci(ci: float) -> float:
    ci = float(ci)
    if not math.isfinite(ci) or not 0 < ci < 1:
        raise MixphaseInputError(f"ci must lie strictly between 0 and 1, got {ci!r}")
    return ci
