"""The PyMC engine: every NUTS sampler gives the exact posterior (the fast engine's) within Monte
Carlo error; compiled models are reused without changing results; Student-t noise; transitions."""

import io
import sys

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from mixphase.fit import _arviz, _nuts, fit_breakpoints, fit_transition
from mixphase.fit.breakpoints import make_problem

SMALL = {"chains": 2, "draws": 400, "tune": 400}


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def one_kink(n=30, seed=3, noise=0.08):
    rng = np.random.default_rng(seed)
    x = np.logspace(0, 4, n)
    lx = np.log(x)
    y = np.exp(-0.7 * lx + 0.6 * np.maximum(lx - np.log(100), 0) + noise * rng.standard_normal(n))
    return x, y


def needs(sampler):
    return pytest.mark.skipif(not _nuts.installed(sampler), reason=f"{sampler} not installed")


@pytest.fixture(scope="module")
def exact():
    """The exact posterior of the one-kink curve: 20000 draws on the fast engine's grid."""
    x, y = one_kink()
    return fit_breakpoints(x, y, 1, seed=1, n_draws=20000)


@pytest.mark.slow
@pytest.mark.parametrize(
    "sampler", [pytest.param(s, marks=needs(s)) for s in _nuts.SAMPLERS]
)  # fmt: skip
def test_sampler_matches_exact_posterior(sampler, exact, tmp_path):
    """Each sampler's medians and 90% interval ends agree with the exact posterior's within
    Monte Carlo error; then (nutpie, pymc) the compiled model is reused for another curve."""
    x, y = one_kink()
    nuts = fit_breakpoints(x, y, 1, seed=1, engine="pymc", sampler=sampler, **SMALL)
    d = nuts.to_dict()
    assert d["engine"] == "pymc" and d["sampler"] == sampler
    assert set(d["diagnostics"]) == {"r_hat_max", "ess_bulk_min", "divergences"}
    assert nuts.diagnostics["ess_bulk_min"] > 150 and nuts.diagnostics["r_hat_max"] < 1.05
    assert sampler in str(nuts)
    # medians and 90% interval ends of the breakpoint and both slopes, in the units reported:
    # within 4 Monte Carlo standard errors of NUTS's quantile (plus 3% of the width for the
    # grid's resolution and the exact draws' own error)
    post = nuts.draws
    b_x = np.exp(nuts.problem.su.back(post.b[..., 0]))
    from mixphase.fit.families import phase_slopes

    coef = post.coef.reshape(-1, 3)
    scale = nuts.problem.sv.scale / nuts.problem.su.scale
    slopes = (phase_slopes(coef) * scale).reshape(*post.coef.shape[:2], 2)
    samples = [b_x, slopes[..., 0], slopes[..., 1]]
    for est, ref, s in zip(nuts.breakpoints + nuts.slopes, exact.breakpoints + exact.slopes,
                           samples, strict=True):  # fmt: skip
        width = ref.upper - ref.lower
        for q, a, b in ((0.5, est.median, ref.median), (0.05, est.lower, ref.lower),
                        (0.95, est.upper, ref.upper)):  # fmt: skip
            tol = 4 * _arviz.quantile_mcse(s, q) + 0.03 * width
            assert abs(a - b) < tol, (sampler, q, a, b, tol)
    nuts.save(tmp_path / "trace.nc")
    assert (tmp_path / "trace.nc").stat().st_size > 0
    if sampler != "numpyro":  # numpyro shares pymc's pm.set_data path (and recompiles each fit)
        check_model_reused(sampler, nuts, {"seed": 1, **SMALL})


def check_model_reused(sampler, first, kw):
    """A curve of another length reuses the compiled model (nutpie: no recompilation); swapping
    the data back gives the same draws as before (seeded), and each curve its own posterior."""
    xb, yb = one_kink(n=24, seed=5, noise=0.03)
    kw = {"engine": "pymc", "sampler": sampler, **kw}
    other = fit_breakpoints(xb, yb, 1, **kw)
    again = fit_breakpoints(*one_kink(), 1, **kw)
    assert other.timing["compile_seconds"] == 0.0 and again.timing["compile_seconds"] == 0.0
    np.testing.assert_array_equal(first.draws.b, again.draws.b)
    np.testing.assert_array_equal(first.draws.coef, again.draws.coef)
    exact_b = fit_breakpoints(xb, yb, 1, seed=2)
    assert other.n_points == 24 and exact_b.breakpoints[0].contains(other.breakpoints[0].median)
    assert abs(other.slopes[1].median - exact_b.slopes[1].median) < 0.2 * (
        exact_b.slopes[1].upper - exact_b.slopes[1].lower
    )


@pytest.mark.slow
def test_student_t_resists_outliers_where_normal_noise_is_pulled():
    """Planted outliers just before a kink drag the normal-noise breakpoint (they look like the
    flat second phase); Student-t noise calls them outliers and finds the planted breakpoint."""
    rng = np.random.default_rng(11)
    x = np.logspace(0, 4, 36)
    lx = np.log(x)
    ly = -0.8 * lx + 0.7 * np.maximum(lx - np.log(100), 0) + 0.03 * rng.standard_normal(36)
    before = np.flatnonzero(x < 100)[-5:-1]
    ly[before] += 0.8  # four points far above the steep first phase, just before the kink
    y = np.exp(ly)
    normal = fit_breakpoints(x, y, 1, seed=0)  # exact posterior, normal noise
    robust = fit_breakpoints(x, y, 1, seed=0, engine="pymc", noise="student_t", **SMALL)
    truth = 100.0
    assert not normal.breakpoints[0].contains(truth)
    assert np.log10(normal.breakpoints[0].median / truth) > 0.2  # pulled 1.6x to the right
    assert robust.breakpoints[0].contains(truth)
    assert abs(np.log10(robust.breakpoints[0].median / truth)) < 0.1
    for est, s in zip(robust.slopes, (-0.8, -0.1), strict=True):
        assert abs(est.median - s) < 0.1
    assert np.median(robust.draws.nu) < 3  # heavy tails were needed


