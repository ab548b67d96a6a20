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
  resolution; diagnostics are reported as ``r_hat_max = 1`` (independent draws), ``divergences =
  0`` and ``ess_bulk_min`` = the smaller of the number of draws and Kish's effective number of
  grid cells carrying the posterior (a resolution check; a warning below 30).
- ``pymc``: the same model and priors sampled by NUTS (breakpoints as cumulative Dirichlet gaps,
  which is exactly the ordered-uniform prior), plus Student-t noise.

Model comparison (``n_breakpoints="auto"``): PSIS-LOO (``arviz.loo``) on the log-likelihood of
``log y`` at the posterior draws of each candidate k; the chosen k is the smallest whose
``elpd_loo`` is within 2 standard errors of the difference from the best. The fast engine also
reports the exact log evidence ``log p(log y | k)`` (a Bayes-factor column).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
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
    ess = min(float(n_draws), post.effective_cells()) if k else float(n_draws)
    diag = {"r_hat_max": 1.0, "ess_bulk_min": ess, "divergences": 0}
    # evidence of log y (not of standardised v): the Jacobian of v = (log y - m)/s
    log_ev = post.log_evidence - prob.u.size * math.log(prob.sv.scale)
    draws = Draws(b=b[None], coef=coef[None], sigma=s[None], nu=None)
    return draws, diag, log_ev


# ----------------------------------------------------------------------------- pymc engine
def pymc_model(probs: list[Problem], k: int, noise: str, lo: float, hi: float,
               share_slopes: bool = False, init_b=None):  # fmt: skip
    """The NUTS model of one curve, or of several curves sharing their breakpoints.

    ``probs`` are curves in one log-x frame (the same ``su``; with ``share_slopes`` also the same
    ``sv``). The breakpoints ``b`` (ordered uniform on ``[lo, hi]``, as cumulative Dirichlet gaps)
    are shared; curve ``i`` has its own ``a_i`` (and ``c_i, d_i`` unless ``share_slopes``), noise
    scale ``sigma_i`` and, for Student-t noise, ``nu_i``. One curve gives exactly the model of
    the module docstring (scalar ``coef``, ``sigma``, ``nu``). Returns ``(model, initvals)``.
    """
    from mixphase.fit._linear import import_pymc

    pm = import_pymc()
    import pytensor.tensor as pt

    n_c = len(probs)
    single = n_c == 1
    u = np.concatenate([p.u for p in probs])
    v = np.concatenate([p.v for p in probs])
    idx = np.repeat(np.arange(n_c), [p.u.size for p in probs])  # curve of each point
    onehot = np.eye(n_c)[idx]  # (points, curves): a product, far faster in NUTS than coef[idx]
    has_e = any(p.e is not None for p in probs)
    e = (
        np.concatenate([np.zeros(p.u.size) if p.e is None else p.e for p in probs])
        if has_e
        else None
    )
    p0 = probs[0]
    tau, delta, width = p0.tau(k), p0.delta, hi - lo
    per_curve = None if single else n_c
    with pm.Model() as model:
        if single:
            coef = pm.Normal("coef", 0.0, tau, shape=k + 2)
            rows = coef  # coef[j]: a scalar, broadcast over the points
        else:
            if share_slopes:
                a = pm.Normal("intercept", 0.0, tau[0], shape=n_c)
                c = pm.Normal("slope_coef", 0.0, tau[1:], shape=k + 1)
                c_all = pt.repeat(c[None, :], n_c, axis=0)
                coef = pm.Deterministic("coef", pt.concatenate([a[:, None], c_all], axis=1))
            else:
                coef = pm.Normal("coef", 0.0, tau, shape=(n_c, k + 2))
            rows = pt.dot(onehot, coef).T  # (k + 2, n points): each point's curve's coefficients
        mu = rows[0] + rows[1] * u
        initvals = {}
        if k:
            gaps = pm.Dirichlet("gaps", a=np.ones(k + 1))
            b = pm.Deterministic("b", lo + width * pt.cumsum(gaps)[:k])
            for j in range(k):
                z = u - b[j]
                h = delta * pt.softplus(z / delta) if delta > 0 else pt.maximum(z, 0)
                mu = mu + rows[2 + j] * h
            if init_b is not None:
                g = np.diff(np.concatenate([[lo], np.sort(init_b), [hi]])) / width
                g = np.clip(g, 1e-3, None)
                initvals["gaps"] = g / g.sum()
        sigma = pm.HalfNormal("sigma", p0.sigma_scale, shape=per_curve)
        sigma_i = sigma if single else pt.dot(onehot, sigma)
        sd = sigma_i if e is None else pt.sqrt(sigma_i**2 + e**2)
        if noise == "student_t":
            nu = pm.Gamma("nu", alpha=2.0, beta=0.1, shape=per_curve)
            pm.StudentT("v", nu=nu if single else pt.dot(onehot, nu), mu=mu, sigma=sd, observed=v)
        else:
            pm.Normal("v", mu=mu, sigma=sd, observed=v)
    return model, initvals


