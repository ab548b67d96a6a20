"""The verdict rules (validate/verdicts.py): each verdict from constructed draws."""

from __future__ import annotations

import numpy as np
import pytest

from mixphase.records import Estimate
from mixphase.validate import verdicts as V


def _normal(median, lo, hi, n=20000, seed=0):
    return median + (hi - lo) / (2 * 1.645) * np.random.default_rng(seed).standard_normal(n)


def test_the_committed_exponent_is_inconclusive_not_held():
    # issue 14: fitted -1.31 [-1.64, -0.99] vs predicted -1.31 [-1.35, -1.26] "held" by overlap
    fitted = _normal(-1.31, -1.64, -0.99)
    j = V.equivalence(V.difference(fitted, Estimate(-1.31, -1.35, -1.26, 0.9)), 0.25, points=5)
    assert j.verdict == V.INCONCLUSIVE
    assert j.interval.lower < -0.25 and j.interval.upper > 0.25
    # the same data "hold" -1.0 just as well: neither is held
    assert V.equivalence(V.difference(fitted, -1.0), 0.25, points=5).verdict == V.INCONCLUSIVE
    # the quick CPU run's [-1.87, -0.37] cannot be held either
    cpu = _normal(-1.12, -1.87, -0.37)
    assert V.equivalence(V.difference(cpu, -1.28), 0.25, points=3).verdict == V.INCONCLUSIVE


@pytest.mark.parametrize(
    "fitted,predicted,points,verdict",
    [((-1.30, -1.40, -1.20), -1.28, 5, V.HELD),  # inside ±0.25 entirely
     ((-1.30, -1.40, -1.20), -1.28, 2, V.INCONCLUSIVE),  # two sizes never hold
     ((-2.10, -2.30, -1.90), -1.28, 5, V.NOT_HELD),  # entirely outside
     ((-0.60, -0.75, -0.45), -1.28, 3, V.NOT_HELD),
     ((-1.50, -1.70, -1.30), -1.28, 5, V.INCONCLUSIVE)],  # straddles -0.25
)  # fmt: skip
def test_equivalence_each_verdict(fitted, predicted, points, verdict):
    j = V.equivalence(V.difference(_normal(*fitted), predicted), 0.25, points=points)
    assert j.verdict == verdict, j.reason


def test_prediction_uncertainty_is_propagated_by_draws():
    fitted = _normal(-1.30, -1.36, -1.24)
    # a sharp prediction inside the margin holds; the same median with a wide prediction does not
    assert V.equivalence(V.difference(fitted, -1.2), 0.25, points=4).verdict == V.HELD
    wide = _normal(-1.2, -1.6, -0.8, seed=1)
    j = V.equivalence(V.difference(fitted, wide), 0.25, points=4)
    assert j.verdict == V.INCONCLUSIVE
    assert j.interval.upper - j.interval.lower > 0.7  # not interval arithmetic: ~sqrt of squares


def test_interpolated_points_never_hold():
    j = V.equivalence(V.difference(_normal(-1.3, -1.35, -1.25), -1.3), 0.25, points=5,
                      interpolated=1)  # fmt: skip
    assert j.verdict == V.INCONCLUSIVE and "interpolated" in j.reason


@pytest.mark.parametrize(
    "draws,verdict",
    [((0.85, 0.75, 0.95), V.HELD), ((0.77, 0.72, 0.82), V.HELD), ((0.5, 0.4, 0.6), V.NOT_HELD),
     ((0.72, 0.6, 0.84), V.INCONCLUSIVE)],
)  # fmt: skip
def test_at_least_and_at_most(draws, verdict):
    assert V.at_least(_normal(*draws), 0.8, 0.1).verdict == verdict
    mirrored = V.at_most(-_normal(*draws), -0.8, 0.1)
    assert mirrored.verdict == verdict


def test_combine_and_margins_are_stated():
    assert V.combine([V.HELD, V.HELD]) == V.HELD
    assert V.combine([V.HELD, V.INCONCLUSIVE]) == V.INCONCLUSIVE
    assert V.combine([V.HELD, V.NOT_HELD, V.INCONCLUSIVE]) == V.NOT_HELD
    assert V.combine([V.NOT_TESTED]) == V.NOT_TESTED
    assert V.MARGINS["exponent"].value == 0.25
    assert all(m.why and m.unit for m in V.MARGINS.values())
