"""Every use of ArviZ in mixphase goes through this module (one place to adapt).

mixphase supports ``arviz>=0.17,<1`` and ``pymc>=5.16,<6`` (pinned in pyproject.toml). ArviZ 1.x
and PyMC 6 need Python >= 3.12 and change the APIs used here: ``InferenceData`` becomes an xarray
``DataTree``, ``from_dict`` takes nested groups, the ELPD result's fields are renamed and
``summary``'s default interval changes. They cannot be installed where mixphase is tested (Python
3.11), so rather than guess at untested code paths the majors are pinned; when they are
supported, only this module (and :mod:`mixphase.fit._nuts` for PyMC) has to change. What
mixphase reads from a trace is ``trace.posterior[name].values`` and
``trace.sample_stats["diverging"]``, which both majors provide.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

PARETO_K_OK = 0.7  # PSIS-LOO is unreliable for a point whose Pareto k-hat exceeds this


def import_arviz():
    """Import ArviZ without its import-time FutureWarning about the coming 1.0 refactor."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz

    return arviz


def from_dict(posterior: dict, *, observed_data: dict | None = None,
              constant_data: dict | None = None, log_likelihood: dict | None = None,
              attrs: dict | None = None):  # fmt: skip
    """An ``InferenceData`` from arrays shaped (chains, draws, ...) per posterior variable."""
    az = import_arviz()
    kw = {"observed_data": observed_data, "constant_data": constant_data,
          "log_likelihood": log_likelihood, "attrs": attrs}  # fmt: skip
    return az.from_dict(posterior=posterior, **{k: v for k, v in kw.items() if v is not None})


@dataclass(frozen=True)
class Loo:
    """PSIS-LOO of one model (Vehtari, Gelman & Gabry 2017): totals and per-point values."""

    elpd: float
    se: float
    p_loo: float
    pointwise: np.ndarray  # (n,) elpd_loo_i
    pareto_k: np.ndarray  # (n,) k-hat per point

    @property
    def pareto_k_max(self) -> float:
        return float(np.nanmax(self.pareto_k))

    @property
    def n_bad(self) -> int:
        """Points whose k-hat exceeds :data:`PARETO_K_OK` (their LOO estimate is unreliable)."""
        return int(np.sum(self.pareto_k > PARETO_K_OK))


def loo(log_lik: np.ndarray) -> Loo:
    """PSIS-LOO from pointwise log-likelihoods shaped (chains, draws, n).

    ArviZ's own warning about high Pareto k is not shown here: the caller reads ``pareto_k`` and
    reports it (the k-hat column and a warning in the fit result), where the user sees it.
    """
    az = import_arviz()
    log_lik = np.asarray(log_lik, dtype=float)
    idata = az.from_dict(posterior={"_": np.zeros(log_lik.shape[:2])},
                         log_likelihood={"obs": log_lik})  # fmt: skip
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Pareto k.*")
        warnings.filterwarnings("ignore", message=".*shape parameter of Pareto.*")
        res = az.loo(idata, pointwise=True)
    return Loo(elpd=float(res.elpd_loo), se=float(res.se), p_loo=float(res.p_loo),
               pointwise=np.asarray(res.loo_i, dtype=float).ravel(),
               pareto_k=np.asarray(res.pareto_k, dtype=float).ravel())  # fmt: skip


def _max_over(ds) -> float:
    return float(np.nanmax(np.concatenate([np.ravel(ds[v].values) for v in ds.data_vars])))


def _min_over(ds) -> float:
    return float(np.nanmin(np.concatenate([np.ravel(ds[v].values) for v in ds.data_vars])))


def convergence(trace, var_names: list[str]) -> dict:
    """Rank-normalised split R-hat (max) and bulk ESS (min) over ``var_names``, divergences.

    R-hat compares chains: with one chain it is not computed (``r_hat_max`` is ``None``, and
    :func:`mixphase.fit.diagnostics.warnings` says so) rather than logged by ArviZ on stderr.
    """
    import logging

    az = import_arviz()
    chains = int(trace.posterior.sizes["chain"])
    log = logging.getLogger("arviz")
    level = log.level
    log.setLevel(logging.ERROR)  # its shape notices would reach the user's stderr (and --json)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # R-hat of a constant component
            rhat = _max_over(az.rhat(trace, var_names=var_names)) if chains >= 2 else None
            ess = _min_over(az.ess(trace, var_names=var_names, method="bulk"))
    finally:
        log.setLevel(level)
    return {
        "r_hat_max": None if rhat is None else round(rhat, 4),
        "ess_bulk_min": round(ess, 1),
        "divergences": int(np.asarray(trace.sample_stats["diverging"].values).sum()),
    }


def quantile_mcse(draws: np.ndarray, prob: float) -> float:
    """Monte Carlo standard error of the ``prob`` quantile of draws shaped (chains, draws)."""
    az = import_arviz()
    return float(az.mcse(np.asarray(draws, dtype=float), method="quantile", prob=prob))
