"""Threshold popularity: Algorithm 1 of Gu et al. (2025), and its knapsack prediction.

**Algorithm 1 as implemented** (the published pseudocode is partly garbled; this is the walk we
chose, documented in docs/theory.md §1.5). Inputs: popularities ``x``, correctness ``y`` in {0,1},
a target accuracy ``target`` (paper: 0.6 on PopQA, 0.8 on SynBio) and a fault tolerance
``n_fail`` (paper: 5).

1. Sort the items by popularity, most popular first (ties: stable order of the input).
2. Walk down the list. At item ``i`` compute the accuracy of items ``0..i`` (all items at least as
   popular as the current one). Each time it is below ``target``, count one failure.
3. When the count reaches ``n_fail``, return the popularity of the current item.
4. If it never does, return the smallest popularity.

So the threshold is the popularity above which the model's accuracy is still (about) ``target``;
``n_fail`` keeps a few unlucky items near the top from ending the walk. It is scale-free: for
power-law popularities a sharp capacity threshold moves the returned value by a constant factor,
so its log-log slope in model size is the threshold's (the tests check both properties).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from mixphase.errors import MixphaseInputError


def threshold_popularity(popularity, correct, target: float = 0.8, n_fail: int = 5) -> float:
    """Algorithm 1: the popularity below which accuracy falls under ``target`` (see module doc)."""
    x = np.asarray(popularity, dtype=float).ravel()
    y = np.asarray(correct, dtype=float).ravel()
    if x.size == 0 or x.size != y.size:
        raise MixphaseInputError("popularity and correct must be non-empty and of equal length")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise MixphaseInputError("popularities must be positive and finite")
    if not np.all((y == 0) | (y == 1)):
        raise MixphaseInputError("correct must hold only 0/1 values")
    if not 0 < target <= 1:
        raise MixphaseInputError(f"target accuracy must lie in (0, 1], got {target}")
    if n_fail < 1:
        raise MixphaseInputError(f"n_fail must be at least 1, got {n_fail}")
    order = np.argsort(-x, kind="stable")
    xs, ys = x[order], y[order]
    running_acc = np.cumsum(ys) / np.arange(1, ys.size + 1)
    failures = np.cumsum(running_acc < target)
    hit = np.flatnonzero(failures >= n_fail)
    return float(xs[hit[0]]) if hit.size else float(xs[-1])


@dataclass(frozen=True)
class ThresholdResult:
    """The threshold popularity Algorithm 1 found, with its settings."""

    threshold_popularity: float
    target: float
    n_fail: int
    n_items: int

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"Threshold popularity (Algorithm 1, target accuracy {self.target:g}, "
            f"n_fail {self.n_fail}, {self.n_items} items): {self.threshold_popularity:.6g}"
        )
