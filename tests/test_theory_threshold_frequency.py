"""Threshold frequency (Gu et al. eq. 6): per pre-training token, at the web's capacity M - m."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.optimize import minimize_scalar

from mixphase.cli import cli
from mixphase.theory import KnapsackModel, KnowledgeSet
from mixphase.theory.predictions import threshold_frequency_table

MODEL = KnapsackModel()  # SynBio-320k, the paper's web law, 2 bits/parameter


def test_onset_regime_is_an_exact_power_law_in_pretraining_normalisation():
    n, r = np.array([1e7, 1e8]), 0.01  # nothing stored at r = 0.01: m = 0
    assert np.all(MODEL.learned_fraction(n, r) == 0)
    f = MODEL.threshold_frequency(n, r)
    assert np.log(f[1] / f[0]) / np.log(10) == pytest.approx(-(MODEL.alpha + 1), rel=1e-12)
    # the old quantity is the same threshold per knowledge-set token: divided by r
    np.testing.assert_allclose(MODEL.knowledge_set_threshold_frequency(n, r), f / r, rtol=1e-12)
    # a fact whose frequency per pre-training token is f_thres (p = f/r in the set) is at onset
    single = KnapsackModel(knowledge=KnowledgeSet(n_facts=1, tokens_per_fact=r / f[0]))
    assert single.knowledge.frequency * r == pytest.approx(f[0], rel=1e-12)
    assert single.critical_ratio(1e7) == pytest.approx(r, rel=1e-10)


def test_partly_stored_set_puts_the_threshold_at_its_own_frequency():
    """While 0 < phi < 1 the first-order condition holds: f_thres = r*p exactly, evaluated at
    the web's capacity M - m; at M it would be off by ((M - m)/M)^-(alpha+1)."""
    r = 0.01
    n = MODEL.critical_size(r, fraction=0.5)  # half the set stored
    phi = MODEL.learned_fraction(n, r)
    assert phi == pytest.approx(0.5, rel=1e-9)
    f = MODEL.threshold_frequency(n, r)
    assert f == pytest.approx(r * MODEL.knowledge.frequency, rel=1e-9)
    m, mk = MODEL.capacity(n), phi * MODEL.knowledge.total_bits
    at_full = r * MODEL.knowledge_set_threshold_frequency(n, r)
    assert at_full / f == pytest.approx(((m - mk) / m) ** (MODEL.alpha + 1), rel=1e-9)


def test_threshold_frequency_matches_a_direct_marginal_computation():
    """(1-r) * web marginal value at the optimal web capacity, with m from a numeric optimum."""
    model = KnapsackModel(knowledge=KnowledgeSet(n_facts=5e6))
    n = 7e8
    r = float(model.critical_ratio(n, fraction=0.6))  # 60% stored: ~10% of capacity
    k, (_, a, alpha) = model.knowledge, model.web_bits
    cap = float(model.capacity(n))
    res = minimize_scalar(
        lambda m: float(model.loss(n, r, knowledge_bits=m)),
        bounds=(0, min(cap, k.total_bits)),
        method="bounded",
        options={"xatol": 1e-3},
    )
    direct = (1 - r) * a * alpha * (cap - res.x) ** (-alpha - 1)
    assert 0.05 < res.x / cap < 0.2  # the regime where M - m matters
    assert model.threshold_frequency(n, r) == pytest.approx(direct, rel=1e-5)
    # ... and where evaluating at M is visibly off (issue 16: ~14% at 10% of capacity)
    assert r * model.knowledge_set_threshold_frequency(n, r) / direct < 0.9


def test_table_and_cli_report_both_normalisations():
    sizes = [1.6e8, 1e9]
    t = threshold_frequency_table(MODEL, sizes, 0.01)
    np.testing.assert_allclose(t.per_knowledge_token, t.frequency / 0.01)
    np.testing.assert_allclose(t.relative_to_uniform, t.frequency / (0.01 / MODEL.knowledge.tokens))
    res = CliRunner().invoke(cli, ["predict", "threshold-popularity", "-n", "1.6e8", "-n", "1e9",
                                   "--ratio", "0.01", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["normalisation"].startswith("per pre-training token")
    row = out["predictions"][1]  # intervals over the model's prior draws (issue 13)
    point = MODEL.threshold_frequency(1e9, 0.01)
    est = row["threshold_frequency"]
    assert est["lower"] < point < est["upper"]
    assert est["median"] == pytest.approx(point, rel=0.3)
    assert row["learned_fraction"]["median"] == pytest.approx(1.0)
    assert row["threshold_frequency_per_knowledge_token"]["median"] == pytest.approx(
        est["median"] / 0.01
    )
