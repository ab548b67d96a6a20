"""Real-synthetic mixtures: cutoffs, exact expected error, breakpoints, phase exponents."""

import numpy as np
import pytest
from scipy.special import gamma

from mixphase.errors import MixphaseInputError
from mixphase.theory import (
    Truncation,
    breakpoints,
    cutoff_from_samples,
    cutoff_from_temperature,
    cutoff_from_top_p,
    expected_error,
    expected_support,
    mixture_distribution,
    phase_exponents,
    synthetic_distribution,
    zipf_pmf,
)

N = 200_000


def _local_slope(p, q, s, h=0.05):
    e = expected_error(p, q, [s * np.exp(-h), s * np.exp(h)])
    return float(np.log(e[1] / e[0]) / (2 * h))


@pytest.mark.parametrize("beta", [1.3, 2.0, 3.0])
@pytest.mark.parametrize("top_p", [0.5, 0.9, 0.99])
def test_top_p_cutoff_is_smallest_head_reaching_p(beta, top_p):
    p = zipf_pmf(beta, N)
    k = cutoff_from_top_p(beta, top_p, N)
    assert p[:k].sum() >= top_p * (1 - 1e-12)
    assert k == 1 or p[: k - 1].sum() < top_p


@pytest.mark.parametrize("beta", [1.5, 2.0])
@pytest.mark.parametrize("n", [1e3, 1e5, 1e7])
def test_occurrence_rule_covers_ranks_with_one_expected_occurrence(beta, n):
    p = zipf_pmf(beta, N)
    k = cutoff_from_samples(beta, n, N, rule="occurrence")
    assert n * p[k - 1] >= 1 - 1e-9
    assert n * p[k] < 1


@pytest.mark.parametrize("beta", [1.5, 2.0])
@pytest.mark.parametrize("n", [1e3, 1e5])
def test_support_rules_match_the_expected_support(beta, n):
    p = zipf_pmf(beta, N)
    count, mass = expected_support(beta, n, N)
    assert count == pytest.approx(np.sum(1 - (1 - p) ** n), rel=1e-10)
    assert mass == pytest.approx(np.sum(p * (1 - (1 - p) ** n)), rel=1e-10)
    k = cutoff_from_samples(beta, n, N)  # default: support-mass
    assert p[:k].sum() >= mass * (1 - 1e-12) and p[: k - 1].sum() < mass
    assert cutoff_from_samples(beta, n, N, rule="support-count") == round(count)
    # the support is ~Gamma(1 - 1/beta) times the occurrence rank (issue 16: 436 vs 246, beta 2)
    k_occ = cutoff_from_samples(beta, n, N, rule="occurrence")
    assert k_occ < k < count
    assert count / k_occ == pytest.approx(gamma(1 - 1 / beta), rel=0.06)


@pytest.mark.parametrize("beta", [1.5, 2.0, 2.5])
def test_sample_cutoff_against_a_learner_trained_on_the_actual_sample(beta):
    """Issue 16: the synthetic set is n draws; its law is their empirical distribution, so the
    learner's plateau is the sample's missing mass. Monte Carlo over 20 samples (exact over the
    training draws) vs the truncated model with each rule. Tolerance: the support-mass cutoff is
    within 8% of the Monte Carlo on the plateau and within 20% everywhere (a top-k cutoff is
    not a random support); the old occurrence rule is > 10% too high on the plateau."""
    n, pi, n_items = 1e4, 0.02, 100_000
    p = zipf_pmf(beta, n_items)
    bp = breakpoints(beta, Truncation(synthetic_samples=n), pi, n_items)
    sizes = np.geomspace(bp.first / 30, bp.second * 30, 13)
    rng = np.random.default_rng(0)
    mc = np.mean([expected_error(p, pi * p + (1 - pi) * rng.multinomial(int(n), p) / n, sizes)
                  for _ in range(20)], axis=0)  # fmt: skip
    plateau = int(np.argmin(np.abs(np.log(sizes / np.sqrt(bp.first * bp.second)))))

    def rel(rule):
        _, q = mixture_distribution(beta, Truncation(synthetic_samples=n, sample_rule=rule), pi,
                                    n_items)  # fmt: skip
        return expected_error(p, q, sizes) / mc - 1

    mass, occ = rel("support-mass"), rel("occurrence")
    assert abs(mass[plateau]) < 0.08
    assert np.max(np.abs(mass)) < 0.20
    assert occ[plateau] > 0.10
    assert abs(mass[plateau]) < abs(occ[plateau]) and abs(mass[plateau]) < abs(
        rel("support-count")[plateau]
    )


