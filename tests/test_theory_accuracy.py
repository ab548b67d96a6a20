"""The accuracy model: the learned fraction in the limit of no ramp, a logistic ramp of the
stated width, exact inverses, and the seed average."""

import numpy as np
import pytest
from scipy.special import expit

from mixphase.theory import KnapsackModel, KnowledgeSet
from mixphase.theory import accuracy as acc

SMALL = KnapsackModel(knowledge=KnowledgeSet(n_facts=20_000))  # the set fills much of 30M
BIG = KnapsackModel(knowledge=KnowledgeSet(n_facts=2_000))
R = np.geomspace(1e-4, 0.6, 400)


@pytest.mark.parametrize("model", [SMALL, KnapsackModel(knowledge=KnowledgeSet(20_000),
                                                        training_tokens=1e10)])  # fmt: skip
def test_zero_width_limit_is_the_learned_fraction(model):
    phi = np.asarray(model.learned_fraction(3e7, R))
    assert np.array_equal(acc.accuracy(model, 3e7, R, 0.0), phi)
    for w, tol in ((1e-6, 1e-4), (1e-4, 2e-3)):
        assert np.max(np.abs(acc.accuracy(model, 3e7, R, w) - phi)) < tol


def test_ramp_is_logistic_with_the_stated_width():
    """With a negligible knapsack ramp the accuracy is expit((x - x_c)/w): 10-90% spans
    2 ln 9 w in ln odds."""
    w = 0.2
    lo, hi = (acc.ratio_at_accuracy(BIG, 1e9, q, w) for q in (0.1, 0.9))
    span = np.log(hi / (1 - hi)) - np.log(lo / (1 - lo))
    assert span == pytest.approx(2 * np.log(9) * w, rel=0.02)
    x_c = np.log(BIG.critical_ratio(1e9) / (1 - BIG.critical_ratio(1e9)))
    x = np.log(R / (1 - R))
    assert np.max(np.abs(acc.accuracy(BIG, 1e9, R, w) - expit((x - x_c) / w))) < 0.01


def test_bounded_monotone_and_inverse():
    a = acc.accuracy(SMALL, 3e7, R, 0.25)
    assert np.all((a >= 0) & (a <= 1)) and np.all(np.diff(a) >= -1e-12)
    for level in (0.1, 0.5, 0.9):
        r = acc.ratio_at_accuracy(SMALL, 3e7, level, 0.25)
        assert acc.accuracy(SMALL, 3e7, r, 0.25) == pytest.approx(level, abs=1e-8)
    # never reached: the set is larger than the capacity
    tiny = acc.ratio_at_accuracy(SMALL, 2e5, 0.5, 0.1)
    assert np.isnan(tiny)


def test_seed_average_matches_direct_integration():
    """5-point Gauss-Hermite: error < 1e-3 while the seed scatter is at most the ramp width
    (up to ~0.02 at sigma = 3 w, measured; the priors' medians are sigma 0.12, w 0.2)."""
    sigma, w = 0.2, 0.2
    z = np.linspace(-6, 6, 601)
    dens = np.exp(-0.5 * z**2)
    dens /= dens.sum()
    r = np.array([0.01, 0.03, 0.1])
    direct = sum(
        d * acc.accuracy(SMALL, 3e7, r, w, sigma * zi) for zi, d in zip(z, dens, strict=True)
    )
    assert acc.seed_averaged_accuracy(SMALL, 3e7, r, w, sigma) == pytest.approx(direct, abs=1e-3)
