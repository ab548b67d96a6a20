"""Mixing strategies (theory.strategies): closed forms vs brute-force search on theory.allocate."""

import math

import numpy as np
import pytest

from mixphase.theory import KnapsackModel, KnowledgeGroup, KnowledgeSet, WebDomain, allocate
from mixphase.theory import strategies as st

# (model size, ratio, facts): partial keep, full set learned, knowledge larger than capacity
SETTINGS = [
    (70e6, 0.1, 320_000),
    (410e6, 0.1, 320_000),
    (70e6, 0.3, 3_200_000),
    (2e7, 0.02, 50_000),
]


def _model(facts):
    return KnapsackModel(knowledge=KnowledgeSet(n_facts=facts))


def _alloc(model, n, r, keep):
    """Brute force: allocation problem for the kept set; returns (facts learned, web bits)."""
    e, a, alpha = model.web_bits
    k = model.knowledge
    group = KnowledgeGroup(bits=keep * k.total_bits, value_per_bit=r * k.frequency / keep)
    out = allocate(model.capacity(n), [group], [WebDomain(A=a, alpha=alpha, share=1 - r, E=e)])
    return keep * k.n_facts * out.learned_fraction[0], out.web_bits[0]


def _web_increase_bits(model, n, web_bits):
    """Web loss (the law's unit) at web capacity ``web_bits`` minus at full capacity."""
    _e, a, alpha = model.web_bits
    to_unit = math.log(2) if model.web.loss_unit == "nats" else 1.0
    return to_unit * a * (web_bits ** (-alpha) - model.capacity(n) ** (-alpha))


@pytest.mark.parametrize(("n", "r", "facts"), SETTINGS)
def test_best_keep_fraction_matches_brute_force_grid(n, r, facts):
    model = _model(facts)
    grid = np.geomspace(1e-4, 1.0, 1500)
    learned = np.array([_alloc(model, n, r, rho)[0] for rho in grid])
    rho = float(st.best_keep_fraction(model, n, r))
    best = float(st.expected_facts(model, n, r, rho))
    assert best >= learned.max() * (1 - 1e-9)  # nothing on the grid beats the closed form
    assert rho == pytest.approx(grid[np.argmax(learned)], rel=0.01)
    assert best == pytest.approx(_alloc(model, n, r, rho)[0], rel=1e-6)  # theory == allocation


@pytest.mark.parametrize(("n", "r", "facts"), SETTINGS)
def test_collapse_at_is_the_largest_keep_fraction_that_learns(n, r, facts):
    model = _model(facts)
    rho_c = float(st.collapse_keep_fraction(model, n, r))
    if rho_c < 1:
        assert _alloc(model, n, r, rho_c * 0.999)[0] > 0
        assert _alloc(model, n, r, min(rho_c * 1.001, 1.0))[0] == pytest.approx(0, abs=1e-6)
    else:
        assert _alloc(model, n, r, 1.0)[0] > 0


@pytest.mark.parametrize("target", [0.0, 0.5, 0.9])
def test_ratio_for_target_share_matches_brute_force_over_ratio(target):
    model, n = _model(320_000), 70e6
    ratios = np.geomspace(0.05, 0.5, 3000)
    frac = np.array([_alloc(model, n, r, 1.0)[0] / 320_000 for r in ratios])
    brute = ratios[np.argmax(frac > target + 1e-9)]
    assert model.critical_ratio(n, target) == pytest.approx(brute, rel=2e-3)


@pytest.mark.parametrize(("n", "r", "facts"), SETTINGS)
def test_pareto_front_against_grid_over_ratio_and_keep(n, r, facts):
    """Over a (ratio, keep) grid: the web cost depends only on facts learned (one front), and no
    grid point reaches its facts at a lower ratio than the front's cheapest ratio."""
    model = _model(facts)
    h = model.knowledge.bits_per_fact
    for ratio in np.geomspace(r / 10, min(10 * r, 0.9), 7):
        for keep in np.geomspace(1e-3, 1, 9):
            learned, web_bits = _alloc(model, n, ratio, keep)
            if learned <= 1e-9:
                continue
            cost = st.web_loss_increase(model, n, learned * h)
            assert cost == pytest.approx(
                _web_increase_bits(model, n, web_bits), rel=1e-6, abs=1e-12
            )
            assert st.ratio_for_facts(model, n, learned)[0] <= ratio * (1 + 1e-6)
    front = st.pareto_front(model, n, points=20)
    for f, rr in zip(
        front["facts"], front["ratio"], strict=True
    ):  # the cheapest ratio does learn f
        assert _alloc(model, n, rr * (1 + 1e-6), f / model.knowledge.n_facts)[0] >= f * (1 - 1e-6)


@pytest.mark.parametrize(("n", "r", "facts"), SETTINGS)
def test_compact_multiplier_is_the_threshold_frequency_factor(n, r, facts):
    model = _model(facts)
    mu = float(st.compact_multiplier(model, n, r))
    tau = model.knowledge.tokens_per_fact

    def learned(mult):  # frequency x mult == tokens per fact / mult
        k = model.knowledge
        m = KnapsackModel(model.web, KnowledgeSet(k.n_facts, k.bits_per_fact, tau / mult))
        return m.learned_fraction(n, r)

    assert learned(mu * 1.001) > 0
    assert learned(mu * 0.999) == 0


def test_compact_token_share_counts_occurrences_per_token():
    tau, c = 100.0, 20.0
    for j in (0, 1, 3, 10):  # each fact once in full form and j times compactly
        sigma = j * c / (tau + j * c)
        mu = (1 + j) * tau / (tau + j * c)  # occurrences per knowledge token, relative
        assert st.compact_token_share(mu, tau, c) == pytest.approx(sigma, abs=1e-12)
    assert st.compact_token_share(0.5, tau, c) == 0
    assert np.isinf(st.compact_token_share(tau / c * 1.01, tau, c))
    assert np.isinf(st.compact_token_share(2.0, tau, tau))


def test_web_budget_inverse_and_best_plan_respects_budgets():
    model, n = _model(320_000), 70e6
    m = st.knowledge_bits_for_web_loss(model, n, 0.01)
    assert st.web_loss_increase(model, n, m) == pytest.approx(0.01, rel=1e-9)
    keep, ratio, facts, cost = st.best_plan(model, n, max_ratio=0.3, max_web_loss_increase=0.01)
    assert cost == pytest.approx(0.01, rel=1e-6) and ratio <= 0.3
    assert facts == pytest.approx(keep * 320_000)
    assert _alloc(model, n, ratio * (1 + 1e-6), keep)[0] >= facts * (1 - 1e-6)
    keep, ratio, facts, _ = st.best_plan(model, n, max_ratio=0.05)
    assert ratio == pytest.approx(0.05, rel=1e-6)
    assert facts == pytest.approx(float(st.expected_facts(model, n, 0.05, keep)), rel=1e-6)
