"""Phase transition: a sigmoid in log x (accuracy vs. mixing ratio or model size).

Model, with ``u = ln x``::

    y(u) = floor + (ceiling - floor) * expit((u - u_c) / w)

- critical point ``x_c = exp(u_c)`` (halfway between floor and ceiling), ``u_c`` uniform over the
  data's ``ln x`` range; width ``w`` (in ``ln x``; the 10%-90% rise spans ``4.39 w``), log-uniform
  on ``[range/1000, range]``;
- counts (``correct``/``total``): binomial likelihood, floor and ceiling uniform on (0, 1);
  the fast engine computes the exact posterior on an adaptive 4-D grid;
- values ``y`` only: normal noise with scale ``sigma ~ HalfNormal(sd(y))``, floor and ceiling
  ``~ N(mean(y), (3 sd(y))^2)``; the fast engine marginalises floor and ceiling exactly (they
  enter linearly, :mod:`mixphase.fit._linear`) on a grid over ``(u_c, log w, sigma)``.

``engine="pymc"`` samples the same model and priors by NUTS.

**Seed scatter and clustered answers** (counts only, fast engine; likelihood in
:mod:`mixphase.fit.likelihoods`): ``design_effect`` divides the counts (``5`` = count people, not
their 5 answers, as independent); ``scatter`` is the sd ``tau`` of ``ln x_c`` between runs that
differ only in their seeds: a number (stated), ``"fit"`` (``tau ~ HalfNormal(scatter_scale)``,
marginalised over the grid :data:`TAU_GRID`) or ``None`` (no scatter, the plain binomial).
:func:`fit_transitions` fits several curves (e.g. one per model size) with one shared ``tau``:
``p(tau | all curves) ∝ prior(tau) prod_g Z_g(tau)``, each curve's posterior the mixture of its
fixed-``tau`` posteriors under those weights (``Z_g(tau)`` = the curve's evidence at ``tau``).
"""

from __future__ import annotations

import math
import time

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
from mixphase.fit import diagnostics
from mixphase.fit.data import check_ci, check_xy, optional_array
from mixphase.fit.families import transition_curve, transition_design
from mixphase.fit.likelihoods import transition_loglik
from mixphase.fit.results import TransitionFit
from mixphase.records import Estimate

WIDTH_RANGE = (1e-3, 1.0)  # prior support of w, as fractions of the ln-x range
#: Grid of the seed scatter tau (sd of ln x_c between runs) when it is fitted; log-spaced cells.
TAU_GRID = np.geomspace(0.01, 0.64, 7)
#: Default prior scale of tau (HalfNormal): seed pairs of our sweeps scatter by sd(ln r_c) ~0.12.
SCATTER_SCALE = 0.25


Y_MAX = 1e100  # |y| beyond: the normal likelihood's squared residuals overflow float64
Y_MIN = 1e-100  # max |y| below: they underflow
COUNT_MAX = 1e15  # trials per point beyond: counts lose integer precision in float64


def _check(x, y, correct, total):
    if correct is None and total is None:
        if y is None:
            raise MixphaseInputError("give y, or correct and total counts")
        x, y = check_xy(x, y, min_points=5, log_y=False, what="transition model")
        big = float(np.max(np.abs(y)))
        if big > Y_MAX:
            raise MixphaseInputError(
                f"y reaches {big:.3g}: the transition model is a sigmoid in y itself (an accuracy), "
                f"and squares of values beyond {Y_MAX:g} overflow; rescale y"
            )
        if 0 < big < Y_MIN:
            raise MixphaseInputError(
                f"y is at most {big:.3g}: the transition model is a sigmoid in y itself, and "
                f"squares of values below {Y_MIN:g} underflow; rescale y"
            )
        return x, y, None, None
    if correct is None or total is None:
        raise MixphaseInputError("give both correct and total counts")
    x, _ = check_xy(x, None, min_points=4, what="transition model")
    correct = optional_array("correct", correct, x.size)
    total = optional_array("total", total, x.size)
    if np.any(total <= 0) or np.any(correct > total):
        raise MixphaseInputError("counts need total > 0 and 0 <= correct <= total")
    if np.max(total) > COUNT_MAX:
        raise MixphaseInputError(f"total counts reach {np.max(total):.3g}; at most {COUNT_MAX:g}")
    if np.any(correct != np.round(correct)) or np.any(total != np.round(total)):
        raise MixphaseInputError("correct and total must be whole numbers")
    return x, None, correct, total