def sigmoid(seed, n=12, total=60):
    rng = np.random.default_rng(seed)
    r = np.logspace(-2, 0, n)
    p = 0.05 + 0.9 / (1 + np.exp(-(np.log(r) - np.log(0.08)) / 0.25))
    return r, rng.binomial(total, p), np.full(n, total)


@pytest.mark.slow
@pytest.mark.parametrize("likelihood", ["binomial", "normal"])
def test_transition_pymc_matches_fast(likelihood, monkeypatch, capsys):
    r, correct, total = sigmoid(seed=2)
    if likelihood == "binomial":
        args = {"correct": correct, "total": total}
    else:
        args = {"y": correct / total}
    fast = fit_transition(r, seed=0, n_draws=20000, **args)
    sampler = None if likelihood == "binomial" else "pymc"  # the default, and PyMC's own
    monkeypatch.delenv("MIXPHASE_NO_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", FakeTerminal())
    nuts = fit_transition(r, seed=0, engine="pymc", sampler=sampler, progress=True, **SMALL, **args)
    if nuts.sampler == "pymc":  # mixphase's own bar on the terminal's stderr
        assert "draw" in sys.stderr.getvalue()
    else:  # nutpie draws its bar on the terminal itself (not through sys.stderr); its note:
        assert (
            "compiling the NUTS model" in sys.stderr.getvalue()
            or nuts.timing["compile_seconds"] == 0
        )
    assert capsys.readouterr().out == ""
    assert nuts.likelihood == likelihood and nuts.to_dict()["sampler"] == nuts.sampler
    assert nuts.diagnostics["divergences"] == 0 and nuts.diagnostics["r_hat_max"] < 1.05
    for name in ("critical", "floor", "ceiling"):
        a, b = getattr(nuts, name), getattr(fast, name)
        width = b.upper - b.lower
        assert abs(a.median - b.median) < 0.15 * width, name
        assert abs(a.lower - b.lower) < 0.25 * width and abs(a.upper - b.upper) < 0.25 * width
    assert abs(np.log(nuts.critical.median / 0.08)) < 0.15


def test_sampler_choice_and_missing_extra(monkeypatch):
    assert _nuts.resolve_sampler(None) == _nuts.default_sampler()
    assert _nuts.resolve_sampler("pymc") == "pymc"
    with pytest.raises(MixphaseInputError, match="one of"):
        _nuts.resolve_sampler("stan")
    real = _nuts.importlib.util.find_spec
    monkeypatch.setattr(_nuts.importlib.util, "find_spec",
                        lambda name: None if name in ("nutpie", "jax") else real(name))  # fmt: skip
    assert _nuts.default_sampler() == "pymc"
    with pytest.raises(MixphaseInputError, match=r"mixphase\[fast-nuts\]"):
        fit_breakpoints(*one_kink(), 1, engine="pymc", sampler="nutpie")
    with pytest.raises(MixphaseInputError, match=r"mixphase\[numpyro\]"):
        fit_transition(*sigmoid(0)[:1], y=np.linspace(0, 1, 12), engine="pymc", sampler="numpyro")
    with pytest.raises(MixphaseInputError, match="engine='pymc' only"):
        fit_breakpoints(*one_kink(), 1, sampler="pymc")


def test_pymc_auto_reports_pareto_k_and_falls_back_to_evidence():
    """The PyMC engine's rule for ``auto`` on exact posterior draws: where PSIS-LOO has Pareto
    k-hat > 0.7 it warns, and (normal noise) chooses k by the exact evidence."""
    from mixphase.fit.breakpoints import _choose, _fit_one

    rng = np.random.default_rng(0)
    x = np.logspace(0, 4, 30)
    lx = np.log(x)
    ly = -0.8 * lx + 0.7 * np.maximum(lx - np.log(20), 0) - 0.6 * np.maximum(lx - np.log(1e3), 0)
    prob = make_problem(x, np.exp(ly + 0.02 * rng.standard_normal(30)))
    fits = {k: _fit_one(prob, k, "fast", "normal", 0.9, 0, 2000, {}) for k in range(4)}
    chosen, rows, criterion, warns = _choose(prob, fits, "pymc", "normal", 0)
    assert max(r["pareto_k_max"] for r in rows) > 0.7
    assert len(warns) == 1 and "Pareto k-hat" in warns[0] and "marginal likelihood" in warns[0]
    assert "marginal likelihood" in criterion and chosen == 2
    assert all({"elpd_loo", "pareto_k_max", "n_high_k", "probability"} <= set(r) for r in rows)
    log_ev = {k: f.log_evidence for k, f in fits.items()}  # the exact evidence of each k
    assert chosen == max(log_ev, key=log_ev.get)
    _, _, criterion_t, warns_t = _choose(prob, fits, "pymc", "student_t", 0)
    assert "PSIS-LOO" in criterion_t and "uncertain" in warns_t[0]