def test_expected_error_has_no_nan_when_an_item_is_certain():
    """Issue 16: 1.0 - 1e-300 == 1.0, so err(|S| = 0) was NaN when some q_i = 1."""
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([1.0, 0.0, 0.0])
    np.testing.assert_array_equal(expected_error(p, q, [0, 1, 5]), [1.0, 0.5, 0.5])


def test_three_phase_validity_warning():
    """Issue 16: at pi = 0.2 the breakpoints are ~5x apart and the middle slope is -0.20: no
    plateau, so breakpoints() warns; at pi = 0.01 (100x apart, slope -0.03) it does not."""
    t = Truncation(cutoff=100)
    bad, good = breakpoints(2.0, t, 0.2, N), breakpoints(2.0, t, 0.01, N)
    assert not bad.three_phase_valid and "no plateau" in bad.warning and "WARNING" in str(bad)
    assert bad.plateau_span == pytest.approx(1 + 0.8 / (0.2 * bad.head_mass), rel=0.03)
    assert bad.plateau_slope == pytest.approx(-0.20, abs=0.01)
    assert good.three_phase_valid and good.warning is None and "WARNING" not in str(good)
    assert abs(good.plateau_slope) < 0.05 and good.plateau_span > 100
    assert bad.to_dict()["warning"] == bad.warning and good.to_dict()["three_phase_valid"]
    # the largest share with a decade-long plateau puts the span at exactly 10
    pi_max = bad.max_real_share_for_plateau
    assert breakpoints(2.0, t, pi_max, N).plateau_span == pytest.approx(10, rel=1e-9)
    assert breakpoints(2.0, t, 1.0, N).warning is not None  # all real: one phase


def test_temperature_reshapes_exponent():
    # tau < 1 sharpens the law (exponent beta/tau): fewer ranks covered by the same samples.
    assert cutoff_from_temperature(2.0, 0.5, 1e6, N) < cutoff_from_samples(2.0, 1e6, N)
    assert cutoff_from_temperature(2.0, 1.0, 1e6, N) == cutoff_from_samples(2.0, 1e6, N)
    ps = synthetic_distribution(2.0, Truncation(temperature=0.5, synthetic_samples=1e6), N)
    k = np.flatnonzero(ps)[-1] + 1
    ratio = ps[1] / ps[0]
    assert ratio == pytest.approx(2.0 ** (-2.0 / 0.5), rel=1e-12)
    assert ps.sum() == pytest.approx(1.0) and k == cutoff_from_temperature(2.0, 0.5, 1e6, N)


def test_expected_error_matches_brute_force():
    p = np.array([0.5, 0.3, 0.2])
    q = np.array([0.7, 0.3, 0.0])
    sizes = [0, 1, 2, 5]
    brute = [sum(pi * (1 - qi) ** s for pi, qi in zip(p, q, strict=True)) for s in sizes]
    assert np.allclose(expected_error(p, q, sizes), brute, rtol=1e-14)


