"""Claims 1-2 and 5 on synthetic rows with known answers; the bugs of issue 14."""

from __future__ import annotations

import numpy as np
import pytest
import validate_rows as VR

from mixphase.validate import claims as C
from mixphase.validate import scaling as S
from mixphase.validate import transitions as T
from mixphase.validate import verdicts as V
from mixphase.validate.report import compare


@pytest.fixture(scope="module")
def planted():
    rows = VR.sweep(exponent=-1.0)
    return rows, T.transition_records(rows, scatter=0.1)


def test_transition_records_recover_the_planted_critical_ratios(planted):
    _rows, recs = planted
    fitted = [t for t in recs if t.critical is not None]
    assert len(fitted) >= 4
    for t in fitted:
        q = VR.odds_c(t.params, -1.0)
        assert t.critical.lower * 0.95 <= q / (1 + q) <= t.critical.upper * 1.05
        d = t.to_dict()
        assert d["schema"] == T.SCHEMA and d["design_effect"] == 5  # people counted, not answers
        assert d["exposures_per_fact_at_critical"].median == pytest.approx(
            1e4 * t.critical.median, rel=1e-6
        )
        assert d["stored_bits_spread"] < 0.05 and d["web_only"]["stored_bits_web"] > 0
        assert [p["seeds"] for p in d["points"]] == [1] * len(VR.RATIOS)
        assert d["tokens_per_fact"] == 36 and d["n_people"] == VR.PEOPLE and d["seeds"] == ["0"]
        assert d["steps"] == 2000 and d["schedule"] == "cosine"


def test_sharp_transition_in_ratio_and_size_held(planted):
    rows, recs = planted
    assert C.transition_in_ratio(recs, rows).verdict == V.HELD
    assert C.transition_in_size(rows, scatter=0.1).verdict == V.HELD


def test_gradual_rise_is_not_a_sharp_transition():
    rows = VR.sweep(width=1.5, sizes=VR.SIZES[1:4], ratios=np.geomspace(1e-4, 0.9, 9).tolist())
    recs = T.transition_records(rows, scatter=0.0)
    assert C.transition_in_ratio(recs, rows).verdict == V.NOT_HELD


def test_critical_ratio_exponent_held_when_it_matches_and_not_when_it_does_not(planted):
    rows, recs = planted
    web = S.web_law_evidence(rows)
    assert web["numbers"]["law_vs_params"]["choice"] == "log"
    assert web["numbers"]["power_law"] is False  # the check cannot call a log law a power law
    assert web["numbers"]["predicted_from_marginal_value"].median == pytest.approx(-1.0, abs=0.05)
    held = S.critical_ratio_power_law(recs, rows, web)
    assert held.verdict == V.HELD, held.summary
    assert held.numbers["judged_against"] == "marginal value at the stored bits"
    steep = VR.sweep(exponent=-2.5, seeds=(0,), ratios=np.geomspace(1e-4, 0.6, 12).tolist())
    bad = S.critical_ratio_power_law(T.transition_records(steep, scatter=0.1), steep,
                                     S.web_law_evidence(steep))  # fmt: skip
    assert bad.verdict == V.NOT_HELD, bad.summary


def test_two_fitted_sizes_are_not_tested_never_held():
    # bug: two sizes gave a zero-width exponent and "HELD"; interpolated points entered the fit
    rows = VR.sweep(sizes=VR.SIZES[:2])
    c = S.critical_ratio_power_law(T.transition_records(rows, scatter=0.1), rows,
                                   S.web_law_evidence(rows))  # fmt: skip
    assert c.verdict == V.NOT_TESTED and "fitted transition" in c.summary
    rep = compare(rows, scatter=0.1)
    assert rep.verdict == V.NOT_TESTED and "HELD" not in str(rep)


def test_a_size_whose_transition_is_at_the_edge_is_left_out_not_interpolated():
    rows = VR.sweep(sizes=VR.SIZES[:4])
    for r in rows:  # d16's transition pushed beyond the largest swept ratio
        if r["size"] == VR.SIZES[0][0] and r["ratio"] > 0:
            r["bio_correct"], r["memorization_accuracy"] = 0, 0.0
    recs = T.transition_records(rows, scatter=0.1)
    d16 = next(t for t in recs if t.size == VR.SIZES[0][0])
    assert d16.critical is None and d16.reason
    c = S.critical_ratio_power_law(recs, rows, S.web_law_evidence(rows))
    assert c.numbers["sizes_fitted"] == 3


def test_compare_without_keys_does_not_pool_controls_as_seeds():
    # bug: compare(results) without keys pooled 3x-steps and trivial-web runs as seeds
    rows = VR.sweep(sizes=VR.SIZES[:3])
    n = VR.SIZES[0][1]
    ctl = [VR.row(VR.SIZES[0][0], n, 0.04, 1.0, seed=s, extra="|facts=10") for s in (0, 1)]
    ctl += [VR.row(VR.SIZES[0][0], n, 0.04, 0.9, seed=0, steps=6000)]
    a = compare(rows, scatter=0.1)
    b = compare(rows + ctl, scatter=0.1)
    ta, tb = a.transitions[0], b.transitions[0]
    assert len(tb.rows) == len(ta.rows)
    assert tb.critical.median == pytest.approx(ta.critical.median, rel=0.02)


def test_programming_errors_are_not_turned_into_no_transition(monkeypatch):
    # bug: claims._fit turned any exception into "no transition located" and dropped the size
    from mixphase.fit import transition as FT

    def broken(*a, **k):
        raise TypeError("a bug")

    monkeypatch.setattr(FT, "fast_binomial", broken)
    with pytest.raises(TypeError, match="a bug"):
        T.transition_records(VR.sweep(sizes=VR.SIZES[:2]), scatter=0.1)


def test_fit_failures_of_the_web_law_are_reported_not_swallowed(monkeypatch):
    # bug: _power_law swallowed any exception and fell back to OLS while saying "mixphase.fit"
    import mixphase.fit as F

    def broken(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(F, "fit_web_law", broken)
    with pytest.raises(ZeroDivisionError):
        S.web_law_evidence(VR.sweep(sizes=VR.SIZES[:3]))
