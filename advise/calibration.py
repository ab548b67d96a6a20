"""Calibrating the knapsack model on your own runs: which constants the data set, with intervals.

The model (:class:`~mixphase.theory.knapsack.KnapsackModel` with the accuracy ramp of
:mod:`mixphase.theory.accuracy`) has six constants (:mod:`mixphase.advise.priors`): the value
scale ``kappa``, the capacity per parameter ``b``, the exposure curve's ``E_half`` and ``gamma``,
the ramp width ``w`` and the seed scatter ``sigma``. Every prediction is computed per posterior
draw (:class:`~mixphase.advise.draws.ModelDraws`):

- **none** — the priors: an uncalibrated prediction carries their uncertainty;
- **anchor** (``--critical-ratio R`` at ``--anchor-size N``: accuracy reached 50% at ``R``) —
  the prior reweighted by one measured transition, scattered by the seed effect;
- **runs** (``--calibrate FILE``: size, ratio, accuracy or counts, and per run its knowledge set
  and training length when known, :mod:`mixphase.advise.runs`) — 2 or more runs at 2 or more
  ratios. The posterior (:mod:`mixphase.advise.posterior`) sets what the runs inform and leaves
  the rest at its prior; which constants moved (posterior sd < 0.7 x prior sd) is reported.

The runs may differ from the target configuration (``--facts``, ``--tokens-per-fact``,
``--training-tokens``): each run is evaluated in its own, so the constants transfer. The web law
is fixed per draw (``--web-runs`` fits it; :mod:`mixphase.advise.web`) and its draws are
reweighted together with the constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from mixphase.advise.draws import ModelDraws
from mixphase.advise.posterior import Anchor, log_likelihood, sample_posterior
from mixphase.advise.priors import LABELS, NAMES, Priors
from mixphase.advise.runs import CalibrationData, calibration_data, web_runs_by_length
from mixphase.advise.web import WebChoice, default_web
from mixphase.errors import MixphaseInputError
from mixphase.readers import read_records as _read_records
from mixphase.records import Estimate
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.predictions import format_size

#: Posterior draws propagated through the predictions.
N_DRAWS = 1000
#: A constant counts as calibrated when its posterior sd is below this share of the prior's.
CALIBRATED_SHRINK = 0.7


@dataclass(frozen=True)
class Calibration:
    """Draws of the model for the target configuration and how they were obtained."""

    draws: ModelDraws
    method: str  # "none", "anchor", "runs" or "runs+anchor"
    web: WebChoice
    priors: Priors
    data: CalibrationData | None = None
    anchors: tuple[Anchor, ...] = ()
    ess: float | None = None
    shrink: dict = field(default_factory=dict)
    acceptance: float | None = None

    @property
    def calibrated(self) -> bool:
        return self.method != "none"

    @property
    def level(self) -> float:
        return self.draws.level

    def summary(self, values) -> Estimate:
        return self.draws.summary(values)

    def median_model(self, model: KnapsackModel | None = None) -> KnapsackModel:
        """A point model at the posterior medians (``model``: another target configuration)."""
        d = self.draws if model is None else self.draws.at(
            knowledge=model.knowledge, training_tokens=model.training_tokens)  # fmt: skip
        return d.median_model()

    def status(self) -> dict[str, str]:
        """Per constant: "calibrated", "prior" or "not used" (exposures without a length)."""
        uses_t = self.draws.base.training_tokens is not None or (
            self.data is not None and np.any(np.isfinite(self.data.training_tokens)))  # fmt: skip
        out = {}
        for name in NAMES:
            if name in ("e_half", "gamma") and not uses_t:
                out[name] = "not used (no training length)"
            elif self.calibrated and self.shrink.get(name, 1.0) < CALIBRATED_SHRINK:
                out[name] = "calibrated"
            else:
                out[name] = "prior" if not self.calibrated else "prior (the data do not inform it)"
        return out

    def to_dict(self) -> dict:
        est = self.draws.constant_estimates()
        status = self.status()
        return {
            "method": self.method, "credible_level": self.level, "draws": self.draws.size,
            "effective_sample_size": self.ess, "metropolis_acceptance": self.acceptance,
            "constants": {k: {**est[k].to_dict(), "status": status[k],
                              "posterior_sd_over_prior_sd": self.shrink.get(k)} for k in NAMES},
            "web": self.web.to_dict(),
            "runs": None if self.data is None else self.data.to_dict(),
            "anchors": [a.to_dict() for a in self.anchors],
        }  # fmt: skip

    def lines(self) -> list[str]:
        head = {"none": "UNCALIBRATED: the model under its priors (intervals are the priors')",
                "anchor": "calibrated on your measured critical ratio",
                "runs": f"calibrated on {0 if self.data is None else self.data.n} runs",
                "runs+anchor": "calibrated on your runs and critical ratio"}[self.method]  # fmt: skip
        out = [f"  {head}; [ ] = {self.level:.0%} intervals"]
        if self.data is not None:
            d = self.data.to_dict()
            sizes = ", ".join(format_size(s) for s in d["sizes"])
            out.append(f"    runs at sizes {sizes}; ratios {d['ratio_range'][0]:.3g}-"
                       f"{d['ratio_range'][1]:.3g}" + (f"; assumed the target's "
                       f"{', '.join(d['assumed_from_target'])}" if d["assumed_from_target"]
                       else ""))  # fmt: skip
        est, status = self.draws.constant_estimates(), self.status()
        for k in NAMES:
            out.append(f"    {LABELS[k]:<30} {est[k]!s:<28} {status[k]}")
        if self.ess is not None:
            moved = "" if self.acceptance is None else (
                f", then Metropolis moves (acceptance {self.acceptance:.0%})")  # fmt: skip
            out.append(f"    posterior: importance sampling, effective sample size "
                       f"{self.ess:.0f}{moved}")  # fmt: skip
            if self.acceptance is not None and self.acceptance < 0.05:
                out.append("    warning: the sampler barely moved: intervals may be too narrow")
        return out


def _shrink(post: np.ndarray, priors: Priors) -> dict[str, float]:
    sd = post.std(axis=0) / priors.sd()
    return {k: float(sd[i]) for i, k in enumerate(NAMES)}


def model_priors(model: KnapsackModel) -> Priors:
    """The default priors, centred on the model's own capacity and value scale (``--bits-per-param``
    sets the capacity prior's median)."""
    p = Priors()
    return replace(p, bits_per_param=(float(model.bits_per_param), p.bits_per_param[1]),
                   value_scale=(float(model.value_scale), p.value_scale[1]))  # fmt: skip


