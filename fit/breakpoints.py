"""Breakpoints of a multi-phase power-law curve (``n_breakpoints`` = 0, 1, 2 or 3, or "auto").

Model (:mod:`mixphase.fit.families`), in standardised ``u = (log x - m_u)/s_u``,
``v = (log y - m_v)/s_v``::

    v = a + c u + sum_j d_j h_delta(u - b_j) + eps,        h_delta = softplus hinge of width delta
    b ~ uniform on ordered tuples inside [min u, max u]   (no breakpoint forced at the data ends)
    a ~ N(0, 10^2), c, d_j ~ N(0, 5^2)                     (weakly informative, data-scaled units)
    eps_i ~ N(0, sigma^2 + e_i^2) or StudentT(nu, 0, sigma) (pymc only), sigma ~ HalfNormal(1)

``e_i = y_err_i / (y_i s_v)`` (known errors of y, by the delta method on log y). ``delta`` is
``smoothness`` times the log-x range (default 0.003: at data resolution practically a hinge, so
hard kinks are located as well as by least-squares hinge fits, yet smooth at the scale of a NUTS
step; in the benchmark 0.01 gave a 10% larger error on hard-kink curves, 0 the same as 0.003).

Engines
- ``fast`` (default): ``(a, c, d)`` are marginalised exactly (:mod:`mixphase.fit._linear`); the
  posterior of ``(b, sigma)`` is computed on an adaptive grid (zoomed to where its mass is) and
  the coefficients are drawn exactly given each draw of ``(b, sigma)``. Exact up to grid
  resolution; nothing is sampled, so its diagnostics are the grid's (effective cells, cell
  widths, log evidence; :mod:`mixphase.fit.diagnostics`), with a warning below 30 effective cells.
- ``pymc``: the same model and priors sampled by NUTS (:mod:`mixphase.fit.breakpoints_pymc`;
  breakpoints as cumulative Dirichlet gaps, exactly the ordered-uniform prior), plus Student-t
  noise; the sampler is nutpie, NumPyro or PyMC's own (:mod:`mixphase.fit._nuts`).

Model comparison (``n_breakpoints="auto"``, :mod:`mixphase.fit.model_choice`): the fast engine
chooses k by the exact marginal likelihood ``p(log y | k)`` (posterior model probabilities
under a uniform prior over k = 0-3); the PyMC engine by PSIS-LOO, reporting Pareto k-hat and, for
normal noise, falling back to the exact evidence when k-hat > 0.7.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
from mixphase.fit import diagnostics
from mixphase.fit import model_choice as mc
from mixphase.fit.data import check_ci, check_xy, optional_array
from mixphase.fit.families import breakpoint_design, phase_slopes
from mixphase.fit.results import BreakpointFit, Draws

DEFAULT_PRIORS = {"intercept_sd": 10.0, "slope_sd": 5.0, "sigma_scale": 1.0}
GRID_PER_DIM = {0: (1, 1), 1: (200, 300), 2: (40, 64), 3: (20, 28)}
MAX_BREAKPOINTS = 3
DEFAULT_SMOOTHNESS = 0.003


@dataclass
class Problem:
    """Validated, standardised data shared by both engines."""

    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    e: np.ndarray | None
    su: lin.Standardiser
    sv: lin.Standardiser
    delta: float
    tau_intercept: float
    tau_slope: float
    sigma_scale: float
    y_err: np.ndarray | None = None

    @property
    def lo(self) -> float:
        return float(self.u.min())

    @property
    def hi(self) -> float:
        return float(self.u.max())

    def tau(self, k: int) -> np.ndarray:
        return np.array([self.tau_intercept] + [self.tau_slope] * (k + 1))


def make_problem(
    x, y, y_err=None, smoothness: float = DEFAULT_SMOOTHNESS, priors=None, min_points=4,
    *, su: lin.Standardiser | None = None, sv: lin.Standardiser | None = None,
    u_range: float | None = None,
) -> Problem:  # fmt: skip
    """Validate and standardise one curve. ``su``/``sv``/``u_range`` impose a common frame
    (several curves fitted jointly); by default each comes from this curve's own data."""
    x, y = check_xy(x, y, min_points=min_points, what="breakpoint model")
    y_err = optional_array("y_err", y_err, x.size)
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    y_err = None if y_err is None else y_err[order]
    if not (math.isfinite(smoothness) and smoothness >= 0):
        raise MixphaseInputError(f"smoothness must be >= 0, got {smoothness!r}")
    pri = dict(DEFAULT_PRIORS)
    for key, val in (priors or {}).items():
        if key not in pri:
            raise MixphaseInputError(f"unknown prior {key!r} (known: {', '.join(pri)})")
        if not (math.isfinite(float(val)) and float(val) > 0):
            raise MixphaseInputError(f"prior {key} must be a positive number, got {val!r}")
        pri[key] = float(val)
    lx, ly = np.log(x), np.log(y)
    su = lin.Standardiser.of(lx) if su is None else su
    sv = lin.Standardiser.of(ly) if sv is None else sv
    u, v = su.to(lx), sv.to(ly)
    e = None if y_err is None else (y_err / y) / sv.scale
    delta = smoothness * (float(u.max() - u.min()) if u_range is None else u_range)
    return Problem(x, y, u, v, e, su, sv, delta, pri["intercept_sd"], pri["slope_sd"],
                   pri["sigma_scale"], y_err)  # fmt: skip


