"""Record types shared by every layer: an estimate with an interval, and JSON helpers."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Estimate:
    """A posterior (or point) estimate: median with a central credible interval.

    ``lower``/``upper`` are the ``(1-level)/2`` and ``(1+level)/2`` quantiles. A point value from
    theory is an ``Estimate`` with ``lower == median == upper`` and ``level = 0``.
    """

    median: float
    lower: float
    upper: float
    level: float = 0.9

    @classmethod
    def point(cls, value: float) -> Estimate:
        return cls(float(value), float(value), float(value), 0.0)

    @classmethod
    def from_samples(cls, samples: Any, level: float = 0.9) -> Estimate:
        s = np.asarray(samples, dtype=float).ravel()
        lo, med, hi = np.quantile(s, [(1 - level) / 2, 0.5, (1 + level) / 2])
        return cls(float(med), float(lo), float(hi), float(level))

    def contains(self, value: float) -> bool:
        return self.lower <= value <= self.upper

    def to_dict(self) -> dict[str, float]:
        return {"median": self.median, "lower": self.lower, "upper": self.upper}

    def __str__(self) -> str:
        if self.level == 0:
            return f"{self.median:.4g}"
        return f"{self.median:.4g} [{self.lower:.4g}, {self.upper:.4g}]"


def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, dataclasses with ``to_dict`` and non-finite floats to JSON."""
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        f = float(obj)
        return f if math.isfinite(f) else None
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def dumps(obj: Any) -> str:
    """One JSON object on one line (what ``--json`` prints)."""
    return json.dumps(to_jsonable(obj), allow_nan=False)
