"""Knapsack model: symbolic vs numeric vs direct optimisation; monotonicity and exponents."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar

from mixphase.errors import MixphaseInputError
from mixphase.theory import PAPER_WEB_LAW, KnapsackModel, KnowledgeSet, WebLaw
from mixphase.theory.knapsack_symbolic import asymptotic_exponent, derive

RTOL = 1e-8


def _model(alpha=0.283, facts=320_000, bits_per_param=2.0):
    return KnapsackModel(
        web=WebLaw(alpha=alpha),
        knowledge=KnowledgeSet(n_facts=facts),
        bits_per_param=bits_per_param,
    )


def _symbolic_args(model, n, r=0.5, phi=0.0):
    _, a, alpha = model.web_bits
    k = model.knowledge
    return model.capacity(n), r, k.frequency, a, alpha, k.total_bits, phi


def test_paper_web_law_matches_measured_loss_at_410m():
    # Gu et al.: the fit gives 2.67 nats at 410M (measured 2.667).
    assert PAPER_WEB_LAW.loss(410e6) == pytest.approx(2.667, abs=0.005)


def test_synbio_bits_per_biography_from_cardinalities():
    from mixphase.theory import SYNBIO_BITS_PER_BIO

    expected = sum(math.log2(c) for c in (33600, 200, 300, 100, 263))
    assert SYNBIO_BITS_PER_BIO == pytest.approx(expected, rel=1e-12)
    assert SYNBIO_BITS_PER_BIO == pytest.approx(45.6, abs=0.05)


@settings(max_examples=40, deadline=None)
@given(
    alpha=st.floats(0.05, 0.95),
    log_n=st.floats(math.log(5e6), math.log(5e10)),
    phi=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_symbolic_critical_ratio_matches_numeric(alpha, log_n, phi):
    model = _model(alpha=alpha)
    n = math.exp(log_n)
    if model.capacity(n) <= phi * model.knowledge.total_bits:
        return
    sym = derive().lambdify("critical_ratio")(*_symbolic_args(model, n, phi=phi))
    assert model.critical_ratio(n, fraction=phi) == pytest.approx(sym, rel=RTOL)


@settings(max_examples=40, deadline=None)
@given(alpha=st.floats(0.05, 0.95), r=st.floats(1e-4, 0.99), phi=st.sampled_from([0.0, 1.0]))
def test_symbolic_critical_size_matches_numeric(alpha, r, phi):
    model = _model(alpha=alpha)
    m_sym = derive().lambdify("critical_capacity")(*_symbolic_args(model, 1.0, r=r, phi=phi))
    assert model.critical_size(r, fraction=phi) == pytest.approx(
        m_sym / model.bits_per_param, rel=RTOL
    )


@settings(max_examples=30, deadline=None)
@given(alpha=st.floats(0.05, 0.95), log_n=st.floats(math.log(1e7), math.log(1e10)))
def test_symbolic_exponent_matches_numeric_local_exponent(alpha, log_n):
    model = _model(alpha=alpha)
    n = math.exp(log_n)
    sym = derive().lambdify("ratio_exponent")(*_symbolic_args(model, n))
    assert model.ratio_exponent(n) == pytest.approx(sym, rel=RTOL)


def test_odds_exponent_is_exactly_minus_alpha_minus_one():
    import sympy as sp

    d = derive()
    s = d.symbols
    assert sp.simplify(d.odds_exponent.subs(s["phi"], 0) + s["alpha"] + 1) == 0
    assert sp.simplify(asymptotic_exponent() + s["alpha"] + 1) == 0


def _objective(model, n, r):
    """The allocation objective as plain code (independent of the closed forms)."""
    e, a, alpha = model.web_bits
    k = model.knowledge
    m_tot = model.capacity(n)
    return lambda m: (
        r * k.frequency * (k.total_bits - m) + (1 - r) * (e + a * (m_tot - m) ** (-alpha))
    )


def _complex_step_derivative(f, x, h=1e-20):
    return (f(complex(x, h * max(abs(x), 1.0)))).imag / (h * max(abs(x), 1.0))


@pytest.mark.parametrize("n", [14e6, 70e6, 410e6, 2.8e9])
@pytest.mark.parametrize("alpha", [0.15, 0.283, 0.6])
def test_critical_ratio_matches_direct_numeric_optimisation(n, alpha):
    """Onset = the r at which storing the first bit stops paying: dL/dm at m=0 changes sign.

    The derivative comes from complex-step differentiation of the objective (exact to machine
    precision), the root from brentq: nothing of the closed form is used.
    """
    model = _model(alpha=alpha)

    def slope_at_zero(logit_r):
        r = 1 / (1 + math.exp(-logit_r))
        return _complex_step_derivative(_objective(model, n, r), 0.0)

    logit = brentq(slope_at_zero, -40, 40, xtol=1e-14, rtol=1e-15)
    r_num = 1 / (1 + math.exp(-logit))
    assert model.critical_ratio(n) == pytest.approx(r_num, rel=RTOL)


@pytest.mark.parametrize("r", [0.05, 0.1, 0.123, 0.13, 0.5])
def test_learned_fraction_matches_bounded_minimisation(r):
    model = _model()
    n = 70e6
    h = model.knowledge.total_bits
    f = _objective(model, n, r)
    res = minimize_scalar(lambda u: f(u * h), bounds=(0, 1), method="bounded",
                          options={"xatol": 1e-10})  # fmt: skip
    assert model.learned_fraction(n, r) == pytest.approx(res.x, abs=1e-5)


def test_critical_ratio_strictly_decreasing_and_slope_matches_exponent():
    model = _model()
    n = np.logspace(7, 10.5, 60)
    rc = model.critical_ratio(n)
    assert np.all(np.diff(rc) < 0)
    # central finite differences of ln r_c vs ln N against the derived local exponent
    h = 1e-5
    fd = (
        np.log(model.critical_ratio(n * math.exp(h)))
        - np.log(model.critical_ratio(n * math.exp(-h)))
    ) / (2 * h)
    assert np.allclose(fd, model.ratio_exponent(n), rtol=1e-6)
    # odds slope is exactly -(alpha+1)
    odds = rc / (1 - rc)
    slope = np.polyfit(np.log(n), np.log(odds), 1)[0]
    assert slope == pytest.approx(-(model.alpha + 1), rel=1e-10)
    # and r_c itself approaches it at large N
    assert model.ratio_exponent(1e12) == pytest.approx(-(model.alpha + 1), rel=1e-3)


def test_transition_in_ratio_and_size_is_monotone_and_bounded():
    model = _model()
    r = np.linspace(0.01, 0.99, 200)
    phi = model.learned_fraction(70e6, r)
    assert np.all(np.diff(phi) >= 0) and phi.min() == 0 and phi.max() == 1
    rc = model.critical_ratio(70e6)
    assert model.learned_fraction(70e6, rc * 0.999) == 0
    assert model.learned_fraction(70e6, min(rc * 1.01, 0.999)) > 0
    nc = model.critical_size(0.2)
    assert model.learned_fraction(nc * 0.999, 0.2) == 0
    assert model.learned_fraction(nc * 1.01, 0.2) > 0
    # critical size and ratio are inverse functions of each other
    assert model.critical_ratio(nc) == pytest.approx(0.2, rel=1e-10)


def test_full_memorisation_impossible_when_set_exceeds_capacity():
    model = _model(facts=1e9)  # 45.6e9 bits > 2 bits x 1e9 params
    assert math.isnan(model.critical_ratio(1e9, fraction=1.0))


@pytest.mark.parametrize("bad", [-1.0, 0.0, float("nan"), float("inf")])
def test_bad_model_size_raises(bad):
    with pytest.raises(MixphaseInputError):
        _model().critical_ratio(bad)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 1.5, float("nan")])
def test_bad_ratio_raises(bad):
    with pytest.raises(MixphaseInputError):
        _model().learned_fraction(1e8, bad)
