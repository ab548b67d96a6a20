"""Web loss families: marginal value = -dL/dN, local exponent, inverses, convex tables."""

import math

import numpy as np
import pytest

from mixphase.theory.web_law import (
    PAPER_WEB_LAW,
    BrokenPowerLaw,
    LogLaw,
    TableLaw,
    WebLaw,
    capacity_marginal,
)

LAWS = [
    PAPER_WEB_LAW,
    WebLaw(E=0.5, A=2.0, alpha=0.6, size_unit=1.0, loss_unit="bits"),
    LogLaw(a=7.45, c=0.544, size_unit=1.0),
    BrokenPowerLaw(E=1.0, A=3.0, alpha1=0.1, alpha2=0.6, n_break=3e8),
    BrokenPowerLaw(
        E=0.0, A=3.0, alpha1=0.8, alpha2=0.2, n_break=2e4, smoothness=0.3, size_unit=1.0
    ),
]
SIZES = np.geomspace(1e3, 1e11, 17)


@pytest.mark.parametrize("law", LAWS, ids=lambda w: w.family)
def test_marginal_is_minus_the_derivative(law):
    h = 1e-6
    num = -(law.loss(SIZES * (1 + h)) - law.loss(SIZES * (1 - h))) / (2 * h * SIZES)
    # central differences lose ~eps * L / (h N) to cancellation where L is nearly flat
    tol = 1e-6 * np.abs(num) + 1e-9 * np.abs(law.loss(SIZES)) / SIZES
    assert np.all(np.abs(law.marginal(SIZES) - num) <= tol)


@pytest.mark.parametrize("law", LAWS, ids=lambda w: w.family)
def test_local_exponent_is_the_log_slope_of_the_marginal(law):
    h = 1e-5
    num = (
        np.log(law.marginal(SIZES * math.exp(h))) - np.log(law.marginal(SIZES * math.exp(-h)))
    ) / (2 * h)
    np.testing.assert_allclose(law.local_exponent(SIZES), num, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("law", LAWS, ids=lambda w: w.family)
def test_inverse_marginal_inverts(law):
    lo, hi = law.inverse_marginal(law.marginal(SIZES))
    np.testing.assert_allclose(lo, SIZES, rtol=1e-9)
    np.testing.assert_allclose(hi, SIZES, rtol=1e-9)


def test_exponents_of_the_simple_families():
    assert PAPER_WEB_LAW.local_exponent(1e8) == pytest.approx(-1.283)
    assert LogLaw(a=1.0, c=0.5).local_exponent(1e8) == -1.0
    b = BrokenPowerLaw(E=1.0, A=1.0, alpha1=0.1, alpha2=0.6, n_break=1e8, smoothness=0.2)
    assert b.local_exponent(1e4) == pytest.approx(-1.1, abs=1e-6)
    assert b.local_exponent(1e12) == pytest.approx(-1.6, abs=1e-6)


def test_capacity_marginal_matches_the_power_law_capacity_form():
    b = 2.0
    _, a_bits, alpha = PAPER_WEB_LAW.in_capacity_bits(b)
    m = np.geomspace(1e6, 1e11, 6)
    np.testing.assert_allclose(capacity_marginal(PAPER_WEB_LAW, m, b),
                               a_bits * alpha * m ** (-alpha - 1), rtol=1e-12)  # fmt: skip


def test_table_law_is_the_convex_nonincreasing_hull():
    # a bump at 3e4 (above the chord) and a rise at the end are removed
    t = TableLaw((1e4, 2e4, 3e4, 4e4, 8e4, 1e5), (3.0, 2.5, 2.45, 1.9, 1.5, 1.6))
    n, y = np.asarray(t.hull[0]), np.asarray(t.hull[1])
    assert n.tolist() == [1e4, 2e4, 4e4, 8e4]
    s = -np.diff(y) / np.diff(n)
    assert np.all(np.diff(s) <= 0) and np.all(s > 0)  # convex, falling
    assert np.all(t.loss(np.array([1e4, 2e4, 3e4, 4e4])) <= np.array([3.0, 2.5, 2.45, 1.9]) + 1e-12)
    assert t.extrapolating(2e5) and not t.extrapolating(3e4)


def test_table_law_m0_minus_and_plus_on_a_flat_marginal():
    t = TableLaw((1.0, 2.0, 3.0, 5.0), (10.0, 8.0, 6.5, 4.0))  # slopes 2, 1.5, 1.25
    assert t.inverse_marginal(1.5) == (2.0, 3.0)  # marginal constant on [2, 3]
    assert t.inverse_marginal(1.7) == (2.0, 2.0)  # between two slopes: the knot
    lo, hi = t.inverse_marginal(np.array([1.5, 1.3]))
    assert lo.tolist() == [2.0, 3.0] and hi.tolist() == [3.0, 3.0]
    # the tails continue the marginal as a power law and keep the loss continuous
    assert t.loss(5.0 * (1 + 1e-12)) == pytest.approx(4.0)
    assert t.marginal(10.0) < t.marginal(5.0)
    lo, hi = t.inverse_marginal(float(t.marginal(10.0)))
    assert lo == pytest.approx(10.0) and hi == pytest.approx(10.0)


def test_table_law_rejects_a_rising_table():
    with pytest.raises(ValueError, match="does not fall"):
        TableLaw((1.0, 2.0), (1.0, 2.0))
