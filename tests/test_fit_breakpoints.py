"""fit_breakpoints: recovery, result shapes, model comparison, input errors (fast engine)."""

import json

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.fit import fit_breakpoints
from mixphase.records import dumps


def three_phase(n=50, noise=0.05, b=(1e2, 1e4), s=(-0.8, -0.05, -0.6), seed=1):
    rng = np.random.default_rng(seed)
    x = np.logspace(0, 6, n)
    lx, lb = np.log(x), np.log(b)
    ly = s[0] * lx + (s[1] - s[0]) * np.maximum(lx - lb[0], 0)
    if len(b) > 1:
        ly += (s[2] - s[1]) * np.maximum(lx - lb[1], 0)
    return x, np.exp(ly + noise * rng.standard_normal(n))


@pytest.fixture(scope="module")
def fit2():
    x, y = three_phase()
    return fit_breakpoints(x, y, 2, seed=0)


def test_recovers_breakpoints_and_slopes(fit2):
    assert fit2.n_breakpoints == 2
    for est, truth in zip(fit2.breakpoints, (1e2, 1e4), strict=True):
        assert est.contains(truth)
        assert abs(np.log10(est.median / truth)) < 0.05
    for est, truth in zip(fit2.slopes, (-0.8, -0.05, -0.6), strict=True):
        assert abs(est.median - truth) < 0.05
    assert fit2.breakpoints[0].upper < fit2.breakpoints[1].lower
    assert fit2.warnings == []


def test_json_shape(fit2):
    d = json.loads(dumps(fit2))
    assert d["n_breakpoints"] == 2
    assert [set(b) for b in d["breakpoints"]] == [{"median", "lower", "upper"}] * 2
    assert len(d["slopes"]) == 3
    # the fast engine samples nothing: grid diagnostics, not r-hat/ESS/divergences
    diag = d["diagnostics"]
    assert set(diag) == {"effective_cells", "grid_cells", "cell_width", "log_evidence"}
    assert set(diag["cell_width"]) == {"ln_b1", "ln_b2", "ln_sigma"}
    assert diag["effective_cells"] >= 30 and diag["grid_cells"] > diag["effective_cells"]
    # a final cell is a small fraction of the 6-decade log-x range
    assert 0 < diag["cell_width"]["ln_b1"] < 0.02 * np.log(1e6)
    assert diag["log_evidence"] == pytest.approx(fit2.log_evidence, abs=1e-3)
    assert d["engine"] == "fast" and "sampler" not in d
    assert isinstance(d["warnings"], list)
    assert "breakpoint 1" in str(fit2) and "phase 3" in str(fit2)


def test_predict_plot_and_save(fit2, tmp_path):
    import arviz as az

    xs = np.array([1.0, 1e3, 1e6])
    pred = fit2.predict(xs)
    assert pred.shape == (3,)
    lo, med, hi = fit2.band(xs)
    assert np.all(lo <= med) and np.all(med <= hi)
    ax = fit2.plot()
    assert ax.get_xscale() == "log" and len(ax.lines) >= 2
    fit2.save(tmp_path / "post.nc")
    idata = az.from_netcdf(tmp_path / "post.nc")
    assert idata.posterior["breakpoint_x"].shape[-1] == 2


def test_seed_reproducible():
    x, y = three_phase(n=30, seed=3)
    a = fit_breakpoints(x, y, 1, seed=5).to_dict()
    b = fit_breakpoints(x, y, 1, seed=5).to_dict()
    assert a == b


def test_auto_picks_one_breakpoint_by_evidence():
    x, y = three_phase(n=40, b=(1e3,), s=(-0.7, -0.1), noise=0.04, seed=2)
    f = fit_breakpoints(x, y, "auto")
    assert f.n_breakpoints == 1
    rows = f.comparison
    assert [r["n_breakpoints"] for r in rows] == [0, 1, 2, 3]
    assert sum(r["selected"] for r in rows) == 1
    assert set(rows[0]) == {"n_breakpoints", "log_evidence", "probability", "identified",
                            "selected"}  # fmt: skip
    # posterior model probabilities: a uniform prior over k, normalised exactly
    p = np.array([r["probability"] for r in rows])
    le = np.array([r["log_evidence"] for r in rows])
    assert p.sum() == pytest.approx(1.0)
    assert p == pytest.approx(np.exp(le - le.max()) / np.exp(le - le.max()).sum(), rel=1e-3)
    assert rows[1]["probability"] == p.max() and p.max() > 0.5
    d = f.to_dict()
    assert "comparison" in d and "marginal likelihood" in d["model_choice"]
    assert "P(k|y)" in str(f) and "uniform prior" in str(f)


def test_zero_and_three_breakpoints_and_y_err():
    x, y = three_phase(n=40)
    f0 = fit_breakpoints(x, y, 0)
    assert f0.breakpoints == [] and len(f0.slopes) == 1
    f3 = fit_breakpoints(x, y, 3)
    assert len(f3.breakpoints) == 3
    fe = fit_breakpoints(x, y, 2, y_err=0.05 * y)
    assert fe.breakpoints[0].contains(1e2)


def test_unidentified_breakpoints_raise():
    rng = np.random.default_rng(0)
    x = np.logspace(0, 3, 20)
    y = x**-0.5 * np.exp(0.01 * rng.standard_normal(20))  # a single power law
    with pytest.raises(MixphaseInputError, match="cannot locate breakpoint"):
        fit_breakpoints(x, y, 1)
    lx = np.log(x)
    y2 = np.exp(-0.5 * lx - 2 * np.maximum(lx - 0.5 * (lx[-1] + lx[-2]), 0))  # kink at the end
    with pytest.raises(MixphaseInputError, match="end of the data"):
        fit_breakpoints(x, y2 * np.exp(0.01 * rng.standard_normal(20)), 1)


@pytest.mark.parametrize(
    ("x", "y", "kw", "match"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, np.nan, 4, 5, 6, 7, 8], {}, "NaN"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, np.inf, 4, 5, 6, 7, 8], {}, "NaN or infinite"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, -3, 4, 5, 6, 7, 8], {}, "positive"),
        ([0, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8], {}, "positive"),
        ([1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7], {}, "too few"),
        ([1, 2, 3], [1, 2], {"n_breakpoints": 0}, "different lengths"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1], {"n_breakpoints": 4}, "between 0"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1], {"n_breakpoints": "x"}, "auto"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1], {"noise": "student_t"}, "pymc"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1], {"ci": 1.5}, "ci"),
        ([1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1], {"engine": "mcmc"}, "engine"),
    ],
)
def test_bad_input(x, y, kw, match):
    with pytest.raises(MixphaseInputError, match=match):
        fit_breakpoints(x, y, **kw)


def test_fast_fit_is_fast():
    import time

    x, y = three_phase(n=50, seed=7)
    fit_breakpoints(x, y, 2)  # warm-up
    t0 = time.perf_counter()
    fit_breakpoints(x, y, 2)
    assert time.perf_counter() - t0 < 5.0  # target < 2 s on an idle 2-core machine
