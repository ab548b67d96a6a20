"""Real-synthetic mixtures: exact expected error, the two breakpoints, the three phases.

Setting (Wang et al. 2025, arXiv 2511.13640): real data ``p`` is Zipf(beta) over ``n`` items,
synthetic data ``p'`` is a truncated copy (:mod:`mixphase.theory.truncation`), the training set
``S`` is ``|S|`` i.i.d. draws from ``q = pi*p + (1-pi)*p'`` (``pi`` = real share). Under the
**memorisation model** of Hutter (2021, "Learning curve theory") and Dohmatob et al. (2024, "A
Tale of Tails") a learner knows an item once it has seen it, so its expected test error is
exactly

    err(|S|) = sum_i p_i * (1 - q_i)^|S|.

This is the special case ``a = 1, b = 0, lambda = inf`` of the Bernoulli correctness model with
constants ``(a, b, alpha, lambda)`` that the paper's Lemma 1 is reported to use
(:mod:`mixphase.theory.error_model`); it is the ground truth of ``mixphase simulate``.

Breakpoints (the paper's Lemma 1 gives ``c1*k^beta`` and ``c2*k^beta/pi``; the constants are
**derived here**, docs/theory.md §2.2, from "the boundary item has been seen once in
expectation"):

    |S|_1 = 1 / q_k                    = Z k^beta / (pi + (1-pi)/P_k)   (end of rapid learning)
    |S|_2 = 1 / (pi * p_{k+1})         = Z (k+1)^beta / pi              (start of tail learning)

with ``P_k = sum_{i<=k} p_i`` the head mass (for a tempered generator, ``q_k`` uses its ``p'_k``).
Phase exponents of ``err ∝ |S|^slope`` (derived, standard Zipf algebra): ``-(beta-1)/beta`` in
phase 1, ``0`` on the plateau (height: the tail mass ``sum_{i>k} p_i ≈ k^(1-beta)/((beta-1)Z)``),
and ``-(beta-1)/beta`` again in phase 3, where only the real share ``pi*|S|`` teaches the tail.

**Three-phase validity [ours].** The plateau exists only if the breakpoints are far apart:
``|S|_2/|S|_1 = q_k / (pi p_{k+1}) ~ 1 + (1-pi)/(pi P_k)``. :func:`breakpoints` reports the span
and the exact curve's local log-log slope at the geometric mean ``sqrt(|S|_1 |S|_2)``, and calls
the three phases valid only if the plateau spans at least a decade (``|S|_2/|S|_1 >=``
:data:`MIN_PLATEAU_SPAN`) **and** that slope is at most :data:`MAX_PLATEAU_SLOPE_FRACTION` of the
phase-1/3 slope ``(beta-1)/beta``; otherwise :attr:`Breakpoints.warning` says so. (Over beta
1.3-3, k 10-1000: span 10 comes with a middle slope of 0.21-0.30 of the phase slope; at
pi = 0.2 the span is 5-9 and the slope 0.33-0.47 of it; at pi = 0.01, 100-190 and 0.06-0.09.)
The largest real share with a decade-long plateau solves ``q_k(pi) = 10 pi p_{k+1}``:
``pi_max = p'_k / (10 p_{k+1} + p'_k - p_k)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.truncation import (
    DEFAULT_N_ITEMS,
    Truncation,
    check_beta,
    synthetic_distribution,
    zipf_pmf,
)

#: The plateau must span at least this factor in |S| (one decade) to count as a phase.
MIN_PLATEAU_SPAN = 10.0
#: ... and be at most this flat relative to the phase-1/3 slope (beta-1)/beta.
MAX_PLATEAU_SLOPE_FRACTION = 1.0 / 3.0


def check_real_share(pi: float) -> float:
    pi = float(pi)
    if not np.isfinite(pi) or not 0 < pi <= 1:
        raise MixphaseInputError(f"real share must lie in (0, 1], got {pi!r}")
    return pi


def mixture_distribution(
    beta: float, truncation: Truncation, real_share: float, n_items: int = DEFAULT_N_ITEMS
) -> tuple[np.ndarray, np.ndarray]:
    """``(p, q)``: the real Zipf law and the training mixture ``q = pi*p + (1-pi)*p'``."""
    beta = check_beta(beta)
    pi = check_real_share(real_share)
    p = zipf_pmf(beta, n_items)
    q = pi * p + (1 - pi) * synthetic_distribution(beta, truncation, n_items)
    return p, q


