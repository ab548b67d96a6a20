"""Finite training and general web laws in the knapsack model: limits, inverses, directions."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from mixphase.theory import KnapsackModel, KnowledgeSet, LogLaw, TableLaw, WebLaw
from mixphase.theory.capacity import ALLEN_ZHU, ExposureCurve
from mixphase.theory.knapsack import from_ln_odds

BASE = KnapsackModel(knowledge=KnowledgeSet(n_facts=320_000))
SIZES = np.array([3e7, 7e7, 4.1e8, 2.8e9])


def test_allen_zhu_points():
    # b(100) = 1 and b(1000) = 1.8 bits/param with b_inf = 2 (Allen-Zhu & Li: ~1 and ~2)
    assert 2 * ALLEN_ZHU.factor(100.0) == pytest.approx(1.0, rel=1e-12)
    assert 2 * ALLEN_ZHU.factor(1000.0) == pytest.approx(2 / 1.1, rel=1e-12)
    assert ALLEN_ZHU.factor(np.inf) == 1.0 and ALLEN_ZHU.factor(0.0) == 0.0
    curve = ExposureCurve(300.0, 0.4)
    e = np.array([3.0, 300.0, 3e4])
    assert curve.exposures_for(curve.factor(e)) == pytest.approx(e, rel=1e-9)


@pytest.mark.parametrize("fraction", [0.0, 0.5, 1.0])
def test_finite_training_converges_to_the_closed_forms(fraction):
    """As T grows, every prediction tends to the fully trained closed form; the gap shrinks like
    1/T (s(E) = 1 - gamma*E_half/E + ...)."""
    gaps = []
    for t in (1e18, 1e19, 1e20):
        m = KnapsackModel(knowledge=BASE.knowledge, training_tokens=t)
        gaps.append(np.max(np.abs(np.log(m.critical_ratio(SIZES, fraction))
                                  - np.log(BASE.critical_ratio(SIZES, fraction)))))  # fmt: skip
    assert gaps[-1] < 1e-7  # the limit, to a stated tolerance
    assert gaps[0] / gaps[1] == pytest.approx(10, rel=0.1)  # O(1/T) convergence
    assert gaps[1] / gaps[2] == pytest.approx(10, rel=0.1)
    m = KnapsackModel(knowledge=BASE.knowledge, training_tokens=1e20)
    r = np.geomspace(1e-3, 0.5, 50)
    assert np.max(np.abs(m.learned_fraction(7e7, r) - BASE.learned_fraction(7e7, r))) < 1e-6
    assert m.critical_size(0.1, fraction) == pytest.approx(BASE.critical_size(0.1, fraction),
                                                          rel=1e-7)  # fmt: skip


def test_implicit_critical_ratio_solves_its_equation_and_inverts_critical_size():
    m = KnapsackModel(knowledge=BASE.knowledge, training_tokens=32e9)
    for f in (0.0, 0.5):
        rc = m.critical_ratio(SIZES, f)
        lhs = np.log(rc / (1 - rc))
        rhs = np.log(m.critical_odds(SIZES, f, rc))
        assert np.max(np.abs(lhs - rhs)) < 1e-9
        assert m.critical_size(rc, f) == pytest.approx(SIZES, rel=1e-7)
    rc = m.critical_ratio(SIZES, 0.5)
    assert np.asarray(m.learned_fraction(SIZES, rc)) == pytest.approx(0.5, abs=1e-6)


def test_directions_of_finite_training():
    """Fewer exposures -> less effective capacity -> a higher critical ratio. At a fixed length a
    larger model's onset sits at fewer exposures (its ratio falls faster than its set grows), so
    finite training lifts the paper's 410M / SynBio-1.28M onset more than 70M / SynBio-320k's."""
    short, long_ = (
        KnapsackModel(knowledge=BASE.knowledge, training_tokens=t) for t in (1e10, 1e11)
    )
    assert np.all(short.critical_ratio(SIZES) > long_.critical_ratio(SIZES))
    assert np.all(long_.critical_ratio(SIZES) > BASE.critical_ratio(SIZES))
    lifts = []
    for n, facts in ((7e7, 320e3), (4.1e8, 1.28e6)):
        k = KnowledgeSet(n_facts=facts)
        finite = KnapsackModel(knowledge=k, training_tokens=32e9).critical_ratio(n)
        lifts.append(finite / KnapsackModel(knowledge=k).critical_ratio(n))
    assert lifts[1] > 2 * lifts[0] > 2


def test_log_law_closed_forms_against_direct_minimisation():
    """Any convex web law: the learned fraction is the minimiser of the loss; the critical odds
    of a log law are c * to_bits / ((N - f*K*H/b) * b * kappa * p)."""
    law = LogLaw(a=4.0, c=0.3)
    m = KnapsackModel(web=law, knowledge=KnowledgeSet(n_facts=2e5), bits_per_param=1.5,
                      value_scale=0.7)  # fmt: skip
    k = m.knowledge
    for n, f in ((5e7, 0.0), (2e8, 0.5)):
        odds = law.c / math.log(2) / ((n - f * k.total_bits / 1.5) * 1.5 * 0.7 * k.frequency)
        assert m.critical_ratio(n, f) == pytest.approx(odds / (1 + odds), rel=1e-10)
    n = 1e8
    for r in (0.01, 0.05, 0.2):
        best = minimize_scalar(lambda x, r=r: m.loss(n, r, x * k.total_bits), bounds=(0, 1),
                               method="bounded", options={"xatol": 1e-10})  # fmt: skip
        assert m.learned_fraction(n, r) == pytest.approx(best.x, abs=1e-6)


def test_power_law_general_path_equals_the_paper_closed_form():
    """The parameter-currency formulas give M0(t) = (A*alpha/t)^(1/(alpha+1)) for a power law."""
    m = KnapsackModel(web=WebLaw(alpha=0.35), knowledge=KnowledgeSet(n_facts=1e5),
                      bits_per_param=1.3)  # fmt: skip
    _, a, alpha = m.web_bits
    r = np.array([0.001, 0.01, 0.1])
    t = r * m.knowledge.frequency / (1 - r)
    assert m.threshold_capacity(r) == pytest.approx((a * alpha / t) ** (1 / (alpha + 1)),
                                                    rel=1e-12)  # fmt: skip


def test_table_law_ties_give_m0_minus_and_plus():
    """At a value equal to a segment's marginal value, Thm 4.3's M0- < M0+: nothing is learned
    below M0-, the fraction is the midpoint of the optimal range in between."""
    table = TableLaw((1e7, 3e7, 1e8, 3e8), (3.0, 2.5, 2.2, 2.05))
    m = KnapsackModel(web=table, knowledge=KnowledgeSet(n_facts=1e4), bits_per_param=2.0)
    seg = (2.5 - 2.2) / (1e8 - 3e7)  # marginal value per parameter on [3e7, 1e8]
    t = seg / math.log(2) / 2.0  # per capacity bit
    q = t / m.knowledge.frequency
    r = q / (1 + q)
    lo, hi = 3e7, 1e8
    assert m.threshold_capacity(r) == pytest.approx(2.0 * lo, rel=1e-9)
    h = float(m.knowledge.total_bits)
    n = hi + 0.25 * h / 2.0  # between M0- and M0+ + H
    expected = 0.5 * (min(2 * (n - hi) / h, 1) + min(2 * (n - lo) / h, 1))
    assert m.learned_fraction(n, r) == pytest.approx(expected, rel=1e-9)


def test_draws_broadcast_like_single_models():
    """(D, 1) parameter arrays evaluate every draw at once, as D separate models would."""
    from mixphase.theory.web_law_draws import LawDraws

    b = np.array([[1.0], [2.0], [3.0]])
    laws = [WebLaw(alpha=a) for a in (0.25, 0.3, 0.35)]
    many = KnapsackModel(web=LawDraws.of(laws), bits_per_param=b, training_tokens=3e10,
                         exposure=ExposureCurve(np.array([[50.0], [100.0], [200.0]]), 0.8))  # fmt: skip
    got = many.critical_ratio(SIZES[None, :])
    for i in range(3):
        one = KnapsackModel(web=laws[i], bits_per_param=float(b[i, 0]), training_tokens=3e10,
                            exposure=ExposureCurve([50.0, 100.0, 200.0][i], 0.8))  # fmt: skip
        assert got[i] == pytest.approx(one.critical_ratio(SIZES), rel=1e-9)


def test_from_ln_odds():
    assert from_ln_odds(0.0) == 0.5
