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
``E_half ~ 100`` of well-trained transformers, while at one length the web-only runs store the
same bits per (non-embedding) parameter at every size although the marginal exposures differ 20x:
there the clock is the training length itself (optimisation, not exposures per fact), and no
``E_half`` fits both (H100: calibrated on both lengths, the 3x run at 3.12k is still predicted at
0.175 for a measured 0.305). :class:`LengthScaling` measures that clock from web-only runs at
several lengths instead of assuming it.
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


@dataclass(frozen=True)
class LengthScaling:
    """Capacity at other training lengths, measured by web-only runs [ours, docs/theory.md §1.8].

    A model trained for ``T`` tokens stores what a model of ``rho(T) * N`` parameters stores at the
    reference length ``T0``: for the web-only runs ``i`` at length ``T_j``,

        ln rho_j = mean_i ln(L0^-1(loss_i) / N_i),    rho(T0) = 1,

    ``L0`` the web law fitted at ``T0`` (per draw of it: the law's uncertainty carries over).
    Between measured lengths ``ln rho`` is linear in ``ln T``; beyond them it continues the nearest
    segment (an extrapolation, which callers warn about). The knapsack then uses
    ``N_eff = N * s(E0) * rho(T)``, the exposure curve at the reference length's exposures
    ``E0 = r*T0/S1``: the measured web capacity already holds the exposure effect of a change in
    length, which must not be counted twice.
    """

    reference_tokens: float
    tokens: tuple[float, ...]
    sizes: tuple[float, ...]
    losses: tuple[float, ...]

    def __post_init__(self) -> None:
        positive("reference_tokens", self.reference_tokens)
        n = len(self.tokens)
        if n == 0 or len(self.sizes) != n or len(self.losses) != n:
            raise ValueError("tokens, sizes and losses need one entry per web run (at least one)")
        for name in ("tokens", "sizes", "losses"):
            positive(name, np.asarray(getattr(self, name), dtype=float))
        if np.any(np.asarray(self.tokens) == self.reference_tokens):
            raise ValueError("the runs at the reference length belong to the web law, not here")

    @property
    def lengths(self) -> np.ndarray:
        """The measured lengths, the reference included, ascending."""
        return np.unique(np.append(np.asarray(self.tokens, dtype=float), self.reference_tokens))

    def log_factors(self, law) -> list:
        """``ln rho`` at each of :attr:`lengths` under ``law`` (a law or draws of one: values of
        shape ``(D, 1)``, floats for one law, NaN there if a loss lies beyond its reach)."""
        eq, n = self._equivalent_sizes(law)
        ln = np.log(eq / n)
        tokens = np.asarray(self.tokens, dtype=float)
        out = []
        for t in self.lengths:
            v = np.zeros((ln.shape[0], 1)) if t == self.reference_tokens else (
                ln[:, tokens == t].mean(axis=1, keepdims=True))  # fmt: skip
            out.append(float(v[0, 0]) if v.size == 1 else v)
        return out

    def _equivalent_sizes(self, law) -> tuple[np.ndarray, np.ndarray]:
        """``L0^-1(loss_i)`` per draw (``(D, k)``), and the sizes ``(1, k)``; a draw that cannot
        reach a run's loss (a power law's floor above it) takes the median law's size for that
        run (:meth:`unreachable` counts them)."""
        n, loss = self._runs()
        eq = equivalent_size(law, loss, n)
        if eq.shape[0] > 1 and np.isnan(eq).any():
            eq = np.where(np.isnan(eq), equivalent_size(law.median_law(), loss, n), eq)
        return eq, n

    def unreachable(self, law) -> int:
        """How many (draw, run) pairs of ``law`` cannot reach the run's loss."""
        n, loss = self._runs()
        return int(np.isnan(equivalent_size(law, loss, n)).sum())

    def _runs(self) -> tuple[np.ndarray, np.ndarray]:
        """The runs' sizes and losses as ``(1, k)`` rows."""
        return (np.asarray(self.sizes, dtype=float)[None, :],
                np.asarray(self.losses, dtype=float)[None, :])  # fmt: skip

    def factor(self, training_tokens, log_factors) -> np.ndarray:
        """``rho(T)`` from :meth:`log_factors` (1 at ``T = inf``: fully trained)."""
        t = np.asarray(training_tokens, dtype=float)
        g = np.log(self.lengths)
        if g.size == 1:
            return np.ones(t.shape)
        with np.errstate(divide="ignore"):
            x = np.where(np.isfinite(t), np.log(np.where(t > 0, t, 1.0)), g[-1])
        k = np.clip(np.searchsorted(g, x, side="right") - 1, 0, g.size - 2)
        frac = (x - g[k]) / (g[k + 1] - g[k])
        ln_rho = sum(lf * (np.where(k == j, 1 - frac, 0.0) + np.where(k + 1 == j, frac, 0.0))
                     for j, lf in enumerate(log_factors))  # fmt: skip
        return np.where(np.isfinite(t), np.exp(ln_rho), 1.0)

    def to_dict(self, law=None) -> dict:
        out = {"reference_tokens": self.reference_tokens,
               "runs": [{"training_tokens": t, "model_size": n, "web_loss": v}
                        for t, n, v in zip(self.tokens, self.sizes, self.losses, strict=True)]}  # fmt: skip
        if law is not None:
            out["capacity_factor"] = {f"{t:.6g}": _plain(np.exp(v))
                                      for t, v in zip(self.lengths, self.log_factors(law),
                                                      strict=True)}  # fmt: skip
        return out


def equivalent_size(law, loss, near) -> np.ndarray:
    """``N`` with ``law.loss(N) = loss`` (the law decreasing), by bisection in ``ln N`` within
    ``e^30`` of ``near``; NaN where the loss lies outside the law's range there."""
    lo = np.log(np.asarray(near, dtype=float)) - 30.0
    hi = lo + 60.0
    target = np.asarray(loss, dtype=float)
    f_lo, f_hi = law.loss(np.exp(lo)) - target, law.loss(np.exp(hi)) - target
    ok = (f_lo >= 0) & (f_hi <= 0)
    lo, hi = (np.array(v, dtype=float) for v in np.broadcast_arrays(lo, hi, f_lo)[:2])
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        above = law.loss(np.exp(mid)) - target > 0
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.where(ok, np.exp(0.5 * (lo + hi)), np.nan)


__all__ = ["ALLEN_ZHU", "ExposureCurve", "LengthScaling", "equivalent_size", "exposures"]