def expected_error(p: np.ndarray, q: np.ndarray, sizes, chunk: int = 1 << 20) -> np.ndarray:
    """``err(|S|) = sum_i p_i (1 - q_i)^|S|`` for each size (vectorised, chunked over items).

    Memorisation model (module docstring). Computed as ``exp(|S| * log1p(-q_i))`` so it stays
    exact for tiny ``q_i``; ``q_i = 1`` gives ``0^0 = 1`` at ``|S| = 0`` and 0 after.
    """
    s = np.atleast_1d(np.asarray(sizes, dtype=float))
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise MixphaseInputError("data sizes must be finite and non-negative")
    return unseen_mass(p, q, s, chunk)


def unseen_mass(p: np.ndarray, q: np.ndarray, sizes: np.ndarray, chunk: int = 1 << 20):
    """``sum_i p_i (1 - q_i)^s`` for each ``s`` in ``sizes`` (unchecked; ``0^0 = 1``)."""
    s = np.asarray(sizes, dtype=float)
    out = np.zeros_like(s)
    with np.errstate(divide="ignore", invalid="ignore"):
        for lo in range(0, p.size, chunk):
            lq = np.log1p(-np.minimum(q[lo : lo + chunk], 1.0))  # -inf where q_i = 1
            e = np.outer(s, lq)
            e[s == 0, :] = 0.0  # 0 * -inf: nothing is seen in zero draws
            out += np.exp(e) @ p[lo : lo + chunk]
    return out


def phase_exponents(beta: float) -> tuple[float, float, float]:
    """Asymptotic log-log slopes of the error in phases 1, 2, 3: ``(-(b-1)/b, 0, -(b-1)/b)``."""
    beta = check_beta(beta)
    e = -(beta - 1) / beta
    return (e, 0.0, e)


