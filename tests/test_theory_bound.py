"""Mixture generalisation bound: terms, MMD, NTK quadratic form, truncation term."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.theory import (
    Truncation,
    excess_tail_mass,
    expected_error,
    mixture_bound,
    mixture_distribution,
    mmd_multi_kernel,
    ntk_quadratic_form,
    signed_error_gap,
    truncation_term,
    zipf_pmf,
)


def test_terms_sum_to_total_and_follow_formula():
    t = mixture_bound(0.3, 0.2, 0.1, 0.05, 0.4, ntk_quadratic=50.0, n=1000, delta=0.05)
    assert t.empirical == pytest.approx(0.3 * 0.2 + 0.7 * 0.1)
    assert t.mmd == pytest.approx(0.3 * 0.05 + 0.7 * 0.4)
    assert t.complexity == pytest.approx(np.sqrt(50 / 1000))
    assert t.finite_sample == pytest.approx(np.sqrt(2 * 0.7 * np.log(8 / 0.05) / 1000))
    d = t.to_dict()
    assert d["total"] == pytest.approx(sum(v for k, v in d.items() if k != "total"))


def test_mmd_zero_for_same_sample_and_grows_with_shift():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    assert mmd_multi_kernel(x, x) == pytest.approx(0.0, abs=1e-7)
    y1 = rng.normal(size=(200, 3))
    y2 = rng.normal(loc=1.0, size=(200, 3))
    y3 = rng.normal(loc=3.0, size=(200, 3))
    m1, m2, m3 = (mmd_multi_kernel(x, y) for y in (y1, y2, y3))
    assert m1 < m2 < m3


def test_ntk_quadratic_form_matches_direct_solve():
    rng = np.random.default_rng(1)
    g = rng.normal(size=(30, 50))
    gram = g @ g.T
    y = rng.normal(size=30)
    reg = 1e-6 * np.trace(gram) / 30
    direct = y @ np.linalg.solve(gram + reg * np.eye(30), y)
    assert ntk_quadratic_form(gram, y, ridge=1e-6) == pytest.approx(direct, rel=1e-8)


def test_truncation_term_zero_without_truncation_and_positive_with_it():
    n_items = 50_000
    assert truncation_term(2.0, Truncation(cutoff=n_items), 0.1, 10_000, n_items) == pytest.approx(
        0.0, abs=1e-12
    )
    small = truncation_term(2.0, Truncation(cutoff=1000), 0.1, 100_000, n_items)
    large = truncation_term(2.0, Truncation(cutoff=30), 0.1, 100_000, n_items)
    assert 0 < small < large


@pytest.mark.parametrize("beta", [1.3, 2.0, 3.0])
@pytest.mark.parametrize("pi", [0.0, 0.01, 0.1, 0.5, 0.9])
def test_truncation_term_is_non_negative_and_non_increasing_in_k(beta, pi):
    """Issue 16: the old err_q - err_p was negative at small n (-0.022 at n = 1, beta 2, k 10,
    pi 0.1) and fell as k fell at n <= 100. The excess tail mass is >= 0 and grows as k falls."""
    n_items = 5000
    ks = [1, 2, 3, 5, 10, 30, 100, 300, 1000, 4999, 5000]
    for n in (1, 3, 10, 100, 1e3, 1e4, 1e6):
        t = np.array([truncation_term(beta, Truncation(cutoff=k), pi, n, n_items) for k in ks])
        assert np.all(t >= 0)
        assert np.all(np.diff(t) <= 0), (n, t)  # exactly, rounding included
        assert t[-1] == 0.0  # k = n_items: nothing truncated
        tail = np.array([zipf_pmf(beta, n_items)[k:].sum() for k in ks])
        assert np.all(t <= tail * (1 + 1e-12))  # at most the tail mass


def test_truncation_term_formula_and_its_relation_to_the_signed_gap():
    beta, k, pi, n_items = 2.0, 10, 0.1, 20_000
    p = zipf_pmf(beta, n_items)
    tail = p[k:]
    for n in (1, 10, 1000, 1e5):
        direct = float(np.sum(tail * ((1 - pi * tail) ** n - (1 - tail) ** n)))
        got = truncation_term(beta, Truncation(cutoff=k), pi, n, n_items)
        assert got == pytest.approx(direct, rel=1e-9, abs=1e-300)
        # signed gap = T + head part (<= 0: the mixture sees its head faster)
        _, q = mixture_distribution(beta, Truncation(cutoff=k), pi, n_items)
        head = float(np.sum(p[:k] * ((1 - q[:k]) ** n - (1 - p[:k]) ** n)))
        gap = signed_error_gap(beta, Truncation(cutoff=k), pi, n, n_items)
        assert gap == pytest.approx(got + head, rel=1e-9, abs=1e-15)
        assert head <= 0
    # the numbers for the old signed quantity: negative at small n
    assert signed_error_gap(2.0, Truncation(cutoff=10), 0.1, 1, 1_000_000) == pytest.approx(
        -0.022, abs=5e-4
    )
    assert truncation_term(2.0, Truncation(cutoff=10), 0.1, 1, 1_000_000) > 0
    # vectorised form; zero at pi = 1 and at n = 0
    sizes = [0, 1, 10, 1000]
    np.testing.assert_allclose(
        excess_tail_mass(p, k, pi, sizes),
        [truncation_term(beta, Truncation(cutoff=k), pi, s, n_items) for s in sizes],
        rtol=1e-12,
    )
    assert np.all(excess_tail_mass(p, k, 1.0, sizes) == 0)
    assert excess_tail_mass(p, k, pi, [0])[0] == 0
    # pi = 0 (all synthetic): the tail mass a real learner of n draws would have seen
    assert excess_tail_mass(p, k, 0.0, [1000])[0] == pytest.approx(
        float(tail.sum() - expected_error(tail, tail, [1000])[0]), rel=1e-10
    )


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_truncation_term_rejects_bad_share(bad):
    with pytest.raises(MixphaseInputError):
        truncation_term(2.0, Truncation(cutoff=10), bad, 100, 1000)


def test_bad_bound_input():
    with pytest.raises(MixphaseInputError):
        mixture_bound(1.5, 0, 0, 0, 0, 1.0, 10)
    with pytest.raises(MixphaseInputError):
        mixture_bound(0.5, 0, 0, 0, 0, 1.0, 0)