@pytest.mark.parametrize("beta", [1.5, 2.0, 2.5])
def test_first_breakpoint_scales_as_k_to_the_beta(beta):
    pi = 0.05
    ks = np.array([50, 100, 200, 400])
    s1 = np.array([breakpoints(beta, Truncation(cutoff=int(k)), pi, N).first for k in ks])
    # exactly Z k^beta / (pi + (1-pi)/P_k): the k-dependence beyond k^beta is only P_k -> 1
    p = zipf_pmf(beta, N)
    head = np.array([p[:k].sum() for k in ks])
    c1 = s1 * (pi + (1 - pi) / head) / ks**beta
    assert np.allclose(c1, c1[0], rtol=1e-9)
    slope = np.polyfit(np.log(ks), np.log(s1), 1)[0]
    assert slope == pytest.approx(beta, abs=0.1)


@pytest.mark.parametrize("beta", [1.5, 2.0])
def test_second_breakpoint_scales_as_k_beta_over_pi(beta):
    t = Truncation(cutoff=100)
    pis = np.array([0.01, 0.03, 0.1, 0.3])
    s2 = np.array([breakpoints(beta, t, pi, N).second for pi in pis])
    assert np.allclose(s2 * pis, s2[0] * pis[0], rtol=1e-12)  # exactly 1/pi
    ks = np.array([50, 100, 200])
    s2k = [breakpoints(beta, Truncation(cutoff=int(k)), 0.1, N).second for k in ks]
    assert np.polyfit(np.log(ks + 1), np.log(s2k), 1)[0] == pytest.approx(beta, abs=1e-9)


@pytest.mark.parametrize("beta", [1.5, 2.0])
def test_plateau_between_breakpoints_and_phase_exponents(beta):
    pi, k = 0.003, 100
    t = Truncation(cutoff=k)
    bp = breakpoints(beta, t, pi, N)
    p, q = mixture_distribution(beta, t, pi, N)
    e1, e2, e3 = phase_exponents(beta)
    mid = np.sqrt(bp.first * bp.second)
    # plateau: flat, at the height of the tail mass beyond k
    assert abs(_local_slope(p, q, mid) - e2) < 0.06
    assert expected_error(p, q, [mid])[0] == pytest.approx(bp.plateau_error, rel=0.05)
    # phase 1 (well below |S|_1) and phase 3 (well above |S|_2, before the universe runs out)
    assert _local_slope(p, q, bp.first / 30) == pytest.approx(e1, abs=0.06)
    assert _local_slope(p, q, bp.second * 30) == pytest.approx(e3, abs=0.06)
    # the plateau is flatter than both neighbouring phases
    assert _local_slope(p, q, bp.first / 30) < _local_slope(p, q, mid) - 0.3


def test_phase_three_is_real_data_alone():
    """In phase 3 the tail is taught only by the real share: err(|S|) ~ err_real(pi*|S|)."""
    beta, pi = 2.0, 0.01
    t = Truncation(cutoff=50)
    p, q = mixture_distribution(beta, t, pi, N)
    s = breakpoints(beta, t, pi, N).second * 50
    tail = slice(50, None)
    e_mix = expected_error(p[tail], q[tail], [s])[0]
    e_real = expected_error(p[tail], pi * p[tail], [s])[0]
    assert e_mix == pytest.approx(e_real, rel=1e-9)


def test_all_real_has_no_plateau():
    bp = breakpoints(2.0, Truncation(cutoff=100), 1.0, N)
    assert bp.second / bp.first == pytest.approx(1.0, rel=0.05)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cutoff": 10, "top_p": 0.9},
        {},
        {"cutoff": 0},
        {"cutoff": 10, "temperature": 0.7},
    ],
)
def test_truncation_needs_exactly_one_mechanism(kwargs):
    with pytest.raises(MixphaseInputError):
        Truncation(**kwargs)


@pytest.mark.parametrize("beta,pi", [(1.0, 0.1), (0.5, 0.1), (2.0, 0.0), (2.0, 1.5)])
def test_bad_beta_or_share(beta, pi):
    with pytest.raises(MixphaseInputError):
        breakpoints(beta, Truncation(cutoff=10), pi, 1000)