def pymc_sample(model, initvals, seed: int, draws: int, tune: int, chains: int,
                target_accept: float):  # fmt: skip
    """NUTS on ``model`` (one core per chain in sequence; seeded) -> InferenceData."""
    from mixphase.fit._linear import import_pymc

    pm = import_pymc()
    with model:
        return lin.nuts_sample(
            pm,
            draws=draws, tune=tune, chains=chains, cores=1, random_seed=seed,
            target_accept=target_accept, progressbar=False, compute_convergence_checks=False,
            initvals=initvals or None,
        )  # fmt: skip


def pymc_posterior(prob: Problem, k: int, noise: str, seed: int, draws: int, tune: int,
                   chains: int, target_accept: float, init_b=None):  # fmt: skip
    model, initvals = pymc_model([prob], k, noise, prob.lo, prob.hi, init_b=init_b)
    idata = pymc_sample(model, initvals, seed, draws, tune, chains, target_accept)
    post = idata.posterior
    b = post["b"].values if k else np.zeros((*post["coef"].shape[:2], 0))
    nu = post["nu"].values if noise == "student_t" else None
    d = Draws(b=b, coef=post["coef"].values, sigma=post["sigma"].values, nu=nu)
    return d, pymc_diagnostics(idata, ["coef", "sigma"] + (["gaps"] if k else [])), idata, model


def pymc_diagnostics(idata, var_names) -> dict:
    from mixphase.fit._linear import import_arviz

    az = import_arviz()

    summ = az.summary(idata, var_names=var_names, kind="diagnostics")
    return {
        "r_hat_max": float(summ["r_hat"].max()),
        "ess_bulk_min": float(summ["ess_bulk"].min()),
        "divergences": int(idata.sample_stats["diverging"].values.sum()),
    }


# ----------------------------------------------------------------------------- results
def pointwise_loglik(prob: Problem, k: int, d: Draws) -> np.ndarray:
    """log p(log y_i | draw): (chains, draws, n)."""
    C, M = d.coef.shape[:2]
    b = d.b.reshape(C * M, k)
    coef = d.coef.reshape(C * M, k + 2)
    X = breakpoint_design(prob.u, b, prob.delta)
    mu = np.einsum("mnp,mp->mn", X, coef)
    s = d.sigma.reshape(-1)[:, None]
    sd = np.sqrt(s**2 + (0.0 if prob.e is None else prob.e[None, :] ** 2))
    r = (prob.v[None, :] - mu) / sd
    if d.nu is None:
        ll = -0.5 * (lin.LOG_2PI + r**2) - np.log(sd)
    else:
        from scipy.stats import t as student_t

        ll = student_t.logpdf(r, df=d.nu.reshape(-1)[:, None]) - np.log(sd)
    return (ll - np.log(prob.sv.scale)).reshape(C, M, -1)


