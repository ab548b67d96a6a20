"""Knapsack phase diagrams and accuracy-vs-popularity curves (mixphase.simulate.knapsack)."""

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.simulate import phase_diagram, popularity_curves
from mixphase.theory import KnapsackModel

MODEL = KnapsackModel()
SIZES = np.geomspace(1e7, 1e9, 5)
RATIOS = np.geomspace(1e-3, 0.9, 6)


def test_closed_form_grid_matches_theory_and_exact_allocation():
    d = phase_diagram(MODEL, SIZES, RATIOS)
    for i, n in enumerate(SIZES):
        np.testing.assert_allclose(d.fraction[i], MODEL.learned_fraction(n, RATIOS))
    e = phase_diagram(MODEL, SIZES, RATIOS, method="exact")
    np.testing.assert_allclose(d.fraction, e.fraction, atol=1e-9)
    np.testing.assert_array_equal(d.observed, d.fraction)  # no noise without n_eval


def test_cvxpy_agrees_on_a_few_cells():
    d = phase_diagram(MODEL, np.geomspace(1e7, 1e8, 6), np.geomspace(0.05, 0.9, 6),
                      verify_cells=4)  # fmt: skip
    assert len(d.solver_check) == 4
    assert any(0 < c["fraction"] < 1 for c in d.solver_check)  # transition cells are checked
    assert max(c["abs_diff"] for c in d.solver_check) < 1e-3


def test_onset_line_separates_zero_from_learned():
    d = phase_diagram(MODEL, SIZES, np.geomspace(1e-4, 0.95, 40))
    for i, rc in enumerate(d.critical_ratio):
        assert np.all(d.fraction[i][d.ratios < rc * 0.999] == 0)
        assert np.all(d.fraction[i][d.ratios > rc * 1.001] > 0)
    assert d.truth["critical_ratio_exponent"] == pytest.approx(-(MODEL.alpha + 1))


def test_exposure_limit_is_all_or_nothing():
    tokens, m = 32e9, 100.0
    d = phase_diagram(MODEL, SIZES, RATIOS, exposures_needed=m, training_tokens=tokens)
    free = phase_diagram(MODEL, SIZES, RATIOS)
    r_exp = m * MODEL.knowledge.tokens / tokens
    assert d.exposure_ratio == pytest.approx(r_exp)
    low = RATIOS < r_exp
    assert np.all(d.fraction[:, low] == 0)
    np.testing.assert_array_equal(d.fraction[:, ~low], free.fraction[:, ~low])
    np.testing.assert_allclose(d.critical_ratio, np.maximum(free.critical_ratio, r_exp))
    limited = {c["limited_by"] for c in d.truth["curves"]}
    assert limited == {"capacity", "exposures"}
    np.testing.assert_allclose(d.exposures(RATIOS), RATIOS * tokens / MODEL.knowledge.tokens)


def test_binomial_observation_noise_is_seeded():
    a = phase_diagram(MODEL, SIZES, RATIOS, n_eval=50, seed=1)
    b = phase_diagram(MODEL, SIZES, RATIOS, n_eval=50, seed=1)
    np.testing.assert_array_equal(a.observed, b.observed)
    assert np.all(a.observed * 50 == np.round(a.observed * 50))
    assert np.all(a.observed[a.fraction == 0] == 0) and np.all(a.observed[a.fraction == 1] == 1)


def test_phase_rows_both_orientations():
    d = phase_diagram(MODEL, SIZES[:2], RATIOS[:3])
    rows = d.to_rows()
    assert len(rows) == 6 and rows[0]["curve"] == "N=1e+07" and rows[0]["x"] == RATIOS[0]
    rows = d.to_rows(x="size")
    assert rows[0]["curve"].startswith("r=") and rows[0]["x"] == SIZES[0]
    assert "onset" in str(d)


def test_popularity_threshold_scales_like_theory():
    pc = popularity_curves(MODEL)
    learned = pc.learned_fraction
    # groups are learned from the most popular down, more of them for bigger models
    assert np.all(np.diff(learned, axis=1) <= 1e-12)
    assert np.all(np.diff(learned.sum(axis=1)) > 0)
    # learned groups lie above the predicted threshold, unlearned ones below
    for i, f_thr in enumerate(pc.predicted_threshold):
        assert np.all(pc.popularity[learned[i] == 1] >= f_thr * (1 - 1e-9))
        assert np.all(pc.popularity[learned[i] == 0] <= f_thr * (1 + 1e-9))
    # slope of log threshold vs log N: -(alpha+1) (paper: predicted -1.283)
    assert pc.predicted_slope == pytest.approx(-(MODEL.alpha + 1), abs=0.02)
    assert pc.measured_slope == pytest.approx(-(MODEL.alpha + 1), abs=0.15)
    assert pc.truth["threshold_slope"]["theory_asymptotic"] == pytest.approx(-1.283)


def test_popularity_noise_and_rows():
    a = popularity_curves(MODEL, sizes=(1e7, 1e8), slip_rate=0.1, guess_rate=0.05, seed=2)
    b = popularity_curves(MODEL, sizes=(1e7, 1e8), slip_rate=0.1, guess_rate=0.05, seed=2)
    np.testing.assert_array_equal(a.accuracy, b.accuracy)
    lf = a.learned_fraction
    assert a.accuracy[lf == 1].mean() == pytest.approx(0.9, abs=0.03)
    assert a.accuracy[lf == 0].mean() == pytest.approx(0.05, abs=0.02)
    rows = a.to_rows()
    assert len(rows) == 2 * 100 and {r["curve"] for r in rows} == {"N=1e+07", "N=1e+08"}
    assert "Algorithm 1" in str(a)


def test_plots_return_axes(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    d = phase_diagram(MODEL, SIZES, RATIOS, exposures_needed=10, training_tokens=1e10)
    ax = d.plot(path=tmp_path / "pd.png")
    assert ax.get_xscale() == "log" and (tmp_path / "pd.png").stat().st_size > 0
    pc = popularity_curves(MODEL, sizes=(1e7, 1e8))
    assert pc.plot(path=tmp_path / "pop.png").get_xscale() == "log"


@pytest.mark.parametrize(
    "kw",
    [{"method": "magic"}, {"exposures_needed": 10}, {"ratios": [0.5, 1.0]}, {"sizes": [-1]},
     {"n_eval": 0}, {"verify_cells": -1}, {"exposures_needed": 0, "training_tokens": 1e9}],
)  # fmt: skip
def test_phase_bad_input(kw):
    args = {"model": MODEL, "sizes": SIZES, "ratios": RATIOS, **kw}
    with pytest.raises(MixphaseInputError):
        phase_diagram(**args)


@pytest.mark.parametrize("kw", [{"ratio": 1.0}, {"n_groups": 0}, {"slip_rate": 2}, {"exponent": 0}])
def test_popularity_bad_input(kw):
    with pytest.raises(MixphaseInputError):
        popularity_curves(MODEL, **kw)
