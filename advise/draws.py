"""The model as posterior (or prior) draws: every prediction computed per draw, then summarised.

:class:`ModelDraws` pairs ``D`` draws of the six constants (:mod:`mixphase.advise.priors`) with
``D`` web laws and a target configuration (knowledge set, training length): one
:class:`~mixphase.theory.knapsack.KnapsackModel` whose parameters are ``(D, 1)`` arrays, so each
closed form is evaluated once for all draws. Two kinds of interval:

- *credible* (``predictive=False``): the model's uncertainty (constants, web law);
- *predictive* (``predictive=True``): what a new run will measure — each draw also gets that run's
  seed effect ``delta ~ N(0, sigma^2)`` in ln odds (:mod:`mixphase.theory.accuracy`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mixphase.advise.priors import constants, with_constants
from mixphase.records import Estimate
from mixphase.theory import accuracy as acc
from mixphase.theory.capacity import ExposureCurve
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.web_law_draws import LawDraws


@dataclass(frozen=True)
class ModelDraws:
    """``theta``: ``(D, 6)`` unconstrained constants; ``web``: ``D`` laws (or one); ``base``: the
    target configuration (its own constants are replaced by the draws)."""

    theta: np.ndarray
    web: LawDraws
    base: KnapsackModel
    level: float = 0.9
    seed: int = 0

    @property
    def size(self) -> int:
        return int(self.theta.shape[0])

    @property
    def constants(self) -> dict[str, np.ndarray]:
        return constants(self.theta)

    @property
    def model(self) -> KnapsackModel:
        return with_constants(self.base, self.constants, self.web)

    @property
    def width(self) -> np.ndarray:
        return self.constants["width"]

    @property
    def seed_sd(self) -> np.ndarray:
        return self.constants["seed_sd"]

    def at(self, **changes) -> ModelDraws:
        """The same draws for another configuration (``knowledge=``, ``training_tokens=``)."""
        return replace(self, base=replace(self.base, **changes))

    def _shift(self, predictive: bool, salt: int = 0):
        if not predictive:
            return 0.0
        z = np.random.default_rng([self.seed, 7, salt]).standard_normal((self.size, 1))
        return self.seed_sd * z

    # -- predictions (one row per draw) ----------------------------------------------------
    def critical_ratio(self, sizes, fraction: float = 0.0) -> np.ndarray:
        """The knapsack's ratio at which ``fraction`` is learned (0: onset)."""
        return np.asarray(self.model.critical_ratio(_row(sizes), fraction))

    def ratio_at_accuracy(self, sizes, level: float = 0.5, predictive: bool = False):
        """The ratio at which accuracy reaches ``level`` (0.5: a sweep's 50% point)."""
        return np.asarray(acc.ratio_at_accuracy(self.model, _row(sizes), level, self.width,
                                                self._shift(predictive, 1)))  # fmt: skip

    def learned_fraction(self, sizes, ratio) -> np.ndarray:
        return np.asarray(self.model.learned_fraction(_row(sizes), ratio))

    def accuracy(self, sizes, ratio, predictive: bool = False) -> np.ndarray:
        """Expected exact-match accuracy; ``predictive``: a new run's (with its seed effect)."""
        return np.asarray(acc.accuracy(self.model, _row(sizes), ratio, self.width,
                                       self._shift(predictive, 2)))  # fmt: skip

    def critical_size(self, ratio, fraction: float = 0.0) -> np.ndarray:
        return np.asarray(self.model.critical_size(np.atleast_1d(ratio)[None, :], fraction))

    # -- summaries --------------------------------------------------------------------------
    def summary(self, values) -> Estimate:
        """Median and central interval over draws; NaN ("no ratio/size does") counts as +inf."""
        v = np.asarray(values, dtype=float).ravel()
        v = np.where(np.isnan(v), np.inf, v)
        q = np.quantile(v, [(1 - self.level) / 2, 0.5, (1 + self.level) / 2],
                        method="inverted_cdf")  # fmt: skip
        return Estimate(float(q[1]), float(q[0]), float(q[2]), self.level)

    def columns(self, values) -> list[Estimate]:
        """One :class:`Estimate` per column of a ``(D, P)`` array."""
        v = np.asarray(values, dtype=float)
        v = np.broadcast_to(v, (self.size, v.shape[-1])) if v.ndim == 2 else v[:, None]
        return [self.summary(v[:, j]) for j in range(v.shape[1])]

    def median_model(self) -> KnapsackModel:
        """A point model at the constants' medians and the median web law (for plots)."""
        med = {k: float(np.median(v)) for k, v in self.constants.items()}
        return replace(self.base, web=self.web.median_law(), bits_per_param=med["bits_per_param"],
                       value_scale=med["value_scale"],
                       exposure=ExposureCurve(med["e_half"], med["gamma"]))  # fmt: skip

    def constant_estimates(self) -> dict[str, Estimate]:
        return {k: self.summary(v) for k, v in self.constants.items()}


def _row(sizes) -> np.ndarray:
    """Sizes as a ``(1, P)`` row so that they broadcast against ``(D, 1)`` draws."""
    return np.atleast_1d(np.asarray(sizes, dtype=float))[None, :]


__all__ = ["ModelDraws"]
