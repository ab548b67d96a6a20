"""Small input checks for the public theory functions (raise MixphaseInputError)."""

from __future__ import annotations

import numpy as np

from mixphase.errors import MixphaseInputError


def positive(name: str, value, allow_array: bool = True) -> np.ndarray | float:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise MixphaseInputError(f"{name} must be positive and finite, got {value!r}")
    return arr if (allow_array and arr.ndim) else float(arr)


def in_open_unit(name: str, value) -> np.ndarray | float:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0) or np.any(arr >= 1):
        raise MixphaseInputError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return arr if arr.ndim else float(arr)


def in_unit(name: str, value, *, closed_low: bool = False, closed_high: bool = True) -> float:
    v = float(value)
    lo_ok = v >= 0 if closed_low else v > 0
    hi_ok = v <= 1 if closed_high else v < 1
    if not np.isfinite(v) or not (lo_ok and hi_ok):
        lo = "[0" if closed_low else "(0"
        hi = "1]" if closed_high else "1)"
        raise MixphaseInputError(f"{name} must lie in {lo}, {hi}, got {value!r}")
    return v
