"""Monte Carlo learning curves of the real-synthetic mixture (mixphase.simulate.mixture)."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.simulate import default_sizes, simulate_mixture_curves
from mixphase.theory import Truncation, breakpoints, expected_error, mixture_distribution

N_ITEMS = 100_000
TRUNC = Truncation(cutoff=100)


def _sim(**kw):
    args = {"beta": 2.0, "truncation": TRUNC, "real_share": 0.02, "n_items": N_ITEMS,
            "repetitions": 8, "seed": 3}  # fmt: skip
    args.update(kw)
    return simulate_mixture_curves(**args)


def test_seeded_reproducibility_and_workers():
    a, b = _sim(), _sim()
    np.testing.assert_array_equal(a.errors, b.errors)
    # threads change nothing: repetition r has its own generator
    np.testing.assert_array_equal(a.errors, _sim(workers=2).errors)
    assert not np.array_equal(a.errors, _sim(seed=4).errors)
    # the first repetitions do not depend on how many follow
    np.testing.assert_array_equal(a.errors[:3], _sim(repetitions=3).errors)


def test_curves_are_nested_and_monotone():
    c = _sim(n_test=5000)
    assert np.all(np.diff(c.errors, axis=1) <= 0)
    c = _sim()
    assert np.all(np.diff(c.errors, axis=1) <= 1e-15)
    assert np.all((c.errors >= 0) & (c.errors <= 1))


@pytest.mark.parametrize("n_test", [None, 20_000])
def test_mc_mean_within_three_standard_errors_of_exact(n_test):
    c = _sim(repetitions=60, n_test=n_test, seed=11)
    p, q = mixture_distribution(2.0, TRUNC, 0.02, N_ITEMS)
    np.testing.assert_allclose(c.exact, expected_error(p, q, c.sizes))
    z = (c.mean - c.exact) / c.stderr
    assert np.all(np.abs(z) < 3), z
    # and the z-scores look like noise, not a bias (their mean is small)
    assert abs(z.mean()) < 1.5


def test_exact_sampler_agrees_with_fast_sampler():
    sizes = np.geomspace(10, 2e5, 8)
    fast = _sim(sizes=sizes, repetitions=60, seed=1)
    exact = _sim(sizes=sizes, repetitions=60, seed=2, sampler="exact")
    for c in (fast, exact):
        assert np.all(np.abs((c.mean - c.exact) / c.stderr) < 3)
    # same spread: the fast sampler's independence across items barely changes the variance
    ratio = fast.errors.std(axis=0, ddof=1) / exact.errors.std(axis=0, ddof=1)
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_default_sizes_span_two_decades_beyond_breakpoints():
    bp = breakpoints(2.0, TRUNC, 0.02, N_ITEMS)
    s = default_sizes(bp)
    assert s[0] <= bp.first / 100 * 1.001 and s[-1] >= bp.second * 100 * 0.999
    c = _sim(repetitions=2)
    np.testing.assert_array_equal(c.sizes, s)


def test_plateau_sits_between_predicted_breakpoints():
    c = _sim(repetitions=20, n_sizes=40, real_share=0.01)
    bp = c.breakpoints
    lx, ly = np.log(c.sizes), np.log(c.mean)
    slope = np.diff(ly) / np.diff(lx)
    mid = np.sqrt(c.sizes[1:] * c.sizes[:-1])
    flat = mid[np.argmax(slope)]  # flattest segment
    assert bp.first < flat < bp.second
    # phase slopes: steep before |S|_1 and after |S|_2, nearly flat in between
    e = -(2.0 - 1) / 2.0
    assert np.all(slope[mid < bp.first / 10] < 0.6 * e)
    assert np.all(slope[mid > bp.second * 10] < 0.6 * e)
    inner = (mid > bp.first * 3) & (mid < bp.second / 3)
    assert inner.sum() >= 4 and np.all(slope[inner] > 0.3 * e)
    # plateau height is the tail mass beyond k
    i = np.argmin(np.abs(np.log(c.sizes / np.sqrt(bp.first * bp.second))))
    assert c.mean[i] == pytest.approx(bp.plateau_error, rel=0.25)


@pytest.mark.parametrize(
    "trunc",
    [
        Truncation(top_p=0.8),
        Truncation(temperature=0.8, synthetic_samples=1e5),
        Truncation(synthetic_samples=1e6),
    ],
)
def test_other_truncations_run(trunc):
    c = simulate_mixture_curves(2.0, trunc, 0.1, n_items=20_000, repetitions=60, n_sizes=8)
    assert c.breakpoints.mechanism == trunc.mechanism
    assert np.all(np.abs(c.mean - c.exact) < 3 * c.stderr), (c.mean - c.exact) / c.stderr


def test_rows_and_truth():
    c = _sim(repetitions=3, n_sizes=6)
    rows = c.to_rows()
    assert len(rows) == 3 * c.sizes.size and {r["curve"] for r in rows} == {
        "rep00",
        "rep01",
        "rep02",
    }
    mean_rows = c.to_rows("mean")
    assert [set(r) for r in mean_rows] == [{"x", "y", "y_err"}] * c.sizes.size
    np.testing.assert_allclose([r["y_err"] for r in mean_rows], c.stderr)
    assert set(_sim(repetitions=1, n_sizes=6).to_rows("mean")[0]) == {"x", "y"}
    t = c.truth
    assert t["breakpoints"] == [c.breakpoints.first, c.breakpoints.second]
    assert t["simulation"]["seed"] == 3 and t["parameters"]["truncation"]["cutoff"] == 100
    assert "unseen" in t["columns"]["y"]
    assert "MC mean" in str(c)


@pytest.mark.parametrize(
    "kw",
    [{"repetitions": 0}, {"n_test": 0}, {"sampler": "slow"}, {"workers": 0}, {"sizes": [0, 10]},
     {"real_share": 0.0}, {"beta": 1.0}, {"n_items": 1}, {"sizes": [1e9], "sampler": "exact"}],
)  # fmt: skip
def test_bad_input(kw):
    with pytest.raises(MixphaseInputError):
        _sim(**kw)
