"""Threshold popularity: Algorithm 1 of Gu et al. (2025), robust to noisy heads, with bootstrap.

**Algorithm 1** (docs/theory.md §1.5). Inputs: popularities ``x``, correctness ``y`` in {0,1}, a
target accuracy ``target`` (paper: 0.6 on PopQA, 0.8 on SynBio) and a fault tolerance ``n_fail``
(paper: 5). Sort the items by popularity, most popular first (ties: stable input order); at item
``i`` let ``acc_i`` be the accuracy of items ``0..i`` (all items at least as popular).

- ``method="published"`` [paper, the walk as we read the partly garbled pseudocode]: every item
  with ``acc_i < target`` counts one failure; at the ``n_fail``-th failure return that item's
  popularity; if it never comes, the smallest popularity.
- ``method="last-crossing"`` (default) [ours]: the same walk, but failures count only *after the
  last item with* ``acc_i >= target`` -- a burn-in that the data choose. So the ``n_fail``-th
  item after the last crossing is returned (the smallest popularity if the accuracy never
  crosses, or crosses back fewer than ``n_fail`` items before the end; item ``n_fail - 1`` if it
  is below the target from the start).

Why. The running accuracy of the first few items is volatile: with head accuracy 0.8 a miss
among the first items puts ``acc_i`` under a 0.6 target at once, and ``n_fail = 5`` such items
end the published walk in the head. Planted test (600 items, 80% correct above rank 300, 10%
below, target 0.6, n_fail 5; crossing of the expected running accuracy at rank 420): the
published walk lands within 15% of the crossing in 89% of 1000 seeds (the rest return ranks
~4-20), the last crossing in 100%; at head accuracy 0.7 (crossing 359): 60% vs 99.6%. A fixed
burn-in of 60 items gets 99.9% / 92.4%; ``n_fail`` consecutive failures 93% / 68%
(``benchmarks/algorithm1_noisy_head.py``). In the figure-4 setting with such answers (stored
facts right 80% of the time, others 10%) the log-log slope of the threshold in model size has a
90% spread over seeds of [-2.23, +0.65] with the published walk and [-1.38, -1.27] with the last
crossing (allocation: -1.283). Whenever all of the published walk's failures come
after the last crossing (a clean head), both methods return the same item.

**Uncertainty [ours].** :func:`threshold_interval` resamples the items with replacement
(nonparametric bootstrap, seeded) and reruns the walk; :func:`threshold_slope` does so per
model size and refits the log-log slope of the threshold against model size (ordinary least
squares), which is what ``mixphase predict threshold-popularity --size-col`` and figure 4
report. Both are percentile intervals of item-resampling noise; when facts share popularities in
groups the threshold moves in group steps, a coarseness the interval does not include.

The estimate is scale-free: for power-law popularities a sharp capacity threshold moves the
returned value by a constant factor, so its log-log slope in model size is the threshold's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.records import Estimate

#: Walks of Algorithm 1 (module docstring); the first is the default.
METHODS = ("last-crossing", "published")


def _check(popularity, correct, target: float, n_fail: int, method: str):
    x = np.asarray(popularity, dtype=float).ravel()
    y = np.asarray(correct, dtype=float).ravel()
    if x.size == 0 or x.size != y.size:
        raise MixphaseInputError("popularity and correct must be non-empty and of equal length")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise MixphaseInputError("popularities must be positive and finite")
    if not np.all((y == 0) | (y == 1)):
        raise MixphaseInputError("correct must hold only 0/1 values")
    if not np.isfinite(target) or not 0 < target <= 1:
        raise MixphaseInputError(f"target accuracy must lie in (0, 1], got {target}")
    if int(n_fail) != n_fail or n_fail < 1:
        raise MixphaseInputError(f"n_fail must be a positive integer, got {n_fail}")
    if method not in METHODS:
        raise MixphaseInputError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    order = np.argsort(-x, kind="stable")
    return x[order], y[order]


def _walk(ys: np.ndarray, target: float, n_fail: int, method: str) -> int:
    """Index (in popularity order) at which the walk stops (module docstring)."""
    n = ys.size
    below = np.cumsum(ys) < target * np.arange(1, n + 1)  # acc_i < target, without division
    if method == "last-crossing":
        above = np.flatnonzero(~below)
        start = int(above[-1]) + 1 if above.size else 0  # failures count from here
        stop = start + int(n_fail) - 1
        return stop if stop < n else n - 1
    hit = np.flatnonzero(np.cumsum(below) >= n_fail)
    return int(hit[0]) if hit.size else n - 1


def threshold_popularity(
    popularity, correct, target: float = 0.8, n_fail: int = 5, method: str = "last-crossing"
) -> float:
    """Algorithm 1: the popularity below which accuracy falls under ``target`` (module doc)."""
    xs, ys = _check(popularity, correct, target, n_fail, method)
    return float(xs[_walk(ys, target, n_fail, method)])


def _bootstrap(xs, ys, target, n_fail, method, n_boot: int, rng) -> np.ndarray:
    """``n_boot`` thresholds of item resamples (sorted input: a resample stays sorted)."""
    n = xs.size
    out = np.empty(int(n_boot))
    for b in range(int(n_boot)):
        idx = np.repeat(np.arange(n), rng.multinomial(n, np.full(n, 1.0 / n)))
        out[b] = xs[idx[_walk(ys[idx], target, n_fail, method)]]
    return out


def _check_boot(n_boot: int, level: float, minimum: int = 1) -> None:
    if int(n_boot) != n_boot or n_boot < minimum:
        raise MixphaseInputError(f"bootstrap replicates must be an integer >= {minimum}, "
                                 f"got {n_boot!r}")  # fmt: skip
    if not 0 < level < 1:
        raise MixphaseInputError(f"interval level must lie in (0, 1), got {level!r}")


@dataclass(frozen=True)
class ThresholdResult:
    """The threshold popularity Algorithm 1 found, with its settings and bootstrap interval."""

    threshold_popularity: float
    target: float
    n_fail: int
    n_items: int
    method: str = "last-crossing"
    interval: Estimate | None = None  # bootstrap percentile interval (median = bootstrap median)
    n_boot: int = 0
    seed: int | None = None

    def to_dict(self) -> dict:
        return {
            "threshold_popularity": self.threshold_popularity,
            "interval": None if self.interval is None else self.interval.to_dict(),
            "level": None if self.interval is None else self.interval.level,
            "target": self.target,
            "n_fail": self.n_fail,
            "n_items": self.n_items,
            "method": self.method,
            "n_boot": self.n_boot,
            "seed": self.seed,
        }

    def __str__(self) -> str:
        ci = ""
        if self.interval is not None:
            ci = (f" ({self.interval.level:.0%} bootstrap interval [{self.interval.lower:.6g}, "
                  f"{self.interval.upper:.6g}], {self.n_boot} resamples, seed {self.seed})")  # fmt: skip
        return (
            f"Threshold popularity (Algorithm 1, {self.method} walk, target accuracy "
            f"{self.target:g}, n_fail {self.n_fail}, {self.n_items} items): "
            f"{self.threshold_popularity:.6g}{ci}"
        )


def threshold_interval(
    popularity,
    correct,
    target: float = 0.8,
    n_fail: int = 5,
    method: str = "last-crossing",
    n_boot: int = 1000,
    level: float = 0.9,
    seed: int = 0,
) -> ThresholdResult:
    """Algorithm 1 with a seeded bootstrap percentile interval over item resamples."""
    xs, ys = _check(popularity, correct, target, n_fail, method)
    _check_boot(n_boot, level)
    point = float(xs[_walk(ys, target, n_fail, method)])
    boot = _bootstrap(xs, ys, target, n_fail, method, n_boot, np.random.default_rng(seed))
    return ThresholdResult(point, float(target), int(n_fail), int(xs.size), method,
                           Estimate.from_samples(boot, level), int(n_boot), int(seed))  # fmt: skip


@dataclass(frozen=True)
class ThresholdSlope:
    """Thresholds per model size and the log-log slope ``d ln threshold / d ln N``."""

    model_sizes: np.ndarray
    thresholds: np.ndarray
    slope: float  # least squares on the point thresholds
    interval: Estimate  # bootstrap percentile interval of the slope
    threshold_intervals: list[Estimate]
    target: float
    n_fail: int
    method: str
    n_boot: int
    seed: int
    predicted_slope: float | None = None
    n_items: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        rows = [
            {"model_size": float(n), "threshold_popularity": float(t), "interval": e.to_dict(),
             "n_items": k}
            for n, t, e, k in zip(self.model_sizes, self.thresholds, self.threshold_intervals,
                                  self.n_items, strict=True)
        ]  # fmt: skip
        return {
            "slope": self.slope,
            "slope_interval": self.interval.to_dict(),
            "level": self.interval.level,
            "predicted_slope": self.predicted_slope,
            "per_size": rows,
            "target": self.target,
            "n_fail": self.n_fail,
            "method": self.method,
            "n_boot": self.n_boot,
            "seed": self.seed,
        }

    def __str__(self) -> str:
        boot = (f"{self.interval.level:.0%} bootstrap intervals, {self.n_boot} resamples, seed "
                f"{self.seed}" if self.n_boot else "no bootstrap")  # fmt: skip
        lines = [
            f"Threshold popularity vs model size (Algorithm 1, {self.method} walk, target "
            f"{self.target:g}, n_fail {self.n_fail}; {boot})",
            f"  {'model size':>12}  {'items':>7}  {'threshold':>11}  {'interval':>25}",
        ]
        for n, t, e, k in zip(self.model_sizes, self.thresholds, self.threshold_intervals,
                              self.n_items, strict=True):  # fmt: skip
            lines.append(
                f"  {n:>12.4g}  {k:>7d}  {t:>11.4g}  {f'[{e.lower:.4g}, {e.upper:.4g}]':>25}"
            )
        pred = "" if self.predicted_slope is None else f" (predicted {self.predicted_slope:.3f})"
        lines.append(
            f"  slope d ln threshold / d ln N = {self.slope:.3f} "
            f"[{self.interval.lower:.3f}, {self.interval.upper:.3f}]{pred}"
        )
        return "\n".join(lines)


def threshold_slope(
    model_sizes,
    data,
    target: float = 0.8,
    n_fail: int = 5,
    method: str = "last-crossing",
    n_boot: int = 1000,
    level: float = 0.9,
    seed: int = 0,
    predicted_slope: float | None = None,
) -> ThresholdSlope:
    """Algorithm 1 per model size and the log-log slope of the threshold, with bootstrap.

    ``data[j] = (popularity, correct)`` of model size ``model_sizes[j]``. Each replicate resamples
    every size's items independently and refits the slope by least squares in log-log;
    ``n_boot=0`` gives point values only (intervals of zero width, level 0).
    """
    n = np.asarray(model_sizes, dtype=float).ravel()
    if n.size != len(data):
        raise MixphaseInputError("need one (popularity, correct) pair per model size")
    if n.size < 2 or np.unique(n).size < 2:
        raise MixphaseInputError("a slope needs at least 2 distinct model sizes")
    if not np.all(np.isfinite(n)) or np.any(n <= 0):
        raise MixphaseInputError("model sizes must be positive and finite")
    _check_boot(n_boot, level, minimum=0)
    sorted_data = [_check(x, y, target, n_fail, method) for x, y in data]
    points = np.array([xs[_walk(ys, target, n_fail, method)] for xs, ys in sorted_data])
    ln = np.log(n)
    centred = ln - ln.mean()
    slope = float(centred @ np.log(points) / (centred @ centred))
    if n_boot:
        rng = np.random.default_rng(seed)
        boot = np.stack([_bootstrap(xs, ys, target, n_fail, method, n_boot, rng)
                         for xs, ys in sorted_data])  # fmt: skip
        boot_slopes = (centred @ np.log(boot)) / (centred @ centred)
        interval = Estimate.from_samples(boot_slopes, level)
        per_size = [Estimate.from_samples(b, level) for b in boot]
    else:
        interval, per_size = Estimate.point(slope), [Estimate.point(t) for t in points]
    return ThresholdSlope(
        model_sizes=n, thresholds=points, slope=slope, interval=interval,
        threshold_intervals=per_size,
        target=float(target), n_fail=int(n_fail), method=method, n_boot=int(n_boot),
        seed=int(seed), predicted_slope=predicted_slope,
        n_items=[int(xs.size) for xs, _ in sorted_data],
    )  # fmt: skip
