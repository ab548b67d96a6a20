"""Vectorised draws of web laws agree with the law objects, one by one."""

import numpy as np
import pytest

from mixphase.theory import BrokenPowerLaw, LogLaw, TableLaw, WebLaw
from mixphase.theory.web_law_draws import LawDraws, MixedLawDraws

N = np.geomspace(1e6, 1e10, 7)
LAWS = {
    "power": [WebLaw(E=1.5, A=4.0, alpha=a) for a in (0.2, 0.3, 0.4)],
    "log": [LogLaw(a=5.0, c=c) for c in (0.2, 0.3, 0.5)],
    "broken": [
        BrokenPowerLaw(E=1.0, A=3.0, alpha1=a1, alpha2=0.5, n_break=1e8) for a1 in (0.1, 0.2, 0.3)
    ],
}


@pytest.mark.parametrize("family", list(LAWS))
def test_draws_match_each_law(family):
    laws = LAWS[family]
    d = LawDraws.of(laws)
    m = d.marginal(N[None, :])
    for i, law in enumerate(laws):
        assert m[i] == pytest.approx(law.marginal(N), rel=1e-10)
        assert d.loss(N[None, :])[i] == pytest.approx(law.loss(N), rel=1e-12)
        assert d.local_exponent(N[None, :])[i] == pytest.approx(law.local_exponent(N), abs=1e-5)
    back = d.inverse_marginal(m)[0]
    assert back == pytest.approx(np.broadcast_to(N, back.shape), rel=1e-8)
    assert d.take([2, 0]).law(0) == laws[2]


def test_table_inverse_by_bisection_lands_on_knots():
    t = TableLaw((1e7, 3e7, 1e8), (3.0, 2.6, 2.4))
    d = LawDraws.of(t)
    v = np.full(100, 0.5 * (0.4 / 2e7 + 0.2 / 7e7))  # between the two segments' values
    assert d.inverse_marginal(v)[0] == pytest.approx(3e7, rel=1e-9)


def test_model_average_evaluates_each_part():
    p, q = LawDraws.of(LAWS["power"]), LawDraws.of(LAWS["log"])
    mix = MixedLawDraws((p, q), np.array([0, 1, 1, 0]), np.array([2, 0, 1, 0]))
    m = mix.marginal(N[None, :])
    assert m[0] == pytest.approx(LAWS["power"][2].marginal(N))
    assert m[2] == pytest.approx(LAWS["log"][1].marginal(N))
    assert mix.inverse_marginal(m)[0] == pytest.approx(np.broadcast_to(N, m.shape), rel=1e-8)
    assert mix.share() == {"power": 0.5, "log": 0.5}
