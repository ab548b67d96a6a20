"""Real-synthetic mixtures: cutoffs, exact expected error, breakpoints, phase exponents."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.theory import (
    Truncation,
    breakpoints,
    cutoff_from_samples,
    cutoff_from_temperature,
    cutoff_from_top_p,
    expected_error,
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
def test_sample_cutoff_covers_ranks_with_one_expected_occurrence(beta, n):
    p = zipf_pmf(beta, N)
    k = cutoff_from_samples(beta, n, N)
    assert n * p[k - 1] >= 1 - 1e-9
    assert n * p[k] < 1


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
