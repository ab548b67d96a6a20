"""General allocation: exact solver vs cvxpy, KKT threshold rule, one-set closed form."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.theory import KnapsackModel, KnowledgeGroup, WebDomain, allocate


def _one_set(model, n, r):
    groups = [KnowledgeGroup(model.knowledge.total_bits, r * model.knowledge.frequency)]
    domains = [WebDomain(A=model.web_bits[1], alpha=model.alpha, share=1 - r)]
    return model.capacity(n), groups, domains


@pytest.mark.parametrize("method", ["exact", "cvxpy"])
@pytest.mark.parametrize("r", [0.05, 0.1225, 0.125, 0.13, 0.3])
def test_one_set_reproduces_closed_form(method, r):
    model = KnapsackModel()
    alloc = allocate(*_one_set(model, 70e6, r), method=method)
    tol = 1e-12 if method == "exact" else 2e-4
    assert alloc.learned_fraction[0] == pytest.approx(model.learned_fraction(70e6, r), abs=tol)
    assert alloc.knowledge_bits.sum() + alloc.web_bits.sum() == pytest.approx(
        model.capacity(70e6), rel=1e-6
    )


def _random_problem(rng, n_groups, n_domains):
    cap = 1e6
    groups = [
        KnowledgeGroup(
            bits=float(rng.uniform(1e4, 1e5)), value_per_bit=float(10 ** rng.uniform(-9, -6))
        )
        for _ in range(n_groups)
    ]
    domains = [
        WebDomain(
            A=float(10 ** rng.uniform(1, 3)),
            alpha=float(rng.uniform(0.1, 0.8)),
            share=float(rng.uniform(0.2, 1.0)),
        )
        for _ in range(n_domains)
    ]
    return cap, groups, domains


@pytest.mark.parametrize("seed", range(6))
def test_exact_and_cvxpy_agree_on_random_problems(seed):
    rng = np.random.default_rng(seed)
    cap, groups, domains = _random_problem(rng, n_groups=8, n_domains=1 + seed % 3)
    a = allocate(cap, groups, domains, method="exact")
    b = allocate(cap, groups, domains, method="cvxpy")
    # same optimum value; allocations agree up to the solver's tolerance
    assert b.objective == pytest.approx(a.objective, rel=1e-6)
    assert np.allclose(a.learned_fraction, b.learned_fraction, atol=5e-3)
    assert b.marginal_value == pytest.approx(a.marginal_value, rel=1e-3)
    assert a.objective <= b.objective * (1 + 1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_kkt_threshold_rule(seed):
    rng = np.random.default_rng(100 + seed)
    cap, groups, domains = _random_problem(rng, n_groups=30, n_domains=2)
    a = allocate(cap, groups, domains)
    v = np.array([g.value_per_bit for g in groups])
    lam = a.marginal_value
    assert np.all(a.learned_fraction[v > lam * (1 + 1e-9)] == 1)
    assert np.all(a.learned_fraction[v < lam * (1 - 1e-9)] == 0)
    for d, x in zip(domains, a.web_bits, strict=True):
        assert d.marginal_value(x) == pytest.approx(lam, rel=1e-6)


def test_threshold_popularity_from_allocation_follows_power_law():
    """Facts in 100 groups with power-law frequencies (paper: exponent 1.5): the marginal value
    (threshold frequency) falls as M^-(alpha+1) while knowledge takes a small capacity share."""
    model = KnapsackModel()
    r = 0.01
    freq = np.arange(1, 101, dtype=float) ** -1.5
    freq /= freq.sum() * 1e5  # per-token frequency of each group's facts in the knowledge set
    groups = [KnowledgeGroup(bits=1e3, value_per_bit=r * f) for f in freq]
    domains = [WebDomain(A=model.web_bits[1], alpha=model.alpha, share=1 - r)]
    sizes = np.logspace(8, 10, 5)
    lam = [allocate(model.capacity(n), groups, domains).marginal_value for n in sizes]
    slope = np.polyfit(np.log(sizes), np.log(lam), 1)[0]
    assert slope == pytest.approx(-(model.alpha + 1), abs=0.01)


def test_bad_inputs():
    with pytest.raises(MixphaseInputError):
        allocate(-1.0, [], [WebDomain(1.0, 0.3)])
    with pytest.raises(MixphaseInputError):
        allocate(1.0, [], [])
    with pytest.raises(MixphaseInputError):
        allocate(1.0, [], [WebDomain(1.0, 0.3)], method="simplex")