def check_engine(engine: str, sampler: str | None) -> str | None:
    """Check ``engine`` and resolve the NUTS ``sampler`` (None for the fast engine)."""
    if engine not in ("fast", "pymc"):
        raise MixphaseInputError(f"engine must be 'fast' or 'pymc', got {engine!r}")
    if engine == "fast":
        if sampler not in (None, "auto"):
            raise MixphaseInputError(f"sampler {sampler!r} applies to engine='pymc' only (the "
                                     "fast engine does not sample)")  # fmt: skip
        return None
    from mixphase.fit._nuts import resolve_sampler

    return resolve_sampler(sampler)


def min_points_for(k: int) -> int:
    """Points needed for k breakpoints: more than the 2k+3 parameters (2+k linear, k, sigma)."""
    return 2 * k + 4


# ----------------------------------------------------------------------------- fast engine
def fast_posterior(prob: Problem, k: int, n_draws: int, rng) -> tuple[Draws, dict, float]:
    tau = prob.tau(k)

    def logpost(pts, sigma):
        X = breakpoint_design(prob.u, pts, prob.delta)
        log_ps = lin.log_sigma_prior(sigma, prob.sigma_scale)
        return lin.log_marginal(X, prob.v, tau, sigma, prob.e) + log_ps[None, :]

    width = prob.hi - prob.lo
    log_prior = math.lgamma(k + 1) - k * math.log(width)  # ordered uniform density
    post = lin.grid_posterior(logpost, [prob.lo] * k, [prob.hi] * k, GRID_PER_DIM[k],
                              ordered=True, log_prior_density=log_prior)  # fmt: skip
    b, s = post.draw(n_draws, rng)
    b = np.sort(np.clip(b, prob.lo, prob.hi), axis=1)
    X = breakpoint_design(prob.u, b, prob.delta)
    coef = lin.sample_coefficients(X, prob.v, tau, s, prob.e, rng)
    # evidence of log y (not of standardised v): the Jacobian of v = (log y - m)/s
    log_ev = post.log_evidence - prob.u.size * math.log(prob.sv.scale)
    diag = diagnostics.grid(post, [f"ln_b{j + 1}" for j in range(k)], prob.su.scale, log_ev)
    draws = Draws(b=b[None], coef=coef[None], sigma=s[None], nu=None)
    return draws, diag, log_ev