def _warnings(prob: Problem, k: int, d: Draws, diag: dict, engine: str) -> tuple[list[str], str]:
    """Convergence warnings, and an identification problem (returned separately, as an error)."""
    out = []
    if engine == "pymc":
        if diag["r_hat_max"] > 1.01:
            out.append(f"not converged: r_hat_max = {diag['r_hat_max']:.3f} > 1.01; "
                       "run longer (--draws/--tune) or check the model")  # fmt: skip
        if diag["divergences"] > 0:
            out.append(f"{diag['divergences']} divergent transitions: the posterior may be "
                       "biased; raise target_accept or use fewer breakpoints")  # fmt: skip
    elif k and diag["ess_bulk_min"] < 30:
        out.append(f"grid resolution: only {diag['ess_bulk_min']:.0f} effective grid cells "
                   "carry the posterior; intervals may be coarse")  # fmt: skip
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
    init_b = None
    if k:
        fd, _, _ = fast_posterior(prob, k, 400, rng)
        init_b = np.median(fd.b.reshape(-1, k), axis=0)
    d, diag, idata, _ = pymc_posterior(prob, k, noise, seed, init_b=init_b, **pymc_kw)
    return _build(prob, k, d, diag, engine, noise, ci, idata=idata)


def compare_loo(prob: Problem, fits: dict[int, BreakpointFit]) -> tuple[int, list[dict]]:
    """PSIS-LOO table over candidate k; the smallest k within 2 SE of the best is chosen."""
    import warnings

    from mixphase.fit._linear import import_arviz

    az = import_arviz()

    elpd_i, rows = {}, {}
    for k, f in fits.items():
        ll = pointwise_loglik(prob, k, f.draws)
        idata = az.from_dict(posterior={"sigma": f.draws.sigma}, log_likelihood={"log_y": ll})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = az.loo(idata, pointwise=True)
        elpd_i[k] = np.asarray(res.loo_i).ravel()
        rows[k] = {
            "n_breakpoints": k,
            "elpd_loo": float(res.elpd_loo),
            "se": float(res.se),
            "p_loo": float(res.p_loo),
            "pareto_k_max": float(np.nanmax(np.asarray(res.pareto_k))),
        }
        if f.log_evidence is not None:
            rows[k]["log_evidence"] = float(f.log_evidence)
        rows[k]["identified"] = not f.identification_error
    ok = [k for k in fits if rows[k]["identified"]] or list(fits)
    best = max(ok, key=lambda k: rows[k]["elpd_loo"])
    n = prob.u.size
    for k in fits:
        diff = elpd_i[best] - elpd_i[k]
        rows[k]["elpd_diff"] = float(diff.sum())
        rows[k]["dse"] = float(math.sqrt(n * diff.var())) if k != best else 0.0
    chosen = min(k for k in ok if rows[k]["elpd_diff"] <= 2 * rows[k]["dse"])
    for k in fits:
        rows[k]["selected"] = k == chosen
    return chosen, [rows[k] for k in sorted(fits)]


def fit_breakpoints(x, y, n_breakpoints: int | str = 2, ci: float = 0.9, seed: int = 0,
                    engine: str = "fast", noise: str = "normal", y_err=None, *,
                    smoothness: float = DEFAULT_SMOOTHNESS, priors: dict | None = None, n_draws: int = 2000,
                    draws: int = 1000, tune: int = 1000, chains: int = 4,
                    target_accept: float = 0.95) -> BreakpointFit:  # fmt: skip
    """Fit a continuous piecewise power law with ``n_breakpoints`` breakpoints (or ``"auto"``).

    Breakpoints are reported in the units of ``x``; slopes are log-log slopes of each phase.
    ``engine="fast"`` is exact on an adaptive grid (normal noise, optional ``y_err``);
    ``engine="pymc"`` samples the same model by NUTS and also offers ``noise="student_t"``.
    ``priors`` may override ``intercept_sd``, ``slope_sd``, ``sigma_scale`` (standardised units).
    Raises :class:`MixphaseInputError` on bad input or when the data cannot identify a
    breakpoint (its posterior lies at the end of the data).
    """
    ci = check_ci(ci)
    if engine not in ("fast", "pymc"):
        raise MixphaseInputError(f"engine must be 'fast' or 'pymc', got {engine!r}")
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
    pymc_kw = {"draws": draws, "tune": tune, "chains": chains, "target_accept": target_accept}
    t0 = time.perf_counter()
    fits = {k: _fit_one(prob, k, engine, noise, ci, seed, n_draws, pymc_kw) for k in ks}
    if not auto:
        fit = fits[ks[0]]
        if fit.identification_error:
            raise MixphaseInputError(fit.identification_error)
    else:
        chosen, table = compare_loo(prob, fits)
        fit = fits[chosen]
        fit.comparison = table
    fit.seconds = time.perf_counter() - t0
    return fit
