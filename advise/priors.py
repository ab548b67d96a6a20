"""What the model's constants are before any of your runs: priors, stated and sampled.

An uncalibrated prediction is the model under these priors, so it carries their uncertainty; a
calibration (:mod:`mixphase.advise.calibration`) reweights the same draws by your runs. Six
constants, each with its source (docs/theory.md §1.10), sampled in unconstrained coordinates:

=====================  ============================  ==============================================
constant               prior                         source
=====================  ============================  ==============================================
value scale ``kappa``  ``ln kappa ~ N(0, 1)``        [choice] theory as is, 90%: x/÷ 5.2 (the
                                                     uncalibrated theory missed the paper's
                                                     transitions by 2.5-6x)
capacity ``b_inf``     ``ln b ~ N(ln 2, 0.35)``      Allen-Zhu & Li: ~2 bits/param, fully trained;
                                                     centred on measured bits/param when the
                                                     calibration runs report them (sd 0.5)
exposure ``E_half``    ``ln E ~ N(ln 100, 1.5)``     Allen-Zhu & Li: 1 bit/param at 100 exposures
exposure ``gamma``     ``U(0.25, 1)``                [choice] around Allen-Zhu's doubling/decade
ramp width ``w``       ``ln w ~ N(ln 0.2, 0.5)``     measured transitions: w ~ 0.15-0.25 in ln r
seed scatter ``sigma`` ``ln s ~ N(ln 0.12, 0.5)``    six same-configuration seed pairs: ~0.12
=====================  ============================  ==============================================

The paper's web law (``alpha = 0.283`` from a fit to six model sizes) gets ``alpha ~ N(0.283,
0.04)`` (90%: 0.22-0.35) with the loss at the pivot size ``N_p = 311M`` (the geometric middle of
Pythia 14M-6.9B) held fixed: ``A' = A (N_p/1M)^(alpha' - alpha)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from mixphase.theory.capacity import ExposureCurve
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.web_law import PAPER_WEB_LAW
from mixphase.theory.web_law_draws import LawDraws

NAMES = ("value_scale", "bits_per_param", "e_half", "gamma", "width", "seed_sd")
LABELS = {"value_scale": "value scale kappa", "bits_per_param": "capacity b (bits/param)",
          "e_half": "exposure half-point E_half", "gamma": "exposure exponent gamma",
          "width": "ramp width w (ln odds)", "seed_sd": "seed scatter sigma (ln odds)"}  # fmt: skip
GAMMA_RANGE = (0.25, 1.0)
PAPER_ALPHA_SD = 0.04
PIVOT_SIZE = math.sqrt(14e6 * 6.9e9)


@dataclass(frozen=True)
class Priors:
    """Normal priors on the logs (``(median, sd of ln)``) and a uniform ``gamma``."""

    value_scale: tuple[float, float] = (1.0, 1.0)
    bits_per_param: tuple[float, float] = (2.0, 0.35)
    e_half: tuple[float, float] = (100.0, 1.5)
    width: tuple[float, float] = (0.2, 0.5)
    seed_sd: tuple[float, float] = (0.12, 0.5)
    gamma: tuple[float, float] = GAMMA_RANGE

    def _normal(self):
        names = ("value_scale", "bits_per_param", "e_half", "width", "seed_sd")
        idx = (0, 1, 2, 4, 5)
        return [(i, math.log(getattr(self, k)[0]), getattr(self, k)[1])
                for i, k in zip(idx, names, strict=True)]  # fmt: skip

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``(n, 6)`` draws in unconstrained coordinates (logs; logit of gamma's position)."""
        theta = np.empty((n, 6))
        for i, mu, sd in self._normal():
            theta[:, i] = rng.normal(mu, sd, n)
        theta[:, 3] = rng.logistic(0.0, 1.0, n)  # uniform gamma
        return theta

    def logpdf(self, theta: np.ndarray) -> np.ndarray:
        out = np.zeros(theta.shape[0])
        for i, mu, sd in self._normal():
            out += -0.5 * ((theta[:, i] - mu) / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi))
        z = theta[:, 3]
        return out - np.abs(z) - 2 * np.log1p(np.exp(-np.abs(z)))

    def sd(self) -> np.ndarray:
        """Prior sd of each unconstrained coordinate (logistic: pi/sqrt(3))."""
        s = np.empty(6)
        for i, _, sd in self._normal():
            s[i] = sd
        s[3] = math.pi / math.sqrt(3)
        return s


def constants(theta: np.ndarray) -> dict[str, np.ndarray]:
    """The constants from unconstrained draws, each as a ``(D, 1)`` array."""
    lo, hi = GAMMA_RANGE
    c = {
        "value_scale": np.exp(theta[:, 0]),
        "bits_per_param": np.exp(theta[:, 1]),
        "e_half": np.exp(theta[:, 2]),
        "gamma": lo + (hi - lo) / (1 + np.exp(-theta[:, 3])),
        "width": np.exp(theta[:, 4]),
        "seed_sd": np.exp(theta[:, 5]),
    }
    return {k: v[:, None] for k, v in c.items()}


def paper_law_draws(n: int, rng: np.random.Generator, law=PAPER_WEB_LAW) -> LawDraws:
    """The paper's power law with ``alpha ~ N(alpha, 0.04)`` (pivoted at ``N_p``)."""
    alpha = np.clip(rng.normal(law.alpha, PAPER_ALPHA_SD, n), 0.05, 0.95)
    a = law.A * (PIVOT_SIZE / law.size_unit) ** (alpha - law.alpha)
    return LawDraws("power", {"E": np.full(n, law.E), "A": a, "alpha": alpha},
                    law.size_unit, law.loss_unit)  # fmt: skip


def default_web_draws(model: KnapsackModel, n: int, rng: np.random.Generator) -> LawDraws:
    """The web law's uncertainty when none was fitted: the paper's alpha interval if the model
    uses the paper's law, else the user's law as given (a point)."""
    if model.web == PAPER_WEB_LAW:
        return paper_law_draws(n, rng)
    return LawDraws.of(model.web)


def with_constants(base: KnapsackModel, c: dict, web: LawDraws) -> KnapsackModel:
    """``base`` (knowledge set, training length) with the drawn constants and web laws."""
    return replace(base, web=web, bits_per_param=c["bits_per_param"],
                   value_scale=c["value_scale"],
                   exposure=ExposureCurve(c["e_half"], c["gamma"]))  # fmt: skip


__all__ = ["LABELS", "NAMES", "Priors", "constants", "default_web_draws", "paper_law_draws",
           "with_constants"]  # fmt: skip