# ----------------------------------------------------------------------------- results
def _warnings(prob: Problem, k: int, d: Draws, diag: dict, engine: str) -> tuple[list[str], str]:
    """Convergence warnings, and an identification problem (returned separately, as an error)."""
    out = diagnostics.warnings(diag, engine, gridded=k > 0)
    problem = ""
    b = d.flat_b()
    u = prob.u
    for j in range(k):
        edge = np.mean((b[:, j] < u[1]) | (b[:, j] > u[-2]))
        if edge > 0.5:
            problem = (f"the data cannot identify breakpoint {j + 1} of {k}: its posterior lies "
                       f"at the end of the data ({'before the second' if np.median(b[:, j]) < u[1] else 'after the second-to-last'}"
                       " data point) - the change is outside the data or absent; fit fewer breakpoints "
                       "or use n_breakpoints='auto'")  # fmt: skip
            break
        span = np.quantile(b[:, j], 0.95) - np.quantile(b[:, j], 0.05)
        if span > 0.8 * (prob.hi - prob.lo):
            problem = (f"the data cannot locate breakpoint {j + 1} of {k}: its 90% interval "
                       f"spans {span / (prob.hi - prob.lo):.0%} of the log-x range (no such "
                       "change in the data?); fit fewer breakpoints or use n_breakpoints='auto'")  # fmt: skip
            break
        if span > 0.5 * (prob.hi - prob.lo):
            out.append(f"breakpoint {j + 1} is weakly identified: its 90% interval spans "
                       f"{span / (prob.hi - prob.lo):.0%} of the log-x range")  # fmt: skip
    return out, problem


def _build(prob, k, d, diag, engine, noise, ci, log_ev=None, idata=None) -> BreakpointFit:
    warnings, problem = _warnings(prob, k, d, diag, engine)
    flat_b = d.flat_b()
    bx = np.exp(prob.su.back(flat_b))
    slopes = phase_slopes(d.coef.reshape(-1, k + 2)) * (prob.sv.scale / prob.su.scale)
    from mixphase.records import Estimate

    return BreakpointFit(
        n_breakpoints=k,
        breakpoints=[Estimate.from_samples(bx[:, j], ci) for j in range(k)],
        slopes=[Estimate.from_samples(slopes[:, j], ci) for j in range(k + 1)],
        diagnostics=diag,
        warnings=warnings,
        engine=engine,
        noise=noise,
        ci=ci,
        n_points=int(prob.x.size),
        log_evidence=log_ev,
        problem=prob,
        draws=d,
        identification_error=problem,
        idata=idata,
    )


def _fit_one(prob, k, engine, noise, ci, seed, n_draws, pymc_kw) -> BreakpointFit:
    rng = np.random.default_rng(seed)
    if engine == "fast":
        d, diag, log_ev = fast_posterior(prob, k, n_draws, rng)
        return _build(prob, k, d, diag, engine, noise, ci, log_ev=log_ev)
    from mixphase.fit import breakpoints_pymc

    init_b = None
    if k:  # start NUTS at the fast engine's breakpoint medians (the ordered prior is multimodal)
        fd, _, _ = fast_posterior(prob, k, 400, rng)
        init_b = np.median(fd.b.reshape(-1, k), axis=0)
    d, diag, run = breakpoints_pymc.posterior(prob, k, noise, init_b=init_b, seed=seed, **pymc_kw)
    fit = _build(prob, k, d, diag, engine, noise, ci, idata=run.trace)
    fit.sampler, fit.timing = run.sampler, {"compile_seconds": run.compile_seconds,
                                            "sample_seconds": run.sample_seconds}  # fmt: skip
    return fit


def _choose(prob, fits: dict, engine: str, noise: str, seed: int) -> tuple[int, list, str, list]:
    """``(k, comparison rows, criterion, warnings)`` for ``n_breakpoints="auto"``."""
    if engine == "fast":
        chosen, rows = mc.by_evidence({k: f.log_evidence for k, f in fits.items()}, fits)
        return chosen, rows, mc.EVIDENCE, []
    chosen, rows, unreliable = mc.by_loo(prob, fits)
    if not unreliable:
        return chosen, rows, mc.LOO, []
    fallback = noise == "normal"
    if fallback:
        rng = np.random.default_rng(seed)
        log_ev = {k: fast_posterior(prob, k, 10, rng)[2] for k in fits}
        chosen, ev_rows = mc.by_evidence(log_ev, fits)
        for r, e in zip(rows, ev_rows, strict=True):
            r.update(log_evidence=e["log_evidence"], probability=e["probability"],
                     selected=e["selected"])  # fmt: skip
    criterion = (mc.EVIDENCE + "; PSIS-LOO unreliable (Pareto k-hat > 0.7)") if fallback else mc.LOO
    return chosen, rows, criterion, [mc.loo_warning(rows, unreliable, fallback)]


