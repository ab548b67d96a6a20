"""Real-synthetic mixtures: exact expected error, the two breakpoints, the three phases.

Setting (Wang et al. 2025, arXiv 2511.13640): real data ``p`` is Zipf(beta) over ``n`` items,
synthetic data ``p'`` is a truncated copy (:mod:`mixphase.theory.truncation`), the training set
``S`` is ``|S|`` i.i.d. draws from ``q = pi*p + (1-pi)*p'`` (``pi`` = real share). A memorising
learner knows an item once it has seen it, so its expected test error is (paper, exact):

    err(|S|) = sum_i p_i * (1 - q_i)^|S|.

Breakpoints (the paper's Lemma 1 gives ``c1*k^beta`` and ``c2*k^beta/pi``; the constants are
**derived here**, docs/theory.md §2.2, from "the boundary item has been seen once in
expectation"):

    |S|_1 = 1 / q_k                    = Z k^beta / (pi + (1-pi)/P_k)   (end of rapid learning)
    |S|_2 = 1 / (pi * p_{k+1})         = Z (k+1)^beta / pi              (start of tail learning)

with ``P_k = sum_{i<=k} p_i`` the head mass (for a tempered generator, ``q_k`` uses its ``p'_k``).
Phase exponents of ``err ∝ |S|^slope`` (derived, standard Zipf algebra): ``-(beta-1)/beta`` in
phase 1, ``0`` on the plateau (height: the tail mass ``sum_{i>k} p_i ≈ k^(1-beta)/((beta-1)Z)``),
and ``-(beta-1)/beta`` again in phase 3, where only the real share ``pi*|S|`` teaches the tail.
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

    Computed as ``exp(|S| * log1p(-q_i))`` so it stays exact for tiny ``q_i``.
    """
    s = np.atleast_1d(np.asarray(sizes, dtype=float))
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise MixphaseInputError("data sizes must be finite and non-negative")
    out = np.zeros_like(s)
    for lo in range(0, p.size, chunk):
        lq = np.log1p(-np.minimum(q[lo : lo + chunk], 1.0 - 1e-300))
        out += np.exp(np.outer(s, lq)) @ p[lo : lo + chunk]
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
                f"  breakpoint ratio |S|_2/|S|_1 = {self.second / self.first:.4g}",
            ]
        )


def breakpoints(
    beta: float, truncation: Truncation, real_share: float, n_items: int = DEFAULT_N_ITEMS
) -> Breakpoints:
    """The two breakpoints ``1/q_k`` and ``1/(pi*p_{k+1})`` (see module docstring)."""
    beta = check_beta(beta)
    pi = check_real_share(real_share)
    p, q = mixture_distribution(beta, truncation, pi, n_items)
    k = truncation.cutoff_rank(beta, n_items)
    p_next = p[k] if k < n_items else p[-1]
    return Breakpoints(
        beta=beta,
        real_share=pi,
        cutoff=k,
        mechanism=truncation.mechanism,
        first=float(1.0 / q[k - 1]),
        second=float(1.0 / (pi * p_next)),
        plateau_error=float(p[k:].sum()),
        head_mass=float(p[:k].sum()),
        exponents=phase_exponents(beta),
    )