def _edge_error(u, u_c) -> str:
    frac_lo = np.mean(u_c < u[1])
    frac_hi = np.mean(u_c > u[-2])
    if max(frac_lo, frac_hi) > 0.5:
        side = "before the second" if frac_lo > frac_hi else "after the second-to-last"
        return (f"the data cannot identify the critical point: its posterior lies {side} data "
                f"point, so the transition is outside the data or absent")  # fmt: skip
    return ""


def fit_transition(x, y=None, correct=None, total=None, ci: float = 0.9, seed: int = 0,
                   engine: str = "fast", *, scatter: float | str | None = None,
                   design_effect: float = 1.0, scatter_scale: float = SCATTER_SCALE,
                   n_draws: int = 2000, draws: int = 1000, tune: int = 1000, chains: int = 4,
                   target_accept: float = 0.95, sampler: str | None = None,
                   progress: bool = False) -> TransitionFit:  # fmt: skip
    """Fit a sigmoid in log x; binomial likelihood when ``correct``/``total`` are given.

    With counts, ``scatter`` (seed-to-seed sd of ``ln x_c``: a number, ``"fit"`` or ``None``) and
    ``design_effect`` (answers per independent unit) widen the likelihood (module doc); x values
    may repeat (one point per run). ``engine="pymc"``: NUTS with ``sampler`` (default the fastest
    installed; see :func:`mixphase.fit.fit_breakpoints`) and ``progress`` bars.
    """
    from mixphase.fit.breakpoints import check_engine

    ci = check_ci(ci)
    sampler = check_engine(engine, sampler)
    x, y, correct, total = _check(x, y, correct, total)
    tau, deff = _check_noise(scatter, design_effect, scatter_scale, correct is not None, engine)
    if tau is not None:
        from mixphase.fit.scatter import fit_transitions

        out = fit_transitions([{"x": x, "correct": correct, "total": total}], ci=ci, seed=seed,
                              scatter=tau, design_effect=deff, scatter_scale=scatter_scale,
                              n_draws=n_draws)  # fmt: skip
        if out.errors[0]:
            raise MixphaseInputError(out.errors[0])
        return out.fits[0]
    order = np.argsort(x, kind="stable")
    x = x[order]
    y = None if y is None else y[order]
    if correct is not None:
        correct, total = correct[order], total[order]
    u = np.log(x)
    lo, lw_lo, hi, lw_hi = prior_box(u)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    idata = None
    if engine == "fast":
        if correct is not None:
            d = fast_binomial(u, correct, total, n_draws, rng)
        else:
            d = _fast_normal(u, y, lo, hi, lw_lo, lw_hi, n_draws, rng)
        d.pop("_log_evidence", None)
        diag = d.pop("_diag")
    else:
        d, diag, run = _pymc(u, y, correct, total, lo, hi, lw_lo, lw_hi, seed, draws, tune,
                             chains, target_accept, sampler, progress)  # fmt: skip
        idata = run.trace
    return transition_result(x, y, correct, total, d, diag, ci, engine, t0, idata,
                             sampler=sampler)  # fmt: skip


def prior_box(u) -> tuple[float, float, float, float]:
    """``(u_lo, log_w_lo, u_hi, log_w_hi)``: the priors' support for data at ``u = ln x``."""
    lo, hi = float(np.min(u)), float(np.max(u))
    rng_u = hi - lo
    return lo, math.log(WIDTH_RANGE[0] * rng_u), hi, math.log(WIDTH_RANGE[1] * rng_u)