def with_web_lengths(model: KnapsackModel, web: WebChoice) -> KnapsackModel:
    """``model`` with the capacity-vs-length curve the web runs measured (if any)."""
    if web.length is None or model.length_scaling is not None:
        return model
    return replace(model, length_scaling=web.length)


def uncalibrated(model: KnapsackModel, *, web: WebChoice | None = None, priors: Priors | None = None,
                 n_draws: int = N_DRAWS, seed: int = 0, ci: float = 0.9) -> Calibration:  # fmt: skip
    """The model under its priors (what an uncalibrated prediction rests on)."""
    priors = priors or model_priors(model)
    web = web or default_web(model, n_draws, seed)
    model = with_web_lengths(model, web)
    rng = np.random.default_rng([seed, 17])
    theta = priors.sample(n_draws, rng)
    laws = web.draws.take(rng.integers(web.draws.size, size=n_draws))
    draws = ModelDraws(theta, laws, model, ci, seed)
    return Calibration(draws, "none", web, priors, shrink={k: 1.0 for k in NAMES})


def calibrate(model: KnapsackModel, *, data: CalibrationData | None = None, anchors=(),
              web: WebChoice | None = None, priors: Priors | None = None,
              n_draws: int = N_DRAWS, seed: int = 0, ci: float = 0.9) -> Calibration:  # fmt: skip
    """Posterior draws given runs (``data``) and/or anchors; the target config is ``model``'s.

    Without a ``priors`` argument: :func:`model_priors`, except that runs reporting their stored
    bits per parameter centre the capacity prior there (sd 0.5 in ln: exact-match counting misses
    partial knowledge).
    """
    web = web or default_web(model, n_draws, seed)
    model = with_web_lengths(model, web)
    if data is not None:
        data = data.filled(model.knowledge, model.training_tokens)
    if priors is None:
        priors = model_priors(model)
        if data is not None and np.any(np.isfinite(data.bits_per_param)):
            priors = replace(priors, bits_per_param=(float(np.nanmedian(data.bits_per_param)), 0.5))
    anchors = tuple(anchors)
    if data is None and not anchors:
        return uncalibrated(model, web=web, priors=priors, n_draws=n_draws, seed=seed, ci=ci)

    def loglik(theta, j):
        return log_likelihood(theta, web.draws.take(j), model, data, anchors)

    post = sample_posterior(loglik, priors, web.draws.size, n_draws=n_draws, seed=seed)
    draws = ModelDraws(post.theta, web.draws.take(post.web_index), model, ci, seed)
    method = "runs" if data is not None else "anchor"
    if data is not None and anchors:
        method = "runs+anchor"
    return Calibration(draws, method, web, priors, data, anchors, post.ess,
                       _shrink(post.theta, priors), post.acceptance)  # fmt: skip


def anchor(model: KnapsackModel, size: float, critical_ratio: float, level: float = 0.5,
           **kwargs) -> Calibration:  # fmt: skip
    """Calibrate on one measured critical ratio (accuracy ``level`` at ``critical_ratio``)."""
    if not 0 < critical_ratio < 1:
        raise MixphaseInputError(
            f"--critical-ratio must lie strictly between 0 and 1, got {critical_ratio!r}"
        )
    if not size > 0 or not np.isfinite(size):
        raise MixphaseInputError(f"anchor model size must be positive, got {size!r}")
    return calibrate(model, anchors=[Anchor(float(size), float(critical_ratio), level)], **kwargs)


