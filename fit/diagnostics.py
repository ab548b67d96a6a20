"""Diagnostics that belong to the engine that made a fit, their warnings and their one-line text.

- ``fast`` (exact posterior on an adaptive grid, :mod:`mixphase.fit._linear`): nothing is
  sampled, so there is no R-hat, ESS or divergence. What can go wrong is resolution, so a fast
  fit reports ``effective_cells`` (Kish's effective number of grid cells carrying the posterior
  of the gridded parameters, ``1 / sum w_c^2`` over their marginal cell masses ``w_c``; the
  noise-scale cells when nothing else is gridded), ``grid_cells`` (cells of the final grid),
  ``cell_width`` (width of a final cell per gridded parameter, in the units its name gives) and
  ``log_evidence`` (the exact log marginal likelihood of the data given the model, in the units
  of the data the fit reports, e.g. of ln y). Warning: fewer than :data:`MIN_CELLS` effective
  cells (intervals may be coarse).
- ``pymc`` (NUTS): ``r_hat_max`` (rank-normalised split R-hat, Vehtari et al. 2021),
  ``ess_bulk_min`` and ``divergences`` (``r_hat_max`` is ``None`` for one chain). Warnings:
  R-hat above :data:`MAX_RHAT` (or not computed), any divergence, bulk ESS below :data:`MIN_ESS`.
"""

from __future__ import annotations

import math

import numpy as np

MIN_CELLS = 30
MAX_RHAT = 1.01
MIN_ESS = 100


def grid(post, names: list[str], scales=None, log_evidence: float | None = None) -> dict:
    """Fast-engine diagnostics of a :class:`~mixphase.fit._linear.GridPosterior`.

    ``names`` name the gridded parameters (with their unit, e.g. ``"ln_b1"``); ``scales``
    (default 1) convert a cell width from the grid's coordinates to those units.
    """
    k = post.points.shape[1]
    scales = np.ones(k) if scales is None else np.broadcast_to(np.asarray(scales, float), (k,))
    widths = {name: float(2 * h * s) for name, h, s in zip(names, post.half, scales, strict=True)}
    marginal = post.weights.sum(1) if k else post.weights.sum(0)
    out = {
        "effective_cells": round(float(1.0 / np.sum(marginal**2)), 1),
        "grid_cells": int(post.logw.size),
        "cell_width": widths,
    }
    if post.sigma.size > 1:
        out["cell_width"]["ln_sigma"] = float(post.log_dsigma)
    ev = post.log_evidence if log_evidence is None else log_evidence
    out["log_evidence"] = round(float(ev), 4)
    return out


def warnings(diag: dict, engine: str, gridded: bool = True) -> list[str]:
    """Warnings a reader must see about the engine's own diagnostics."""
    out = []
    if engine == "pymc":
        if diag["r_hat_max"] is None:
            out.append("convergence not checked: R-hat needs at least 2 chains (--chains)")
        elif diag["r_hat_max"] > MAX_RHAT:
            out.append(f"not converged: r_hat_max = {diag['r_hat_max']:.3f} > {MAX_RHAT}; "
                       "run longer (--draws/--tune) or check the model")  # fmt: skip
        if diag["divergences"] > 0:
            out.append(f"{diag['divergences']} divergent transitions: the posterior may be "
                       "biased; raise target_accept or simplify the model")  # fmt: skip
        if diag["ess_bulk_min"] < MIN_ESS:
            out.append(f"few effective draws: ess_bulk_min = {diag['ess_bulk_min']:.0f} < "
                       f"{MIN_ESS}; interval ends are imprecise (more --draws)")  # fmt: skip
    elif gridded and diag["effective_cells"] < MIN_CELLS:
        out.append(f"grid resolution: only {diag['effective_cells']:.0f} effective grid cells "
                   "carry the posterior; intervals may be coarse")  # fmt: skip
    return out


def describe(diag: dict) -> str:
    """One line for a fit's ``__str__``."""
    if "r_hat_max" in diag:
        rhat = "n/a (1 chain)" if diag["r_hat_max"] is None else f"{diag['r_hat_max']:.3f}"
        return (f"r_hat_max={rhat}  ess_bulk_min={diag['ess_bulk_min']:.0f}  "
                f"divergences={diag['divergences']}")  # fmt: skip
    widths = "  ".join(f"{k}={v:.3g}" for k, v in diag.get("cell_width", {}).items())
    ev = diag.get("log_evidence")
    ev = "" if ev is None or not math.isfinite(ev) else f"  log_evidence={ev:.2f}"
    return (f"exact grid posterior: effective_cells={diag['effective_cells']:.0f} of "
            f"{diag['grid_cells']}  cell widths: {widths}{ev}")  # fmt: skip
