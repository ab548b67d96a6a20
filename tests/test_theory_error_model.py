"""Bernoulli correctness model (the general form): special cases exact, numerics vs Monte Carlo."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.theory import (
    BernoulliErrorModel,
    Truncation,
    breakpoints,
    expected_error,
    mixture_distribution,
)

P, Q = mixture_distribution(2.0, Truncation(cutoff=100), 0.05, 50_000)
SIZES = np.round(np.geomspace(1, 1e7, 12))


def test_memorisation_model_is_the_special_case():
    m = BernoulliErrorModel()
    assert m.is_memorisation
    np.testing.assert_array_equal(m.expected_error(P, Q, SIZES), expected_error(P, Q, SIZES))
    # lambda = inf: one exposure suffices whatever alpha; a and b map the curve affinely
    m2 = BernoulliErrorModel(a=0.9, b=0.1, alpha=3.0)
    np.testing.assert_allclose(
        m2.expected_error(P, Q, SIZES), 0.1 + 0.8 * expected_error(P, Q, SIZES), rtol=1e-14
    )


def test_alpha_one_is_memorisation_at_a_rescaled_rate():
    """alpha = 1: E[exp(-lambda m)] = (1 - c q)^|S|, c = 1 - exp(-lambda) (binomial pgf)."""
    m = BernoulliErrorModel(a=0.95, b=0.02, alpha=1.0, lam=0.3)
    c = m.learn_probability
    np.testing.assert_allclose(
        m.expected_error(P, Q, SIZES), 0.05 + 0.93 * expected_error(P, c * Q, SIZES), rtol=1e-13
    )
    # the numerical path (Poisson grid + exact binomial head) agrees with the closed form
    numeric = m._numerical(P, Q, SIZES)
    np.testing.assert_allclose(numeric, expected_error(P, c * Q, SIZES), rtol=1e-4, atol=1e-9)
    # same phases, breakpoints ~1/c later: the plateau's middle moves by 1/c
    bp = breakpoints(2.0, Truncation(cutoff=100), 0.05, 50_000)
    mid = np.sqrt(bp.first * bp.second)
    assert m.expected_error(P, Q, [mid / c])[0] == pytest.approx(
        0.05 + 0.93 * expected_error(P, Q, [mid])[0], rel=0.02
    )


def test_general_alpha_against_monte_carlo():
    """alpha = 2 (an item needs repetitions): the numerical expectation vs 300 simulated training
    sets (multinomial counts), within 4 standard errors at every size."""
    p, q = mixture_distribution(1.5, Truncation(cutoff=100), 0.05, 5_000)
    m = BernoulliErrorModel(a=0.9, b=0.05, alpha=2.0, lam=0.05)
    sizes = np.round(np.geomspace(1, 3e4, 8))
    got = m.expected_error(p, q, sizes)
    rng = np.random.default_rng(0)
    draws = np.array(
        [
            [p @ (1 - (m.b + (m.a - m.b) * -np.expm1(-m.lam * rng.multinomial(int(s), q) ** 2.0)))
             for s in sizes]
            for _ in range(300)
        ]
    )  # fmt: skip
    se = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    assert np.all(np.abs(got - draws.mean(axis=0)) <= 4 * se + 1e-6)
    assert np.all(np.diff(got) < 0)  # more data, fewer errors
    assert got[0] == pytest.approx(1 - m.b - (m.a - m.b) * -np.expm1(-m.lam) * (p @ q), rel=1e-6)


@pytest.mark.parametrize(
    "kw", [{"a": 1.2}, {"a": 0.5, "b": 0.6}, {"b": -0.1}, {"alpha": 0}, {"lam": 0}, {"lam": np.nan}]
)
def test_bad_constants(kw):
    with pytest.raises(MixphaseInputError):
        BernoulliErrorModel(**kw)
