"""Mixture generalisation bound: terms, MMD, NTK quadratic form, truncation term."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.theory import (
    Truncation,
    mixture_bound,
    mmd_multi_kernel,
    ntk_quadratic_form,
    truncation_term,
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


def test_bad_bound_input():
    with pytest.raises(MixphaseInputError):
        mixture_bound(1.5, 0, 0, 0, 0, 1.0, 10)
    with pytest.raises(MixphaseInputError):
        mixture_bound(0.5, 0, 0, 0, 0, 1.0, 0)
