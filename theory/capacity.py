"""Capacity at finite training: a model of ``N`` parameters acts like a fully trained one of
``N * s(E)`` parameters, ``E`` the exposures of the facts at the knapsack's margin [ours].

Evidence and form (docs/theory.md §1.8):

- Allen-Zhu & Li (2024, Physics of LMs 3.3): a fact seen ~100 times is stored at ~1 bit per
  parameter, at ~1000 exposures at ~2 bits per parameter (the saturation the knapsack paper
  assumes). Capacity per parameter therefore rises with exposures and saturates.
- The saturating form used here is ``s(E) = (1 + E_half/E)^(-gamma)``: ``s -> 1`` as ``E -> inf``
  (the fully trained closed forms), ``s ~ (E/E_half)^gamma`` well below ``E_half``. The defaults
  ``E_half = 100``, ``gamma = 1`` give ``b(100) = b_inf/2`` and ``b(1000) = 0.91 b_inf``: with
  ``b_inf = 2``, 1.0 and 1.8 bits per parameter, Allen-Zhu & Li's two points.
- Which exposures: at the knapsack's optimum the marginal web fact and the knowledge facts have the
  same value per stored bit; for facts that save their bits each time they occur, value per bit is
  the frequency per token, so they also have the *same exposures*,
  ``E = r * T / S1`` (``T`` training tokens, ``S1`` tokens in one pass over the knowledge set).
  Every stored bit is priced at this marginal cost (an approximation: frequent web facts, seen
  more often, are cheaper), so the whole model shrinks to ``N * s(E)`` effective parameters.

What it cannot explain, measured (benchmarks/results/, BENCHMARKS.md): in our tiny CPU/GPU
models 3x longer training still adds 14-39% stored bits at ``10^3-10^4`` exposures, far above the
``E_half ~ 100`` of well-trained transformers; a per-setup ``E_half`` must then be calibrated from
runs at several training lengths, and the prior's interval is what a single length leaves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.theory._checks import positive


@dataclass(frozen=True)
class ExposureCurve:
    """``s(E) = (1 + E_half/E)^(-gamma)``: the share of full capacity reached at ``E`` exposures.

    Fields may be arrays (posterior draws along axis 0, shape ``(D, 1)``).
    """

    e_half: float = 100.0
    gamma: float = 1.0

    def __post_init__(self) -> None:
        positive("e_half", self.e_half)
        positive("gamma", self.gamma)

    def factor(self, exposures) -> np.ndarray:
        """``s(E)`` in ``(0, 1]``; ``E = inf`` gives 1, ``E <= 0`` gives 0."""
        e = np.asarray(exposures, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            s = np.exp(-self.gamma * np.log1p(self.e_half / e))
        return np.where(e > 0, np.where(np.isinf(e), 1.0, s), 0.0)

    def log_slope(self, exposures) -> np.ndarray:
        """``d ln s / d ln E = gamma * E_half / (E + E_half)`` (0 at ``E = inf``)."""
        e = np.asarray(exposures, dtype=float)
        with np.errstate(invalid="ignore"):
            return np.where(np.isinf(e), 0.0, self.gamma * self.e_half / (e + self.e_half))

    def exposures_for(self, share) -> np.ndarray:
        """Inverse: the exposures at which ``s(E) = share`` (``E_half / (share^(-1/gamma) - 1)``)."""
        q = np.asarray(share, dtype=float)
        with np.errstate(divide="ignore"):
            return self.e_half / (q ** (-1.0 / self.gamma) - 1.0)

    def to_dict(self) -> dict:
        return {"e_half": _plain(self.e_half), "gamma": _plain(self.gamma)}


def _plain(v):
    a = np.asarray(v, dtype=float)
    return float(a) if a.size == 1 else {"median": float(np.median(a))}


#: Allen-Zhu & Li (2024): ~1 bit/param at 100 exposures, ~2 at 1000 (with ``b_inf = 2``).
ALLEN_ZHU = ExposureCurve(e_half=100.0, gamma=1.0)


def exposures(ratio, training_tokens, knowledge_tokens) -> np.ndarray:
    """Exposures per fact ``E = r * T / S1`` (``inf`` without a training length)."""
    r = np.asarray(ratio, dtype=float)
    if training_tokens is None:
        return np.full(r.shape, np.inf)
    return r * np.asarray(training_tokens, dtype=float) / np.asarray(knowledge_tokens, dtype=float)


__all__ = ["ALLEN_ZHU", "ExposureCurve", "exposures"]
