"""Seed scatter and clustered answers in the transition fit: likelihood, pooling, coverage."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import betabinom, binom

from mixphase.errors import MixphaseInputError
from mixphase.fit import fit_transition
from mixphase.fit import likelihoods as L
from mixphase.fit.scatter import fit_transitions
from mixphase.simulate.seed_scatter import simulate_runs

RATIOS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.028, 0.04, 0.057]  # coarse grid + 3 near r_c
SEEDS = [1, 1, 1, 1, 1, 3, 3, 3]


def test_beta_binomial_matches_scipy_and_reduces_to_binomial():
    k, n = np.arange(41), 40
    for p, rho in [(0.3, 0.2), (0.05, 0.01), (0.9, 0.5)]:
        a = p * (1 / rho - 1)
        ref = betabinom.logpmf(k, n, a, (1 - p) * (1 / rho - 1))
        assert np.allclose(L.beta_binomial_logpmf(k, n, p, rho), ref, atol=1e-9)
    assert np.allclose(L.beta_binomial_logpmf(k, n, 0.3, 1e-9), binom.logpmf(k, n, 0.3))
    # fractional counts (a design effect) keep the continuous extension normalised nearly
    assert np.exp(L.beta_binomial_logpmf(k, n, 0.3, 0.2)).sum() == pytest.approx(1.0, abs=1e-9)


def test_scatter_rho_is_largest_at_the_transition_and_zero_on_plateaus():
    u = np.log([0.001, 0.04, 1.0])
    mu, slope = L.transition_mean(u, np.log(0.04), np.log(0.2), 0.0, 1.0)
    rho = L.scatter_rho(mu, slope, 0.12)
    assert rho[1] == pytest.approx((1.25 * 0.12) ** 2 / 0.25)  # slope 1/(4w) at mu = 1/2
    assert rho[0] < 1e-6 and rho[2] < 1e-6


def _coverage(n_rep, **kw):
    hit, widths = 0, []
    for i in range(n_rep):
        rng = np.random.default_rng(i)
        rc = float(np.exp(rng.uniform(np.log(0.03), np.log(0.055))))
        d = simulate_runs(RATIOS, SEEDS, critical_ratio=rc, width=0.2, tau=0.12, icc=0.15, rng=rng)
        f = fit_transition(d["x"], correct=d["correct"], total=d["total"], seed=i, **kw)
        hit += f.critical.lower <= rc <= f.critical.upper
        widths.append(np.log(f.critical.upper / f.critical.lower))
    return hit / n_rep, float(np.median(widths))


@pytest.mark.slow
def test_intervals_cover_planted_seed_scatter():
    """Planted sd(ln r_c) = 0.12 between runs, icc 0.15 within people (design effect 1.6): the
    90% interval of r_c covers ~90% with the scatter in the likelihood; the binomial that counts
    every answer as independent covers far less (its intervals are ~3x too narrow)."""
    cov, width = _coverage(40, scatter=0.12, design_effect=1.6)
    assert 0.8 <= cov <= 0.98, cov  # 200 replicates: 0.885 (benchmarks/fit_transition_coverage.py)
    cov_plain, width_plain = _coverage(10)
    assert cov_plain < 0.6 and width_plain < width / 2


def test_pooled_scatter_recovers_a_planted_tau_and_widens_intervals():
    rng = np.random.default_rng(5)
    curves = [simulate_runs(np.multiply(RATIOS, f), SEEDS, critical_ratio=0.04 * f, width=0.2,
                            tau=0.25, icc=0.0, rng=rng) for f in (0.5, 2.0)]  # fmt: skip
    pooled = fit_transitions(curves, scatter="fit", seed=1)
    assert pooled.scatter.lower < 0.25 < pooled.scatter.upper
    assert pooled.scatter.lower > 0.06
    assert all(f is not None for f in pooled.fits)
    plain = fit_transition(curves[1]["x"], correct=curves[1]["correct"], total=curves[1]["total"])
    f = pooled.fits[1]
    assert f.likelihood == "beta-binomial" and f.scatter is pooled.scatter
    assert np.log(f.critical.upper / f.critical.lower) > 2 * np.log(
        plain.critical.upper / plain.critical.lower
    )


def test_pooled_fit_reports_a_curve_without_transition_instead_of_failing():
    rng = np.random.default_rng(0)
    good = simulate_runs(RATIOS, SEEDS, critical_ratio=0.04, width=0.2, tau=0.1, rng=rng)
    flat = {"x": RATIOS, "correct": [0] * len(RATIOS), "total": [200] * len(RATIOS)}
    out = fit_transitions([good, flat], scatter=0.1, design_effect=5)
    assert out.fits[0] is not None and out.fits[1] is None
    assert "no transition" in out.errors[1] or "cannot identify" in out.errors[1]


@pytest.mark.parametrize(
    "kw,msg",
    [({"scatter": -1}, "scatter"), ({"scatter": "maybe"}, "scatter"),
     ({"design_effect": 0.5}, "design_effect"), ({"scatter": 0.1, "engine": "pymc"}, "fast")],
)  # fmt: skip
def test_bad_noise_options(kw, msg):
    with pytest.raises(MixphaseInputError, match=msg):
        fit_transition(RATIOS, correct=[0, 1, 5, 150, 190, 30, 100, 170],
                       total=[200] * 8, **kw)  # fmt: skip
