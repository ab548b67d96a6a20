"""The breakpoint model for NUTS (``engine="pymc"``), for one curve or several sharing breakpoints.

The model and priors are those of :mod:`mixphase.fit.breakpoints` (module docstring), with the
ordered-uniform prior of the breakpoints written as cumulative Dirichlet gaps (exactly that
prior, and smooth for NUTS), and optionally Student-t noise::

    gaps ~ Dirichlet(1, ..., 1),  b_j = lo + (hi - lo) * (gaps_1 + ... + gaps_j)
    eps_i ~ N(0, sigma^2 + e_i^2)   or   StudentT(nu, 0, sigma),  nu ~ Gamma(2, 0.1)

Everything that varies between fits of one structure (the data, the frame ``lo``/``hi``, kink
width, prior scales, the start values of the gaps) is a ``pm.Data`` container, so one compiled
model serves every curve (:mod:`mixphase.fit._nuts`); the structure key is
``(k, noise, curves, shared slopes, known errors, hinge or softplus)``.
"""

from __future__ import annotations

import numpy as np

from mixphase.fit import _arviz, _nuts
from mixphase.fit.results import Draws


def structure(probs, k: int, noise: str, share_slopes: bool) -> tuple:
    """The cache key of the model: what changes its graph (not its data)."""
    has_e = any(p.e is not None for p in probs)
    return ("breakpoints", k, noise, len(probs), bool(share_slopes), has_e, probs[0].delta > 0)


def model_data(probs, k: int, lo: float, hi: float, init_b=None) -> dict:
    """Values of the model's ``pm.Data`` containers for these curves."""
    p0 = probs[0]
    n_c = len(probs)
    sizes = [p.u.size for p in probs]
    data = {
        "u_data": np.concatenate([p.u for p in probs]),
        "v_data": np.concatenate([p.v for p in probs]),
        "tau": p0.tau(k),
        "sigma_scale": np.float64(p0.sigma_scale),
    }
    if any(p.e is not None for p in probs):
        data["e_data"] = np.concatenate([np.zeros(p.u.size) if p.e is None else p.e
                                         for p in probs])  # fmt: skip
    if n_c > 1:
        # (points, curves) indicator: a product, far faster in NUTS than coef[curve_index]
        data["onehot"] = np.eye(n_c)[np.repeat(np.arange(n_c), sizes)]
    if k:
        data["lo"], data["width"] = np.float64(lo), np.float64(hi - lo)
        data["delta"] = np.float64(p0.delta if p0.delta > 0 else 1.0)  # unused by a hard hinge
        g = np.full(k + 1, 1.0 / (k + 1))
        if init_b is not None:
            g = np.diff(np.concatenate([[lo], np.sort(init_b), [hi]])) / (hi - lo)
            g = np.clip(g, 1e-3, None)
        data["gaps_init"] = g / g.sum()
    return data


def build_model(key: tuple, data: dict):
    """The PyMC model of structure ``key`` with containers initialised to ``data``."""
    pm = _nuts.import_pymc()
    import pytensor.tensor as pt

    _, k, noise, n_c, share_slopes, has_e, smooth = key
    single = n_c == 1
    with pm.Model() as model:
        u = pm.Data("u_data", data["u_data"])
        v = pm.Data("v_data", data["v_data"])
        tau = pm.Data("tau", data["tau"])
        if single:
            coef = pm.Normal("coef", 0.0, tau, shape=k + 2)
            rows = coef  # coef[j]: a scalar, broadcast over the points
        else:
            onehot = pm.Data("onehot", data["onehot"])
            if share_slopes:
                a = pm.Normal("intercept", 0.0, tau[0], shape=n_c)
                c = pm.Normal("slope_coef", 0.0, tau[1:], shape=k + 1)
                c_all = pt.repeat(c[None, :], n_c, axis=0)
                coef = pm.Deterministic("coef", pt.concatenate([a[:, None], c_all], axis=1))
            else:
                coef = pm.Normal("coef", 0.0, tau, shape=(n_c, k + 2))
            rows = pt.dot(onehot, coef).T  # (k + 2, points): each point's curve's coefficients
        mu = rows[0] + rows[1] * u
        if k:
            lo = pm.Data("lo", data["lo"])
            width = pm.Data("width", data["width"])
            delta = pm.Data("delta", data["delta"])
            gaps_init = pm.Data("gaps_init", data["gaps_init"])
            gaps = pm.Dirichlet("gaps", a=np.ones(k + 1), initval=gaps_init)
            b = pm.Deterministic("b", lo + width * pt.cumsum(gaps)[:k])
            for j in range(k):
                z = u - b[j]
                h = delta * pt.softplus(z / delta) if smooth else pt.maximum(z, 0)
                mu = mu + rows[2 + j] * h
        sigma_scale = pm.Data("sigma_scale", data["sigma_scale"])
        sigma = pm.HalfNormal("sigma", sigma_scale, shape=None if single else n_c)
        sigma_i = sigma if single else pt.dot(onehot, sigma)
        sd = pt.sqrt(sigma_i**2 + pm.Data("e_data", data["e_data"]) ** 2) if has_e else sigma_i
        if noise == "student_t":
            nu = pm.Gamma("nu", alpha=2.0, beta=0.1, shape=None if single else n_c)
            pm.StudentT("v", nu=nu if single else pt.dot(onehot, nu), mu=mu, sigma=sd, observed=v)
        else:
            pm.Normal("v", mu=mu, sigma=sd, observed=v)
    return model


def sample(probs, k: int, noise: str, lo: float, hi: float, *, share_slopes: bool = False,
           init_b=None, sampler: str | None = None, seed: int = 0, draws: int = 1000,
           tune: int = 1000, chains: int = 4, target_accept: float = 0.95,
           progress: bool = False) -> _nuts.Run:  # fmt: skip
    """NUTS on the model of ``probs`` (curves in one log-x frame); reuses compiled models."""
    key = structure(probs, k, noise, share_slopes)
    data = model_data(probs, k, lo, hi, init_b)
    return _nuts.sample(key, lambda: build_model(key, data), data, sampler=sampler, seed=seed,
                        draws=draws, tune=tune, chains=chains, target_accept=target_accept,
                        progress=progress)  # fmt: skip


def convergence(run: _nuts.Run, k: int, coef_vars=("coef",)) -> dict:
    """R-hat, bulk ESS and divergences of the sampled parameters."""
    names = [*coef_vars, "sigma"] + (["gaps"] if k else [])
    return _arviz.convergence(run.trace, names)


def posterior(prob, k: int, noise: str, init_b=None, **kw) -> tuple[Draws, dict, _nuts.Run]:
    """One curve: draws (standardised), convergence diagnostics and the run."""
    run = sample([prob], k, noise, prob.lo, prob.hi, init_b=init_b, **kw)
    post = run.trace.posterior
    b = post["b"].values if k else np.zeros((*post["coef"].shape[:2], 0))
    nu = post["nu"].values if noise == "student_t" else None
    d = Draws(b=b, coef=post["coef"].values, sigma=post["sigma"].values, nu=nu)
    return d, convergence(run, k), run
