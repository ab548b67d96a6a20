"""Zipf distributions and how synthetic generators truncate them.

Knowledge items have Zipf frequencies ``p_i = i^(-beta) / Z_n`` on ranks ``i = 1..n``
(``Z_n = sum_i i^(-beta)``, beta > 1), after Wang et al. (2025), arXiv 2511.13640. A synthetic
generator reproduces only the head: items beyond a cutoff rank ``k`` never appear. The cutoffs
below are **derived here** (docs/theory.md §2.1):

- top-p:     ``k = min{k : sum_{i<=k} p_i >= top_p}`` (standard Zipf algebra);
- samples:   ``n`` i.i.d. draws from a sampling law ``s`` (``s = p``, or the tempered law below)
             hit a random support whose expected real mass is
             ``C(n) = sum_i p_i [1 - (1 - s_i)^n]`` and whose expected size is
             ``D(n) = sum_i [1 - (1 - s_i)^n]``. Three rules turn this into a rank
             (:data:`SAMPLE_RULES`):

             ``"support-mass"`` (default) ``k = min{k : P_k >= C(n)}``: the top-k head with the
             support's expected real mass, so the plateau height ``1 - P_k`` equals the
             expected missing mass ``sum_i p_i (1 - s_i)^n`` of the actual sample;
             ``"support-count"``  ``k = round(D(n))``: as many ranks as the support has items;
             ``"occurrence"``     ``k = max{i : n * s_i >= 1}``: ranks with at least one
             expected occurrence (``floor((n/Z)^(1/beta))`` for ``s = p``; mixphase's rule
             before issue #16).

             Against a Monte Carlo of the learner trained on the actual sample (its synthetic
             law the empirical distribution of the ``n`` draws; tests), the plateau is within
             ~5% with ``support-mass``, ~12-17% too high with ``occurrence`` and ~30% too low
             with ``support-count`` (beta 1.5-2.5, n 1e3-1e5): the support is not a prefix of
             the ranks, it has holes in the head and outliers in the tail, and the rank with
             the same *mass* is what the test error sees. ``D(n)`` is ~``Gamma(1-1/beta)``
             times the occurrence rank; the support-mass rank ~
             ``[Gamma(1-1/beta)(beta-1)/beta]^(-1/(beta-1))`` times it (1.13 at beta 2).
- temperature ``tau``: the generator samples ``p_i^(1/tau)`` (Zipf exponent ``beta/tau``); with a
             finite number of samples ``n`` (default 10^6) it covers ``k`` ranks by the same
             sample rule with ``s`` the tempered law. Temperature alone does not truncate, so a
             sample count is part of the mechanism.

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
#: How a sample count becomes a cutoff rank (module docstring); the first is the default.
SAMPLE_RULES = ("support-mass", "support-count", "occurrence")


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


def cutoff_from_samples(
    beta: float, n_samples: float, n_items: int = DEFAULT_N_ITEMS, rule: str = "support-mass"
) -> int:
    """Cutoff rank of ``n_samples`` i.i.d. draws from Zipf(beta) by ``rule`` (module docstring)."""
    beta = check_beta(beta)
    return _coverage(beta, beta, n_samples, n_items, rule)


def expected_support(
    beta: float, n_samples: float, n_items: int = DEFAULT_N_ITEMS, temperature: float = 1.0
) -> tuple[float, float]:
    """``(D(n), C(n))``: expected number of distinct items and their expected real mass in
    ``n_samples`` draws from Zipf(beta) tempered by ``temperature`` (module docstring)."""
    beta = check_beta(beta)
    _check_samples(n_samples)
    s = zipf_pmf(beta / float(temperature), n_items)
    with np.errstate(divide="ignore"):  # s_i = 1: log1p(-1) = -inf, hit = 1
        hit = -np.expm1(float(n_samples) * np.log1p(-np.minimum(s, 1.0)))  # 1 - (1 - s_i)^n
    return float(hit.sum()), float(hit @ zipf_pmf(beta, n_items))


def _check_samples(n_samples: float) -> None:
    if not np.isfinite(n_samples) or n_samples < 1:
        raise MixphaseInputError(f"synthetic samples must be >= 1, got {n_samples!r}")


def _coverage(beta: float, exponent: float, n_samples: float, n_items: int, rule: str) -> int:
    """Ranks covered by ``n_samples`` draws from the Zipf law with ``exponent`` (``beta/tau``),
    measured against the real Zipf(beta) law (module docstring)."""
    _check_samples(n_samples)
    if rule not in SAMPLE_RULES:
        raise MixphaseInputError(f"sample rule must be one of {SAMPLE_RULES}, got {rule!r}")
    n_items = int(n_items)
    if rule == "occurrence":
        z = float(np.sum(np.arange(1, n_items + 1, dtype=float) ** (-exponent)))
        log_k = math.log(n_samples / z) / exponent  # in logs: (n/z)^(1/exponent) overflows
        k = n_items if log_k >= math.log(n_items) else math.floor(math.exp(log_k))
    else:
        count, mass = expected_support(beta, n_samples, n_items, beta / exponent)
        if rule == "support-count":
            k = int(np.rint(count))
        else:
            cdf = np.cumsum(zipf_pmf(beta, n_items))
            k = int(np.searchsorted(cdf, mass * (1 - 1e-12)) + 1)
    return int(np.clip(k, 1, n_items))


def cutoff_from_temperature(
    beta: float,
    temperature: float,
    n_samples: float = DEFAULT_TEMPERATURE_SAMPLES,
    n_items: int = DEFAULT_N_ITEMS,
    rule: str = "support-mass",
) -> int:
    """Coverage of ``n_samples`` draws from the tempered law ``p^(1/tau)`` (exponent beta/tau)."""
    beta = check_beta(beta)
    if not np.isfinite(temperature) or temperature <= 0:
        raise MixphaseInputError(f"temperature must be positive, got {temperature!r}")
    return _coverage(beta, beta / temperature, n_samples, n_items, rule)


@dataclass(frozen=True)
class Truncation:
    """How the synthetic data were made: exactly one of cutoff, top_p, temperature, samples.

    ``sample_rule`` says how a sample count (``synthetic_samples``, alone or with a temperature)
    becomes a cutoff rank: one of :data:`SAMPLE_RULES` (module docstring).
    """

    cutoff: int | None = None
    top_p: float | None = None
    temperature: float | None = None
    synthetic_samples: float | None = None
    sample_rule: str = "support-mass"

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
        if self.sample_rule not in SAMPLE_RULES:
            raise MixphaseInputError(
                f"sample rule must be one of {', '.join(SAMPLE_RULES)}, got {self.sample_rule!r}"
            )

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
            return cutoff_from_temperature(beta, self.temperature, n, n_items, self.sample_rule)
        return cutoff_from_samples(beta, float(self.synthetic_samples), n_items, self.sample_rule)


def synthetic_distribution(
    beta: float, truncation: Truncation, n_items: int = DEFAULT_N_ITEMS
) -> np.ndarray:
    """``p'_i ∝ p_i^(1/tau)`` for ``i <= k``, 0 beyond; renormalised to sum to one."""
    k = truncation.cutoff_rank(beta, n_items)
    ranks = np.arange(1, int(n_items) + 1, dtype=float)
    w = np.where(ranks <= k, ranks ** (-beta * truncation.exponent_scale), 0.0)
    return w / w.sum()
