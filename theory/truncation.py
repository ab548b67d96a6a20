"""Zipf distributions and how synthetic generators truncate them.

Knowledge items have Zipf frequencies ``p_i = i^(-beta) / Z_n`` on ranks ``i = 1..n``
(``Z_n = sum_i i^(-beta)``, beta > 1), after Wang et al. (2025), arXiv 2511.13640. A synthetic
generator reproduces only the head: items beyond a cutoff rank ``k`` never appear. The cutoffs
below are standard Zipf algebra (**derived here**, docs/theory.md §2.1):

- top-p:     ``k = min{k : sum_{i<=k} p_i >= top_p}``;
- samples:   ``n`` i.i.d. draws cover the ranks with at least one expected occurrence,
             ``k = max{i : n * p_i >= 1} = floor((n / Z)^(1/beta))``;
- temperature ``tau``: the generator samples ``p_i^(1/tau)`` (Zipf exponent ``beta/tau``); with a
             finite number of samples ``n`` (default 10^6) it covers ``k`` ranks as above with
             exponent ``beta/tau``. Temperature alone does not truncate, so a sample count is part
             of the mechanism.

:func:`synthetic_distribution` returns the synthetic ``p'`` (truncated and renormalised, reshaped
by temperature) on the same ranks, which :mod:`mixphase.theory.mixture` mixes with the real ``p``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError

#: Ranks in the finite item universe unless the caller says otherwise.
DEFAULT_N_ITEMS = 1_000_000
#: Synthetic samples assumed when a temperature is given without a sample count.
DEFAULT_TEMPERATURE_SAMPLES = 1_000_000


def check_beta(beta: float) -> float:
    beta = float(beta)
    if not np.isfinite(beta) or beta <= 1:
        raise MixphaseInputError(f"beta must be a finite number > 1, got {beta!r}")
    return beta


def zipf_pmf(beta: float, n_items: int = DEFAULT_N_ITEMS) -> np.ndarray:
    """``p_i = i^(-beta) / Z_n`` for ``i = 1..n_items`` (index 0 is rank 1)."""
    if n_items < 1:
        raise MixphaseInputError(f"n_items must be at least 1, got {n_items}")
    w = np.arange(1, int(n_items) + 1, dtype=float) ** (-float(beta))
    return w / w.sum()


def cutoff_from_top_p(beta: float, top_p: float, n_items: int = DEFAULT_N_ITEMS) -> int:
    """Smallest ``k`` with head mass ``sum_{i<=k} p_i >= top_p``."""
    beta = check_beta(beta)
    if not np.isfinite(top_p) or not 0 < top_p <= 1:
        raise MixphaseInputError(f"top-p must lie in (0, 1], got {top_p!r}")
    cdf = np.cumsum(zipf_pmf(beta, n_items))
    return int(min(np.searchsorted(cdf, top_p * (1 - 1e-12)) + 1, n_items))


def cutoff_from_samples(beta: float, n_samples: float, n_items: int = DEFAULT_N_ITEMS) -> int:
    """``k = max{i : n * p_i >= 1}``: ranks with at least one expected occurrence (>= 1)."""
    return _coverage(check_beta(beta), n_samples, n_items)


def _coverage(exponent: float, n_samples: float, n_items: int) -> int:
    """Ranks covered by ``n_samples`` draws from a Zipf law with any positive ``exponent``."""
    if not np.isfinite(n_samples) or n_samples < 1:
        raise MixphaseInputError(f"synthetic samples must be >= 1, got {n_samples!r}")
    z = float(np.sum(np.arange(1, int(n_items) + 1, dtype=float) ** (-exponent)))
    log_k = math.log(n_samples / z) / exponent  # in logs: (n/z)^(1/exponent) overflows for small
    if log_k >= math.log(n_items):  # exponents (high temperatures)
        return int(n_items)
    return int(np.clip(math.floor(math.exp(log_k)), 1, n_items))


def cutoff_from_temperature(
    beta: float,
    temperature: float,
    n_samples: float = DEFAULT_TEMPERATURE_SAMPLES,
    n_items: int = DEFAULT_N_ITEMS,
) -> int:
    """Coverage of ``n_samples`` draws from the tempered law ``p^(1/tau)`` (exponent beta/tau)."""
    beta = check_beta(beta)
    if not np.isfinite(temperature) or temperature <= 0:
        raise MixphaseInputError(f"temperature must be positive, got {temperature!r}")
    return _coverage(beta / temperature, n_samples, n_items)


@dataclass(frozen=True)
class Truncation:
    """How the synthetic data were made: exactly one of cutoff, top_p, temperature, samples."""

    cutoff: int | None = None
    top_p: float | None = None
    temperature: float | None = None
    synthetic_samples: float | None = None

    def __post_init__(self) -> None:
        given = [self.cutoff, self.top_p, self.temperature]
        n_given = sum(v is not None for v in given)
        if n_given > 1 or (n_given == 0 and self.synthetic_samples is None):
            raise MixphaseInputError(
                "give exactly one truncation: --cutoff, --top-p, --temperature or "
                "--synthetic-samples (a sample count may accompany --temperature)"
            )
        if self.cutoff is not None and (self.cutoff < 1 or int(self.cutoff) != self.cutoff):
            raise MixphaseInputError(f"cutoff must be a positive integer, got {self.cutoff!r}")

    @property
    def mechanism(self) -> str:
        for name in ("cutoff", "top_p", "temperature"):
            if getattr(self, name) is not None:
                return name
        return "synthetic_samples"

    @property
    def exponent_scale(self) -> float:
        """``1/tau``: the synthetic law is ``p^(1/tau)`` (1 unless a temperature is given)."""
        return 1.0 / self.temperature if self.temperature is not None else 1.0

    def cutoff_rank(self, beta: float, n_items: int = DEFAULT_N_ITEMS) -> int:
        """The cutoff ``k`` this mechanism implies for Zipf(beta) on ``n_items`` ranks."""
        beta = check_beta(beta)
        if self.cutoff is not None:
            return int(min(self.cutoff, n_items))
        if self.top_p is not None:
            return cutoff_from_top_p(beta, self.top_p, n_items)
        if self.temperature is not None:
            n = self.synthetic_samples or DEFAULT_TEMPERATURE_SAMPLES
            return cutoff_from_temperature(beta, self.temperature, n, n_items)
        return cutoff_from_samples(beta, float(self.synthetic_samples), n_items)


def synthetic_distribution(
    beta: float, truncation: Truncation, n_items: int = DEFAULT_N_ITEMS
) -> np.ndarray:
    """``p'_i ∝ p_i^(1/tau)`` for ``i <= k``, 0 beyond; renormalised to sum to one."""
    k = truncation.cutoff_rank(beta, n_items)
    ranks = np.arange(1, int(n_items) + 1, dtype=float)
    w = np.where(ranks <= k, ranks ** (-beta * truncation.exponent_scale), 0.0)
    return w / w.sum()
