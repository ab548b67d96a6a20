"""Web-data scaling law ``L(N) = E + A * (N / size_unit)^(-alpha)`` and its capacity form.

Source: Gu, Lyu, Li, Zhang (2025), arXiv 2505.18091, Thm 4.3 and their FineWeb-Edu fit
``L2 = 1.769 + 4.952 * N_M^-0.283`` (N_M = parameters in millions, loss in nats/token).

The knapsack model needs the law as a function of capacity ``M`` in **bits** with the loss in
**bits per token** (derived here, see docs/theory.md §1.2). With ``M = b * N`` (``b`` bits per
parameter) and ``ln 2`` nats per bit::

    F2(M) = E_bits + A_bits * M^(-alpha),
    E_bits = E / ln2 (if nats),   A_bits = (A / ln2) * (b * size_unit)^alpha.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mixphase.theory._checks import positive


@dataclass(frozen=True)
class WebLaw:
    """``L(N) = E + A * (N/size_unit)^(-alpha)`` in ``loss_unit`` per token."""

    E: float = 1.769
    A: float = 4.952
    alpha: float = 0.283
    size_unit: float = 1e6
    loss_unit: str = "nats"

    def __post_init__(self) -> None:
        positive("A", self.A)
        positive("alpha", self.alpha)
        positive("size_unit", self.size_unit)
        if self.E < 0 or not math.isfinite(self.E):
            raise ValueError(f"E must be finite and non-negative, got {self.E}")
        if self.loss_unit not in ("nats", "bits"):
            raise ValueError(f"loss_unit must be 'nats' or 'bits', got {self.loss_unit!r}")

    def loss(self, n_params) -> np.ndarray | float:
        """Web loss per token at ``n_params`` parameters, in ``loss_unit``."""
        n = np.asarray(n_params, dtype=float)
        with np.errstate(over="ignore", divide="ignore"):  # N -> 0: the loss goes to +inf
            out = self.E + self.A * (n / self.size_unit) ** (-self.alpha)
        return out if out.ndim else float(out)

    def in_capacity_bits(self, bits_per_param: float) -> tuple[float, float, float]:
        """``(E_bits, A_bits, alpha)`` such that ``F2(M) = E_bits + A_bits * M^-alpha`` (M in bits)."""
        to_bits = 1.0 / math.log(2) if self.loss_unit == "nats" else 1.0
        a_bits = self.A * to_bits * (bits_per_param * self.size_unit) ** self.alpha
        return self.E * to_bits, a_bits, self.alpha


#: The paper's FineWeb-Edu fit (nats/token vs millions of parameters); 2.67 nats at 410M.
PAPER_WEB_LAW = WebLaw()