@dataclass(frozen=True)
class Breakpoints:
    """Predicted breakpoints of the three-phase curve and what they are made of."""

    beta: float
    real_share: float
    cutoff: int
    mechanism: str
    first: float  # |S|_1, end of rapid learning
    second: float  # |S|_2, start of tail learning (inf when real_share == 0)
    plateau_error: float  # tail mass beyond k
    head_mass: float
    exponents: tuple[float, float, float]
    plateau_slope: float = float("nan")  # exact local slope at sqrt(first * second)
    max_real_share_for_plateau: float = float("nan")  # pi with second/first = MIN_PLATEAU_SPAN

    @property
    def plateau_span(self) -> float:
        """``|S|_2 / |S|_1``: how many-fold the plateau stretches."""
        return self.second / self.first

    @property
    def three_phase_valid(self) -> bool:
        """The plateau spans a decade and is flat (module docstring: the rule)."""
        flat = abs(self.plateau_slope) <= MAX_PLATEAU_SLOPE_FRACTION * abs(self.exponents[0])
        return bool(self.plateau_span >= MIN_PLATEAU_SPAN and flat)

    @property
    def warning(self) -> str | None:
        """Why the three phases are not to be trusted here, or None."""
        if self.three_phase_valid:
            return None
        reasons = []
        if self.plateau_span < MIN_PLATEAU_SPAN:
            reasons.append(f"the breakpoints are only {self.plateau_span:.3g}x apart (a phase "
                           f"needs >= {MIN_PLATEAU_SPAN:g}x)")  # fmt: skip
        if not np.isfinite(self.plateau_slope):
            reasons.append("the expected error is 0 between them (the cutoff leaves no tail)")
        elif not abs(self.plateau_slope) <= MAX_PLATEAU_SLOPE_FRACTION * abs(self.exponents[0]):
            reasons.append(f"the error still falls with local slope {self.plateau_slope:.3f} "
                           f"between them (phase slope {self.exponents[0]:.3f})")  # fmt: skip
        hint = ""
        if np.isfinite(self.max_real_share_for_plateau) and self.max_real_share_for_plateau > 0:
            hint = f"; a decade-long plateau needs pi <= {self.max_real_share_for_plateau:.3g}"
        return (f"no plateau at real share pi={self.real_share:g}: " + " and ".join(reasons)
                + f"; expect one bend, not three phases{hint}")  # fmt: skip

    def to_dict(self) -> dict:
        return {
            "beta": self.beta,
            "real_share": self.real_share,
            "cutoff": self.cutoff,
            "mechanism": self.mechanism,
            "breakpoints": [self.first, self.second],
            "plateau_error": self.plateau_error,
            "head_mass": self.head_mass,
            "phase_exponents": list(self.exponents),
            "plateau_span": self.plateau_span,
            "plateau_slope": self.plateau_slope,
            "max_real_share_for_plateau": self.max_real_share_for_plateau,
            "three_phase_valid": self.three_phase_valid,
            "warning": self.warning,
        }

    def __str__(self) -> str:
        e = self.exponents
        return "\n".join(
            [
                f"Three-phase prediction (beta={self.beta:g}, real share pi={self.real_share:g}, "
                f"truncation: {self.mechanism} -> cutoff k={self.cutoff:,})",
                f"  phase 1  rapid learning   |S| < {self.first:.4g}     err ~ |S|^{e[0]:.3f}",
                f"  phase 2  plateau          up to {self.second:.4g}   err ~ {self.plateau_error:.4g}"
                " (tail mass beyond k)",
                f"  phase 3  tail learning    |S| > {self.second:.4g}     err ~ (pi|S|)^{e[2]:.3f}",
                f"  breakpoint ratio |S|_2/|S|_1 = {self.plateau_span:.4g}; local slope between "
                f"them {_slope_text(self.plateau_slope)}",
            ]
            + ([f"  WARNING: {self.warning}"] if self.warning else [])
        )


def breakpoints(
    beta: float, truncation: Truncation, real_share: float, n_items: int = DEFAULT_N_ITEMS
) -> Breakpoints:
    """The two breakpoints ``1/q_k`` and ``1/(pi*p_{k+1})`` and the plateau's validity (see
    module docstring)."""
    beta = check_beta(beta)
    pi = check_real_share(real_share)
    p, q = mixture_distribution(beta, truncation, pi, n_items)
    k = truncation.cutoff_rank(beta, n_items)
    p_next = p[k] if k < n_items else p[-1]
    first, second = 1.0 / q[k - 1], 1.0 / (pi * p_next)
    mid, h = np.sqrt(first * second), 0.05
    e_lo, e_hi = unseen_mass(p, q, np.array([mid * np.exp(-h), mid * np.exp(h)]))
    slope = float(np.log(e_hi / e_lo) / (2 * h)) if e_lo > 0 and e_hi > 0 else float("nan")
    syn_k = (q[k - 1] - pi * p[k - 1]) / (1 - pi) if pi < 1 else p[k - 1]  # p'_k
    denom = MIN_PLATEAU_SPAN * p_next + syn_k - p[k - 1]
    pi_max = float(min(syn_k / denom, 1.0)) if denom > 0 and pi < 1 else float("nan")
    return Breakpoints(
        beta=beta,
        real_share=pi,
        cutoff=k,
        mechanism=truncation.mechanism,
        first=float(first),
        second=float(second),
        plateau_error=float(p[k:].sum()),
        head_mass=float(p[:k].sum()),
        exponents=phase_exponents(beta),
        plateau_slope=slope,
        max_real_share_for_plateau=pi_max,
    )


def _slope_text(slope: float) -> str:
    return f"{slope:.3f}" if np.isfinite(slope) else "undefined (the error is 0 there)"
