"""Phase transitions whose critical point scatters between seeds: one ``tau`` shared by curves.

Each curve (e.g. one model size's accuracy against the ratio, every run a point) is fitted with
the beta-binomial likelihood of :mod:`mixphase.fit.likelihoods` at fixed seed scatter ``tau`` on
the exact 4-D grid of :func:`mixphase.fit.transition.fast_binomial`, which also gives the curve's
evidence ``Z_g(tau)``. With ``scatter="fit"`` this is done for every ``tau`` of
:data:`~mixphase.fit.transition.TAU_GRID` (log-spaced cells, prior ``HalfNormal(scatter_scale)``),
and, because all curves share one ``tau``::

    p(tau_j | all curves) ∝ prior(tau_j) dlog(tau) prod_g Z_g(tau_j)
    p(theta_g | all curves) = sum_j p(theta_g | tau_j, curve g) p(tau_j | all curves)

so each curve's draws are a mixture of its fixed-``tau`` draws under the pooled weights (exact up
to the grid in ``tau``). A stated ``tau`` (a number) skips the pooling. Curves whose transition
lies outside their data are reported with the reason instead of a fit; they still count in the
pooled evidence (a curve without a transition carries almost no information about ``tau``).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.fit.data import check_ci
from mixphase.fit.results import TransitionFit
from mixphase.records import Estimate


@dataclass
class PooledTransitions:
    """Fits of several curves with one seed scatter: ``fits[g]`` or the reason in ``errors[g]``."""

    fits: list[TransitionFit | None]
    errors: list[str]
    scatter: Estimate
    design_effect: float
    tau_grid: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    tau_weights: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"scatter_ln_x": self.scatter.to_dict(), "design_effect": self.design_effect,
                "fits": [f.to_dict() if f is not None else None for f in self.fits],
                "errors": self.errors, "seconds": self.seconds}  # fmt: skip


def _log_prior(tau: np.ndarray, scale: float) -> np.ndarray:
    """log HalfNormal(scale) density per unit log tau (on a log-spaced grid)."""
    return 0.5 * math.log(2 / math.pi) - math.log(scale) - 0.5 * (tau / scale) ** 2 + np.log(tau)


def fit_transitions(curves: list[dict], *, scatter: float | str = "fit",
                    design_effect: float = 1.0, scatter_scale: float | None = None,
                    ci: float = 0.9, seed: int = 0, n_draws: int = 2000) -> PooledTransitions:  # fmt: skip
    """Fit sigmoids in log x to several count curves ``[{x, correct, total}]``, sharing ``tau``.

    ``scatter``: the seed-to-seed sd of ``ln x_c`` (a number), or ``"fit"`` (pooled posterior).
    ``design_effect``: answers per independent unit (counts are divided by it).
    """
    from mixphase.fit import transition as T

    ci = check_ci(ci)
    scale = T.SCATTER_SCALE if scatter_scale is None else scatter_scale
    _, deff = T._check_noise(scatter, design_effect, scale, True, "fast")
    if not curves:
        raise MixphaseInputError("no curves to fit")
    data = []
    for c in curves:
        x, _, k, n = T._check(c.get("x"), None, c.get("correct"), c.get("total"))
        o = np.argsort(x, kind="stable")
        data.append((x[o], k[o], n[o]))
    t0 = time.perf_counter()
    taus = T.TAU_GRID if scatter == "fit" else np.array([float(scatter or 0.0)])
    runs = []  # runs[g][j] = draws of curve g at tau_j (with _log_evidence)
    for g, (x, k, n) in enumerate(data):
        per = []
        for j, tau in enumerate(taus):
            rng = np.random.default_rng([seed, g, j])
            per.append(T.fast_binomial(np.log(x), k, n, n_draws, rng, float(tau), deff))
        runs.append(per)
    if taus.size > 1:
        logz = np.array([[d["_log_evidence"] for d in per] for per in runs])  # (G, J)
        logw = _log_prior(taus, scale) + logz.sum(0)
        w = np.exp(logw - logw.max())
        w /= w.sum()
        dlog = math.log(taus[1] / taus[0])
        rng = np.random.default_rng([seed, 10**6])
        tau_draws = taus[rng.choice(taus.size, size=n_draws, p=w)] * np.exp(
            rng.uniform(-0.5, 0.5, n_draws) * dlog
        )
        scatter_est = Estimate.from_samples(tau_draws, ci)
    else:
        w = np.ones(1)
        scatter_est = Estimate.point(float(taus[0]))
    fits: list[TransitionFit | None] = []
    errors: list[str] = []
    for g, (x, k, n) in enumerate(data):
        counts = np.random.default_rng([seed, g, 10**6]).multinomial(n_draws, w)
        perm = np.random.default_rng([seed, g, 10**6 + 1]).permutation(n_draws)
        d = {name: np.concatenate([runs[g][j][name][: counts[j]] for j in range(taus.size)])[perm]
             for name in ("u_c", "log_w", "floor", "ceiling")}  # fmt: skip
        cells = sum(c and min(c, runs[g][j]["_diag"]["effective_cells"])
                    for j, c in enumerate(counts))  # fmt: skip
        diag = dict(runs[g][int(np.argmax(w))]["_diag"])  # grid of the likeliest tau
        diag["effective_cells"] = round(min(float(n_draws), float(cells)), 1)
        if taus.size > 1:
            diag.pop("log_evidence", None)  # per-tau evidence; the mixture has none stored
        try:
            fits.append(T.transition_result(x, None, k, n, d, diag, ci, "fast", t0,
                                            scatter=scatter_est))  # fmt: skip
            errors.append("")
        except MixphaseInputError as exc:
            fits.append(None)
            errors.append(str(exc))
    return PooledTransitions(fits, errors, scatter_est, deff, taus, w,
                             time.perf_counter() - t0)  # fmt: skip


__all__ = ["PooledTransitions", "fit_transitions"]
