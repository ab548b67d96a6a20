"""fit_transition (binomial and normal) and fit_power_law."""

import json

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.fit import fit_power_law, fit_transition
from mixphase.records import dumps


def sigmoid_counts(xc=0.08, w=0.25, seed=0, n=12):
    rng = np.random.default_rng(seed)
    r = np.geomspace(0.01, 0.5, n)
    p = 0.05 + 0.9 / (1 + np.exp(-(np.log(r) - np.log(xc)) / w))
    total = np.full(n, 200)
    return r, rng.binomial(total, p), total


def test_transition_binomial_recovers_critical_point():
    r, correct, total = sigmoid_counts()
    f = fit_transition(r, correct=correct, total=total, seed=0)
    assert f.likelihood == "binomial"
    # (a 30-seed check of this generator: no bias, 90% intervals cover 80-97% of the time)
    assert abs(np.log(f.critical.median / 0.08)) < 0.1 and f.critical.upper > f.critical.lower
    assert abs(np.log(f.width.median / 0.25)) < 0.3
    assert abs(f.floor.median - 0.05) < 0.03 and abs(f.ceiling.median - 0.95) < 0.03
    d = json.loads(dumps(f))
    assert set(d["critical"]) == {"median", "lower", "upper"}
    assert d["engine"] == "fast" and d["diagnostics"]["effective_cells"] >= 30
    assert set(d["diagnostics"]["cell_width"]) == {"ln_critical", "ln_width", "floor", "ceiling"}
    assert "r_hat_max" not in d["diagnostics"]
    assert f.plot().get_xscale() == "log"
    assert 0.4 < f.predict(np.array([0.08]))[0] < 0.6


def test_transition_normal_values():
    r, correct, total = sigmoid_counts(seed=1)
    f = fit_transition(r, correct / total)
    assert f.likelihood == "normal"
    assert abs(np.log(f.critical.median / 0.08)) < 0.15


def test_transition_errors():
    r, correct, total = sigmoid_counts()
    with pytest.raises(MixphaseInputError, match="both"):
        fit_transition(r, correct=correct)
    with pytest.raises(MixphaseInputError, match="correct <= total"):
        fit_transition(r, correct=total + 1, total=total)
    flat = np.full(r.size, 100)
    with pytest.raises(MixphaseInputError, match="no transition"):
        fit_transition(r, correct=flat, total=total)


def test_power_law_exponent_and_comparison():
    rng = np.random.default_rng(0)
    n = np.geomspace(1e6, 1e9, 8)
    rc = 2e3 * n**-0.6 * np.exp(0.05 * rng.standard_normal(8))
    f = fit_power_law(n, rc, rc * 0.85, rc / 0.85, predicted_exponent=-0.6)
    assert f.exponent.contains(-0.6)
    assert f.consistent is True
    d = json.loads(dumps(f))
    assert d["comparison"]["inside_interval"] is True
    assert set(d["exponent"]) == {"median", "lower", "upper"}
    g = fit_power_law(n, rc, predicted_exponent=-1.0)
    assert g.consistent is False and "OUTSIDE" in str(g)
    assert g.plot().get_yscale() == "log"


def test_power_law_errors():
    with pytest.raises(MixphaseInputError, match="both"):
        fit_power_law([1, 2, 3], [1, 2, 3], y_lower=[0.5, 1, 2])
    with pytest.raises(MixphaseInputError, match="y_lower <= y"):
        fit_power_law([1, 2, 3], [1, 2, 3], [2, 3, 4], [3, 4, 5])
    with pytest.raises(MixphaseInputError, match="too few"):
        fit_power_law([1, 2], [1, 2])
