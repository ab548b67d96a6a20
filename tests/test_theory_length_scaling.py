"""Capacity vs training length measured by web-only runs (theory/capacity.LengthScaling): planted
factors recovered, the reference length leaves the model unchanged, and at a scaled length the
knapsack's closed form of a model of rho*N parameters comes back."""

import math

import numpy as np
import pytest

from mixphase.theory.capacity import ExposureCurve, LengthScaling, equivalent_size
from mixphase.theory.knapsack import KnapsackModel, KnowledgeSet
from mixphase.theory.web_law import LogLaw, WebLaw
from mixphase.theory.web_law_draws import LawDraws

T0 = 9.2e6
SIZES = np.array([3.1e3, 7.0e3, 1.24e4])
POWER = WebLaw(E=0.4, A=0.02, alpha=0.47)
LOG = LogLaw(a=0.5, c=0.3)
KNOW = KnowledgeSet(20, 33.2, 50)


def planted(law, rho: dict[float, float]) -> LengthScaling:
    """Web runs whose loss at length T is the reference law's at rho(T) * N."""
    t, n, v = [], [], []
    for tokens, factor in rho.items():
        t += [tokens] * SIZES.size
        n += SIZES.tolist()
        v += np.atleast_1d(law.loss(factor * SIZES)).tolist()
    return LengthScaling(T0, tuple(t), tuple(n), tuple(v))


@pytest.mark.parametrize("law", [POWER, LOG])
def test_planted_factors_are_recovered_and_interpolated_in_ln_t(law):
    s = planted(law, {T0 / 3: 0.5, 2 * T0: 1.3})
    lf = s.log_factors(law)
    assert s.lengths.tolist() == [T0 / 3, T0, 2 * T0]
    assert lf == pytest.approx([math.log(0.5), 0.0, math.log(1.3)], abs=1e-9)
    f = s.factor(np.array([T0 / 3, T0, 2 * T0, math.sqrt(T0 * T0 / 3), np.inf]), lf)
    assert f[:3] == pytest.approx([0.5, 1.0, 1.3], rel=1e-9)
    assert f[3] == pytest.approx(math.sqrt(0.5), rel=1e-9)  # halfway in ln T
    assert f[4] == 1.0  # fully trained
    beyond = s.factor(4 * T0, lf)  # continues the last segment (callers warn)
    assert beyond == pytest.approx(1.3 ** (math.log(4) / math.log(2) * 1.0), rel=1e-9)


def test_draws_give_one_factor_per_law():
    laws = [WebLaw(E=0.4, A=0.02, alpha=a) for a in (0.4, 0.47, 0.55)]
    s = planted(laws[1], {T0 / 3: 0.5})
    lf = s.log_factors(LawDraws.of(laws))
    assert lf[0].shape == (3, 1) and lf[0][1, 0] == pytest.approx(math.log(0.5), abs=1e-9)
    for i, law in enumerate(laws):
        assert lf[0][i, 0] == pytest.approx(s.log_factors(law)[0], abs=1e-9)


def test_unreachable_loss_is_nan():
    assert np.isnan(equivalent_size(POWER, 0.3, 1e4))  # below the power law's floor E
    assert equivalent_size(POWER, POWER.loss(5e3), 1e4) == pytest.approx(5e3, rel=1e-9)


def test_reference_length_leaves_the_model_unchanged():
    s = planted(POWER, {T0 / 3: 0.5})
    plain = KnapsackModel(web=POWER, knowledge=KNOW, bits_per_param=0.4, training_tokens=T0)
    scaled = KnapsackModel(web=POWER, knowledge=KNOW, bits_per_param=0.4, training_tokens=T0,
                           length_scaling=s)  # fmt: skip
    n = np.array([3e3, 7e3, 1.2e4])
    assert np.array_equal(plain.critical_ratio(n), scaled.critical_ratio(n))
    assert np.array_equal(plain.learned_fraction(n, 0.05), scaled.learned_fraction(n, 0.05))


@pytest.mark.parametrize("law", [POWER, LOG])
def test_scaled_length_acts_like_a_model_of_rho_n(law):
    """Exposure curve off (s = 1): at T0/3 a model of N is the fully trained one of 0.5 N."""
    s = planted(law, {T0 / 3: 0.5})
    off = ExposureCurve(e_half=1e-12, gamma=1.0)
    short = KnapsackModel(web=law, knowledge=KNOW, bits_per_param=0.4, exposure=off,
                          training_tokens=T0 / 3, length_scaling=s)  # fmt: skip
    full = KnapsackModel(web=law, knowledge=KNOW, bits_per_param=0.4)
    for n in (3e3, 7e3, 1.2e4):
        assert short.critical_ratio(n) == pytest.approx(full.critical_ratio(0.5 * n), rel=1e-9)
        assert short.critical_size(0.05) == pytest.approx(2 * full.critical_size(0.05), rel=1e-9)


def test_bad_scalings_are_refused():
    with pytest.raises(ValueError, match="reference"):
        LengthScaling(T0, (T0,), (1e4,), (1.0,))
    with pytest.raises(ValueError, match="one entry per web run"):
        LengthScaling(T0, (T0 / 3,), (1e4, 2e4), (1.0,))


def test_a_draw_that_cannot_reach_a_loss_takes_the_median_laws_size():
    """A power-law draw whose floor lies above a run's loss gives no equivalent size: that draw
    uses the median law's (finite factors for every draw; the pairs are counted)."""
    laws = [WebLaw(E=e, A=0.5, alpha=0.3) for e in (0.1, 0.2, 0.95)]
    draws = LawDraws.of(laws)
    s = LengthScaling(T0, (2 * T0,), (1e4,), (0.9,))
    lf = s.log_factors(draws)[1]
    assert np.all(np.isfinite(lf)) and s.unreachable(draws) == 1
    median = s.log_factors(draws.median_law())[1]
    assert lf[2, 0] == pytest.approx(median, abs=1e-9)
