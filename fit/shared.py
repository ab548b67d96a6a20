"""Several curves sharing their breakpoints: one joint NUTS fit (PyMC engine only).

Model: the breakpoint model of :mod:`mixphase.fit.breakpoints`, for curves ``i = 1..m`` in one
log-x frame ``u = (log x - m_u)/s_u`` (pooled over all curves)::

    v_i = a_i + c_i u + sum_j d_ij h_delta(u - b_j) + eps_i,    eps_i ~ N(0, sigma_i^2 + e^2)
                                                                 or StudentT(nu_i, 0, sigma_i)

with the breakpoints ``b`` shared (ordered uniform on the pooled log-x range) and, with
``share=("breakpoints", "slopes")``, also ``c`` and ``d`` shared (then log y is standardised
with one pooled ``s_v`` too, so that shared coefficients are shared log-log slopes). Priors and
the smooth kink width ``delta = smoothness * pooled log-x range`` are those of the single-curve
model; pooling sharpens the breakpoints because every curve's kinks inform the same ``b``.
The model is built by :func:`mixphase.fit.breakpoints_pymc.build_model` (the single-curve model
is its one-curve case) and sampled by the chosen NUTS sampler (:mod:`mixphase.fit._nuts`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
from mixphase.fit.breakpoints import (
    DEFAULT_SMOOTHNESS,
    MAX_BREAKPOINTS,
    _build,
    _warnings,
    check_engine,
    fast_posterior,
    make_problem,
    min_points_for,
)
from mixphase.fit.data import check_ci
from mixphase.fit.results import Draws, SharedBreakpointFit

SHAREABLE = ("breakpoints", "slopes")


def _check_share(share) -> tuple[str, ...]:
    """``"breakpoints"``, ``"breakpoints,slopes"`` or a sequence of those names."""
    items = share.split(",") if isinstance(share, str) else list(share)
    if not all(isinstance(s, str) for s in items):
        raise MixphaseInputError(f"share must be names of parameters, got {share!r}")
    items = [s.strip().lower() for s in items if s.strip()]
    bad = [s for s in items if s not in SHAREABLE]
    if bad:
        raise MixphaseInputError(f"share must name 'breakpoints' and optionally 'slopes', got "
                                 f"{bad[0]!r}")  # fmt: skip
    if "breakpoints" not in items:
        raise MixphaseInputError("share must include 'breakpoints' (shared slopes with separate "
                                 "breakpoints is not a supported model)")  # fmt: skip
    return tuple(s for s in SHAREABLE if s in items)


def _unpack(name, value):
    """A curve as ``(x, y)``, ``(x, y, y_err)`` or a mapping with ``x``, ``y`` (``y_err``)."""
    if isinstance(value, Mapping):
        if "x" not in value or "y" not in value:
            raise MixphaseInputError(f"curve {name!r}: needs 'x' and 'y'")
        return value["x"], value["y"], value.get("y_err")
    try:
        parts = tuple(value)
    except TypeError:
        parts = ()
    if len(parts) not in (2, 3):
        raise MixphaseInputError(f"curve {name!r}: give (x, y), (x, y, y_err) or "
                                 "{'x': ..., 'y': ...}")  # fmt: skip
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


def fit_breakpoints_shared(curves: Mapping, n_breakpoints: int = 2,
                           share=("breakpoints",), ci: float = 0.9, seed: int = 0,
                           noise: str = "normal", *, smoothness: float = DEFAULT_SMOOTHNESS,
                           priors: dict | None = None, draws: int = 1000, tune: int = 1000,
                           chains: int = 4, target_accept: float = 0.95,
                           sampler: str | None = None,
                           progress: bool = False) -> SharedBreakpointFit:  # fmt: skip
    """Fit several curves jointly: shared breakpoints in log x (and slopes if asked), NUTS.

    ``curves``: ``{name: (x, y)}``, ``{name: (x, y, y_err)}`` or ``{name: {"x":, "y":,
    "y_err":}}`` (what :func:`mixphase.fit.read_curves` returns); at least two curves.
    ``share``: ``("breakpoints",)`` (default; per curve: intercept, slopes, noise scale) or
    ``("breakpoints", "slopes")`` (per curve: intercept and noise scale only).
    ``n_breakpoints``: 1-3 (no ``"auto"``). Other arguments as :func:`fit_breakpoints` with
    ``engine="pymc"``. Model and priors: see :mod:`mixphase.fit.shared`.
    Raises :class:`MixphaseInputError` on bad input or when the pooled data cannot identify a
    breakpoint.
    """
    ci = check_ci(ci)
    sampler = check_engine("pymc", sampler)
    share = _check_share(share)
    if noise not in ("normal", "student_t"):
        raise MixphaseInputError(f"noise must be 'normal' or 'student_t', got {noise!r}")
    if isinstance(n_breakpoints, bool) or not isinstance(n_breakpoints, (int, np.integer)):
        raise MixphaseInputError(f"shared breakpoints need n_breakpoints 1-3, got "
                                 f"{n_breakpoints!r}")  # fmt: skip
    k = int(n_breakpoints)
    if not 1 <= k <= MAX_BREAKPOINTS:
        raise MixphaseInputError(f"shared breakpoints need n_breakpoints 1-3, got {k}")
    if not isinstance(curves, Mapping) or len(curves) < 2:
        n = len(curves) if isinstance(curves, Mapping) else "no mapping of"
        raise MixphaseInputError(f"shared breakpoints need at least two curves, got {n}")
    data = {str(name): _unpack(name, val) for name, val in curves.items()}

    def problems(**frame):
        out = {}
        for name, (x, y, y_err) in data.items():
            try:
                out[name] = make_problem(x, y, y_err, smoothness, priors,
                                         min_points=min_points_for(k), **frame)  # fmt: skip
            except MixphaseInputError as exc:
                raise MixphaseInputError(f"curve {name!r}: {exc}") from None
        return out

    own = problems()  # validates each curve; the pooled frame comes from their data
    su = lin.Standardiser.of(np.concatenate([np.log(p.x) for p in own.values()]))
    sv = None
    if "slopes" in share:
        sv = lin.Standardiser.of(np.concatenate([np.log(p.y) for p in own.values()]))
    all_u = np.sort(np.concatenate([su.to(np.log(p.x)) for p in own.values()]))
    lo, hi = float(all_u[0]), float(all_u[-1])
    probs = problems(su=su, sv=sv, u_range=hi - lo)
    names = list(probs)

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    # start NUTS at the median over curves of each curve's fast-engine breakpoint medians
    init_b = np.median(
        [np.median(fast_posterior(p, k, 400, rng)[0].b.reshape(-1, k), axis=0)
         for p in probs.values()], axis=0,
    )  # fmt: skip
    from mixphase.fit import breakpoints_pymc

    run = breakpoints_pymc.sample(list(probs.values()), k, noise, lo, hi,
                                  share_slopes="slopes" in share, init_b=init_b, sampler=sampler,
                                  seed=seed, draws=draws, tune=tune, chains=chains,
                                  target_accept=target_accept, progress=progress)  # fmt: skip
    idata = run.trace
    post = idata.posterior
    coef_vars = ["intercept", "slope_coef"] if "slopes" in share else ["coef"]
    diag = breakpoints_pymc.convergence(run, k, coef_vars)
    b, coef, sigma = post["b"].values, post["coef"].values, post["sigma"].values
    nu = post["nu"].values if noise == "student_t" else None
    fits = {}
    for i, name in enumerate(names):
        d = Draws(b=b, coef=coef[:, :, i], sigma=sigma[:, :, i],
                  nu=None if nu is None else nu[:, :, i])  # fmt: skip
        f = _build(probs[name], k, d, diag, "pymc", noise, ci)
        f.warnings, f.identification_error = [], ""  # judged on the pooled data below
        f.sampler = run.sampler
        fits[name] = f
    # identification and convergence on the pooled log-x points
    pooled = replace(probs[names[0]], u=all_u)
    warnings, problem = _warnings(pooled, k, fits[names[0]].draws, diag, "pymc")
    if problem:
        raise MixphaseInputError(problem)
    seconds = time.perf_counter() - t0
    for f in fits.values():
        f.seconds = seconds
    return SharedBreakpointFit(
        n_breakpoints=k,
        share=share,
        breakpoints=fits[names[0]].breakpoints,
        fits=fits,
        diagnostics=diag,
        warnings=warnings,
        noise=noise,
        ci=ci,
        sampler=run.sampler,
        seconds=seconds,
        idata=idata,
    )