def sweep(model: KnapsackModel, sizes, ratios, accuracy=None, correct=None, total=None,
          **kwargs) -> Calibration:  # fmt: skip
    """Calibrate on arrays of runs in the target's own configuration (a convenience)."""
    rows = [{"model_size": float(n), "ratio": float(r)} for n, r in zip(sizes, ratios, strict=True)]
    if correct is not None and total is not None:
        for row, c, t in zip(rows, correct, total, strict=True):
            row.update(correct=float(c), total=float(t))
    else:
        for row, a in zip(rows, accuracy, strict=True):
            row["accuracy"] = float(a)
    return calibrate(model, data=calibration_data(rows, "calibration runs"), **kwargs)


def extrapolation_warnings(cal: Calibration, sizes, ratio: float | None = None) -> list[str]:
    """Say how far predictions reach beyond the calibrated sizes and exposures."""
    out = []
    if cal.data is None and not cal.anchors:
        return out
    known = np.concatenate([cal.data.sizes if cal.data is not None else [],
                            [a.size for a in cal.anchors]])  # fmt: skip
    lo, hi = float(np.min(known)), float(np.max(known))
    for n in np.atleast_1d(sizes):
        if n > hi * 1.01 or n < lo / 1.01:
            f = n / hi if n > hi else lo / n
            out.append(f"{format_size(n)} lies {f:.3g}x {'above' if n > hi else 'below'} the "
                       f"calibrated sizes ({format_size(lo)}-{format_size(hi)}): an extrapolation")  # fmt: skip
    t = cal.draws.base.training_tokens
    if cal.data is not None and ratio is not None and t is not None:
        e = cal.data.exposures()
        e = e[np.isfinite(e)]
        mine = ratio * t / float(cal.draws.base.knowledge.tokens)
        if e.size and (mine > 1.5 * e.max() or mine < e.min() / 1.5):
            out.append(f"{mine:.3g} exposures per fact at r={ratio:g} lie outside the calibrated "
                       f"{e.min():.3g}-{e.max():.3g}: the exposure curve extrapolates")  # fmt: skip
    return out + length_warnings(cal)


def length_warnings(cal: Calibration) -> list[str]:
    """Say whether the target's training length is covered by the calibration's lengths, and by
    what: measured web-only runs, or the exposure prior alone."""
    t = cal.draws.base.training_tokens
    if t is None or not np.isfinite(t) or (cal.data is None and not cal.anchors):
        return []
    known = [] if cal.data is None else [float(v) for v in cal.data.training_tokens
                                         if np.isfinite(v)]  # fmt: skip
    known += [float(a.training_tokens) for a in cal.anchors if a.training_tokens is not None]
    if not known or any(abs(math.log(t / k)) < math.log(1.1) for k in known):
        return []
    scaling = cal.draws.base.length_scaling
    if scaling is None:
        return [f"training length {t:.3g} tokens differs from the calibrated "
                f"{min(known):.3g}-{max(known):.3g}: how capacity changes with length comes from "
                "the exposure prior alone (Allen-Zhu & Li, GPT-2 scale), which on our tiny-model "
                "sweeps moved ln r_c 2-3x too little; web-only runs at both lengths "
                "(--web-runs with training_tokens) measure it"]  # fmt: skip
    lengths = scaling.lengths
    if t > 1.1 * lengths.max() or t < lengths.min() / 1.1:
        return [f"training length {t:.3g} tokens lies outside the web-only runs' lengths "
                f"({lengths.min():.3g}-{lengths.max():.3g}): capacity vs length extrapolates"]  # fmt: skip
    return []


# -- files ---------------------------------------------------------------------------------------
# Column names: the one table in mixphase.readers.columns (roles used in mixphase.advise.runs).
def read_records(path) -> list[dict]:
    """Rows of any table :mod:`mixphase.readers` reads (CSV/TSV, JSON/JSONL, Parquet, ...);
    each row knows its line, so errors name it."""
    return _read_records(path)


def read_calibration_points(path) -> CalibrationData:
    """The runs of a calibration file (any table :mod:`mixphase.readers` reads; a ``validate``
    results file too)."""
    return calibration_data(read_records(path), str(path))


def read_web_runs(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sizes, web_loss per token, training_tokens or NaN)`` from a web-runs file (checked)."""
    return web_runs_by_length(read_records(path), str(path))


__all__ = ["Calibration", "anchor", "calibrate", "extrapolation_warnings", "read_calibration_points",
           "read_records", "read_web_runs", "sweep", "uncalibrated"]  # fmt: skip