def fit_breakpoints(x, y, n_breakpoints: int | str = 2, ci: float = 0.9, seed: int = 0,
                    engine: str = "fast", noise: str = "normal", y_err=None, *,
                    smoothness: float = DEFAULT_SMOOTHNESS, priors: dict | None = None, n_draws: int = 2000,
                    draws: int = 1000, tune: int = 1000, chains: int = 4,
                    target_accept: float = 0.95, sampler: str | None = None,
                    progress: bool = False) -> BreakpointFit:  # fmt: skip
    """Fit a continuous piecewise power law with ``n_breakpoints`` breakpoints (or ``"auto"``).

    Breakpoints are reported in the units of ``x``; slopes are log-log slopes of each phase.
    ``engine="fast"`` is exact on an adaptive grid (normal noise, optional ``y_err``);
    ``engine="pymc"`` samples the same model by NUTS and also offers ``noise="student_t"``;
    ``sampler`` picks its NUTS implementation (``"nutpie"``, ``"numpyro"``, ``"pymc"``; default
    the fastest installed, :mod:`mixphase.fit._nuts`) and ``progress`` shows its progress bar.
    ``"auto"`` chooses k by the exact evidence (fast) or PSIS-LOO (pymc), see
    :mod:`mixphase.fit.model_choice`.
    ``priors`` may override ``intercept_sd``, ``slope_sd``, ``sigma_scale`` (standardised units).
    Raises :class:`MixphaseInputError` on bad input or when the data cannot identify a
    breakpoint (its posterior lies at the end of the data).
    """
    ci = check_ci(ci)
    sampler = check_engine(engine, sampler)
    if noise not in ("normal", "student_t"):
        raise MixphaseInputError(f"noise must be 'normal' or 'student_t', got {noise!r}")
    if noise == "student_t" and engine == "fast":
        raise MixphaseInputError("Student-t noise needs engine='pymc' (the fast engine is exact "
                                 "for normal noise only)")  # fmt: skip
    auto = isinstance(n_breakpoints, str)
    if auto:
        if n_breakpoints != "auto":
            raise MixphaseInputError(f"n_breakpoints must be 0-3 or 'auto', got {n_breakpoints!r}")
        ks = list(range(MAX_BREAKPOINTS + 1))
    else:
        if isinstance(n_breakpoints, bool) or int(n_breakpoints) != n_breakpoints:
            raise MixphaseInputError(f"n_breakpoints must be 0-3 or 'auto', got {n_breakpoints!r}")
        k = int(n_breakpoints)
        if not 0 <= k <= MAX_BREAKPOINTS:
            raise MixphaseInputError(f"n_breakpoints must be between 0 and 3, got {k}")
        ks = [k]
    prob = make_problem(x, y, y_err, smoothness, priors, min_points=min_points_for(min(ks)))
    ks = [k for k in ks if prob.u.size >= min_points_for(k)]
    pymc_kw = {"draws": draws, "tune": tune, "chains": chains, "target_accept": target_accept,
               "sampler": sampler, "progress": progress}  # fmt: skip
    t0 = time.perf_counter()
    fits = {k: _fit_one(prob, k, engine, noise, ci, seed, n_draws, pymc_kw) for k in ks}
    if not auto:
        fit = fits[ks[0]]
        if fit.identification_error:
            raise MixphaseInputError(fit.identification_error)
    else:
        chosen, table, criterion, warns = _choose(prob, fits, engine, noise, seed)
        fit = fits[chosen]
        fit.comparison, fit.criterion = table, criterion
        fit.warnings = fit.warnings + warns
    fit.seconds = time.perf_counter() - t0
    return fit