def transition_result(x, y, correct, total, d, diag, ci, engine, t0, idata=None,
                      scatter: Estimate | None = None,
                      sampler: str | None = None) -> TransitionFit:  # fmt: skip
    """The :class:`TransitionFit` from posterior draws ``d``; raises if there is no transition
    inside the data (floor and ceiling indistinguishable, or the critical point at an edge)."""
    u = np.log(x)
    amp = d["ceiling"] - d["floor"]
    if np.quantile(amp, 0.05) < 0 < np.quantile(amp, 0.95):
        raise MixphaseInputError("the data show no transition: floor and ceiling are "
                                 "indistinguishable (90% interval of their difference holds 0)")  # fmt: skip
    err = _edge_error(np.unique(u), d["u_c"])
    if err:
        raise MixphaseInputError(err)
    warnings = diagnostics.warnings(diag, engine)
    if np.quantile(d["log_w"], 0.95) > math.log(0.5 * (u.max() - u.min())):
        warnings.append("the transition is not sharp within the data: its width is comparable "
                        "to the x range")  # fmt: skip
    binomial = correct is not None
    return TransitionFit(
        critical=Estimate.from_samples(np.exp(d["u_c"]), ci),
        width=Estimate.from_samples(np.exp(d["log_w"]), ci),
        floor=Estimate.from_samples(d["floor"], ci),
        ceiling=Estimate.from_samples(d["ceiling"], ci),
        diagnostics=diag,
        warnings=warnings,
        likelihood=("beta-binomial" if scatter is not None else "binomial")
        if binomial
        else "normal",
        engine=engine,
        sampler=sampler,
        ci=ci,
        n_points=int(x.size),
        seconds=time.perf_counter() - t0,
        draws=d,
        data={"x": x, "y": y if y is not None else correct / total, "total": total},
        idata=idata,
        scatter=scatter,
    )


def _fast_normal(u, y, lo, hi, lw_lo, lw_hi, n_draws, rng):
    sy = lin.Standardiser.of(y)
    v = sy.to(y)
    tau = np.array([3.0, 3.0])  # floor, ceiling ~ N(mean y, (3 sd y)^2)

    def logpost(pts, sigma):
        X = transition_design(u, pts)
        return (lin.log_marginal(X, v, tau, sigma, None)
                + lin.log_sigma_prior(sigma, 1.0)[None, :])  # fmt: skip

    post = lin.grid_posterior(logpost, [lo, lw_lo], [hi, lw_hi], (48, 64))
    theta, s = post.draw(n_draws, rng)
    coef = lin.sample_coefficients(transition_design(u, theta), v, tau, s, None, rng)
    log_ev = post.log_evidence - u.size * math.log(sy.scale)  # evidence of y, not of sy.to(y)
    return {"u_c": theta[:, 0], "log_w": theta[:, 1], "floor": sy.back(coef[:, 0]),
            "ceiling": sy.back(coef[:, 1]), "sigma": s * sy.scale,
            "_diag": diagnostics.grid(post, ["ln_critical", "ln_width"], 1.0, log_ev)}  # fmt: skip


def fast_binomial(u, correct, total, n_draws, rng, tau: float = 0.0,
                  design_effect: float = 1.0) -> dict:  # fmt: skip
    """Exact posterior of (u_c, log w, floor, ceiling) on an adaptive 4-D grid; draws.

    The likelihood is :func:`mixphase.fit.likelihoods.transition_loglik` (binomial, or
    beta-binomial with seed scatter ``tau`` and clustered answers). Also returns ``_diag`` (the grid's
    diagnostics) and ``_log_evidence`` (log marginal likelihood, uniform priors on the box: comparable across
    ``tau`` for the same data).
    """
    lo, lw_lo, hi, lw_hi = prior_box(u)

    def logpost(pts, sigma):
        out = np.empty(pts.shape[0])
        for i in range(0, pts.shape[0], 20000):
            p = pts[i : i + 20000]
            out[i : i + 20000] = transition_loglik(u, correct, total, p[:, 0], p[:, 1], p[:, 2],
                                                   p[:, 3], tau, design_effect)  # fmt: skip
        return out[:, None]

    volume = (hi - lo) * (lw_hi - lw_lo)  # floor, ceiling: unit intervals
    cells = (16, 20) if tau == 0 and design_effect == 1 else (12, 16)  # scatter: coarser, 7 taus
    post = lin.grid_posterior(logpost, [lo, lw_lo, 0.0, 0.0], [hi, lw_hi, 1.0, 1.0], cells,
                              sigma_range=None, log_prior_density=-math.log(volume))  # fmt: skip
    theta, _ = post.draw(n_draws, rng)
    theta[:, 2:] = np.clip(theta[:, 2:], 0.0, 1.0)
    names = ["ln_critical", "ln_width", "floor", "ceiling"]
    return {"u_c": theta[:, 0], "log_w": theta[:, 1], "floor": theta[:, 2],
            "ceiling": theta[:, 3], "_diag": diagnostics.grid(post, names),
            "_log_evidence": post.log_evidence}  # fmt: skip


