"""Algorithm 1 (threshold popularity): planted thresholds and scale-free slope."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.theory import KnapsackModel, threshold_popularity


def test_recovers_planted_sharp_threshold():
    # 1000 items with log-uniform popularity; all items above p* correct, all below wrong.
    rng = np.random.default_rng(0)
    pop = 10 ** rng.uniform(0, 4, 1000)
    p_star = 10**2.0
    correct = (pop > p_star).astype(float)
    target, n_fail = 0.8, 5
    got = threshold_popularity(pop, correct, target=target, n_fail=n_fail)
    # Expected by the walk's definition: the n_fail-th item at which the accuracy of all items
    # at least as popular drops below target. With n_above correct items, that happens at the
    # j-th wrong item where n_above/(n_above+j) < target.
    srt = np.sort(pop)[::-1]
    n_above = int((pop > p_star).sum())
    j_first = int(np.floor(n_above / target - n_above)) + 1
    expected = srt[n_above + j_first - 1 + n_fail - 1]
    assert got == expected
    assert got < p_star  # below the planted jump, by a known scale-free amount


def test_noisy_items_above_threshold_are_tolerated():
    pop = np.logspace(4, 0, 400)
    correct = (pop > 100).astype(float)
    correct[[10, 50, 90]] = 0  # popular items the model missed: accuracy above stays > target
    clean = threshold_popularity(pop, (pop > 100).astype(float), target=0.6, n_fail=5)
    got = threshold_popularity(pop, correct, target=0.6, n_fail=5)
    # misses above the threshold can only end the walk earlier, and only by a few items
    # (3 misses ~ 3/0.6 = 5 fewer wrong items needed to pull the accuracy under the target)
    i_clean, i_got = np.flatnonzero(pop == clean)[0], np.flatnonzero(pop == got)[0]
    assert 0 <= i_clean - i_got <= 6


def test_no_failure_returns_smallest_popularity():
    pop = np.array([5.0, 3.0, 9.0])
    assert threshold_popularity(pop, np.ones(3)) == 3.0


def test_slope_in_model_size_matches_theory():
    """Facts with power-law popularity; correctness from the knapsack threshold rule f > f_thres(N).
    Algorithm 1's estimate must follow f_thres's slope -(alpha+1) (its bias is scale-free)."""
    model = KnapsackModel()
    rng = np.random.default_rng(1)
    ranks = np.arange(1, 20001)
    freq = ranks**-1.5 / 1e3
    sizes = np.logspace(8.5, 9.5, 5)
    est = []
    for n in sizes:
        f_thres = model.threshold_frequency(n, 0.01)
        correct = (freq > f_thres).astype(float)
        flip = rng.random(freq.size) < 0.02  # 2% label noise
        correct = np.where(flip, 1 - correct, correct)
        est.append(threshold_popularity(freq, correct, target=0.8, n_fail=5))
    slope = np.polyfit(np.log(sizes), np.log(est), 1)[0]
    assert slope == pytest.approx(-(model.alpha + 1), abs=0.1)


@pytest.mark.parametrize(
    "pop,cor,kw",
    [
        ([], [], {}),
        ([1.0, 2.0], [1.0], {}),
        ([1.0, -2.0], [1.0, 0.0], {}),
        ([1.0, 2.0], [1.0, 0.5], {}),
        ([1.0, 2.0], [1.0, 0.0], {"target": 0.0}),
        ([1.0, 2.0], [1.0, 0.0], {"n_fail": 0}),
    ],
)
def test_bad_input(pop, cor, kw):
    with pytest.raises(MixphaseInputError):
        threshold_popularity(pop, cor, **kw)
