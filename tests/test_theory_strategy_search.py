"""The strategy searches equal the power-law closed forms at full training, and find the
brute-force optimum with finite training and other web laws."""

import numpy as np
import pytest

from mixphase.theory import KnapsackModel, KnowledgeSet, LogLaw
from mixphase.theory import strategies as st
from mixphase.theory import strategy_search as ss

CASES = [(1e8, 0.01, 2e6), (4e8, 0.003, 2e6), (7e7, 0.2, 3e5), (1e9, 0.05, 1e7)]


@pytest.mark.parametrize(("n", "r", "facts"), CASES)
def test_searches_equal_the_closed_forms(n, r, facts):
    m = KnapsackModel(knowledge=KnowledgeSet(n_facts=facts))
    assert ss.best_keep_fraction(m, n, r) == pytest.approx(st.best_keep_fraction(m, n, r), rel=1e-8)
    assert ss.collapse_keep_fraction(m, n, r) == pytest.approx(
        min(st.collapse_keep_fraction(m, n, r), 1.0), rel=1e-8)  # fmt: skip
    for f in (0.0, 1.0):
        closed = max(float(st.compact_multiplier(m, n, r, f)), 1.0)
        assert ss.frequency_multiplier(m, n, r, f) == pytest.approx(closed, rel=1e-7)
    assert ss.web_loss_increase(m, n, 1e7) == pytest.approx(st.web_loss_increase(m, n, 1e7))
    assert ss.knowledge_bits_for_web_loss(m, n, 0.01) == pytest.approx(
        st.knowledge_bits_for_web_loss(m, n, 0.01), rel=1e-8)  # fmt: skip


@pytest.mark.parametrize("training_tokens", [None, 3e9])
def test_best_keep_is_the_brute_force_optimum(training_tokens):
    m = KnapsackModel(web=LogLaw(a=4.0, c=0.3), knowledge=KnowledgeSet(n_facts=1e6),
                      training_tokens=training_tokens)  # fmt: skip
    n, r = 2e8, 0.01
    grid = np.geomspace(1e-4, 1, 4001)
    facts = np.array([ss.expected_facts(m, n, r, k) for k in grid])
    best = float(ss.best_keep_fraction(m, n, r))
    assert float(ss.expected_facts(m, n, r, best)) >= facts.max() * (1 - 1e-3)
    assert best == pytest.approx(grid[facts.argmax()], rel=5e-3)