def _check_noise(scatter, design_effect, scale, counts: bool, engine: str):
    """``(tau, design_effect)``; ``tau`` None means the plain model (no scatter, no clusters)."""
    try:
        deff = float(design_effect)
    except (TypeError, ValueError):
        raise MixphaseInputError(f"design_effect must be a number, got {design_effect!r}") from None
    if not (math.isfinite(deff) and deff >= 1):
        raise MixphaseInputError(f"design_effect must be at least 1, got {design_effect!r}")
    if scatter is None and deff == 1:
        return None, deff
    if not counts or engine != "fast":
        raise MixphaseInputError("scatter and design_effect need counts (correct/total) and the "
                                 "fast engine")  # fmt: skip
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise MixphaseInputError(f"scatter_scale must be positive, got {scale!r}")
    if scatter is None:
        return 0.0, deff
    if scatter == "fit":
        return "fit", deff
    if isinstance(scatter, int | float) and math.isfinite(scatter) and scatter >= 0:
        return float(scatter), deff
    raise MixphaseInputError(
        f"scatter must be a non-negative number, 'fit' or None, got {scatter!r}"
    )


def _pymc(u, y, correct, total, lo, hi, lw_lo, lw_hi, seed, draws, tune, chains, target_accept,
          sampler, progress):  # fmt: skip
    """NUTS on the same model and priors; data and prior bounds are ``pm.Data``, so one
    compiled model serves every curve of a likelihood (:mod:`mixphase.fit._nuts`)."""
    from mixphase.fit import _arviz, _nuts

    binomial = correct is not None
    data = {"u_data": u, "lo": np.float64(lo), "hi": np.float64(hi),
            "lw_lo": np.float64(lw_lo), "lw_hi": np.float64(lw_hi)}  # fmt: skip
    if binomial:
        data.update(correct_data=correct.astype(np.int64), total_data=total.astype(np.int64))
    else:
        data.update(y_data=y, y_mean=np.float64(np.mean(y)),
                    y_sd=np.float64(float(np.std(y)) or 1.0))  # fmt: skip

    def build():
        pm = _nuts.import_pymc()
        with pm.Model() as model:
            c = {name: pm.Data(name, value) for name, value in data.items()}
            u_c = pm.Uniform("u_c", c["lo"], c["hi"])
            log_w = pm.Uniform("log_w", c["lw_lo"], c["lw_hi"])
            if binomial:
                floor = pm.Uniform("floor", 0.0, 1.0)
                ceiling = pm.Uniform("ceiling", 0.0, 1.0)
            else:
                floor = pm.Normal("floor", c["y_mean"], 3 * c["y_sd"])
                ceiling = pm.Normal("ceiling", c["y_mean"], 3 * c["y_sd"])
            s = pm.math.sigmoid((c["u_data"] - u_c) / pm.math.exp(log_w))
            mu = floor + (ceiling - floor) * s
            if binomial:
                pm.Binomial("correct", n=c["total_data"], p=mu, observed=c["correct_data"])
            else:
                sigma = pm.HalfNormal("sigma", c["y_sd"])
                pm.Normal("y", mu=mu, sigma=sigma, observed=c["y_data"])
        return model

    run = _nuts.sample(("transition", binomial), build, data, sampler=sampler, seed=seed,
                       draws=draws, tune=tune, chains=chains, target_accept=target_accept,
                       progress=progress)  # fmt: skip
    names = ["u_c", "log_w", "floor", "ceiling"]
    post = run.trace.posterior
    d = {n: post[n].values.ravel() for n in names}
    return d, _arviz.convergence(run.trace, names), run


__all__ = ["SCATTER_SCALE", "TAU_GRID", "fit_transition", "transition_curve"]
