"""Many draws of one web-loss law family at once: vectorised marginal value and its inverse.

The knapsack model needs, for any convex web loss ``L(N)`` (:mod:`mixphase.theory.web_law`), the
marginal value per parameter ``-L'(N)`` and its inverse ``N0(v)`` with ``-L'(N0) = v``
(Gu et al. 2025, Thm 4.3: ``M0(t)``). Propagating a web-law posterior (``fit_web_law`` draws) or a
default's uncertainty through every prediction means evaluating those for hundreds of laws at
once. :class:`LawDraws` holds the parameters of ``D`` laws of one family as arrays and evaluates
them with numpy broadcasting; the formulas are the ones of :mod:`mixphase.theory.web_law`:

- power ``-L' = A alpha x^-alpha / N``, inverse ``N0 = (A alpha u^alpha / v)^(1/(alpha+1))``;
- log ``-L' = c / N``, inverse ``N0 = c / v``;
- broken power law and table: ``-L'`` as in :mod:`~mixphase.theory.web_law`, inverse by bisection
  in ``ln N`` (``-L'`` is non-increasing for a convex law; for a table it is a step function and
  the bisection returns the knot, which is ``M0- = M0+`` except at exact ties).

Shapes: with ``D > 1`` draws the draws run along axis 0 of every input and output (inputs of
shape ``(1, ...)`` or ``(D, ...)``); a single law (``D = 1``) keeps the input's shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mixphase.theory.web_law import BrokenPowerLaw, LogLaw, TableLaw, WebLaw

PARAMS = {
    "power": ("E", "A", "alpha"),
    "log": ("a", "c"),
    "broken": ("E", "A", "alpha1", "alpha2", "n_break"),
}


@dataclass(frozen=True)
class LawDraws:
    """``D`` laws of one family (``params``: name -> ``(D,)`` array); ``table``: a table law."""

    family: str
    params: dict = field(default_factory=dict)
    size_unit: float = 1e6
    loss_unit: str = "nats"
    smoothness: float = 0.5
    table: TableLaw | None = None

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def of(cls, laws) -> LawDraws:
        """From one law object or a list of law objects of one family."""
        if isinstance(laws, LawDraws | MixedLawDraws):
            return laws
        laws = list(laws) if isinstance(laws, list | tuple) else [laws]
        fam = laws[0].family
        if any(law.family != fam for law in laws):
            raise ValueError("all web laws in a set of draws must be of one family")
        if fam == "table":
            if len(laws) != 1:
                raise ValueError("a table law has no draws: pass one table")
            return cls("table", {}, 1.0, laws[0].loss_unit, table=laws[0])
        params = {k: np.array([float(getattr(law, k)) for law in laws]) for k in PARAMS[fam]}
        smooth = float(getattr(laws[0], "smoothness", 0.5))
        return cls(fam, params, float(laws[0].size_unit), laws[0].loss_unit, smooth)

    @property
    def size(self) -> int:
        return 1 if self.family == "table" else int(next(iter(self.params.values())).size)

    @property
    def to_bits(self) -> float:
        """Loss-unit conversion to bits: ``1/ln 2`` for nats."""
        return 1.0 / math.log(2) if self.loss_unit == "nats" else 1.0

    def take(self, idx) -> LawDraws:
        """The draws at ``idx`` (an integer array), e.g. to pair laws with other draws."""
        if self.family == "table":
            return self
        idx = np.asarray(idx, dtype=int)
        return LawDraws(self.family, {k: v[idx] for k, v in self.params.items()},
                        self.size_unit, self.loss_unit, self.smoothness)  # fmt: skip

    def law(self, i: int = 0):
        """Draw ``i`` as a :mod:`mixphase.theory.web_law` object."""
        if self.family == "table":
            return self.table
        kw = {k: float(v[i]) for k, v in self.params.items()}
        unit = {"size_unit": self.size_unit, "loss_unit": self.loss_unit}
        if self.family == "power":
            return WebLaw(**kw, **unit)
        if self.family == "log":
            return LogLaw(**kw, **unit)
        return BrokenPowerLaw(**kw, smoothness=self.smoothness, **unit)

    def median_law(self):
        """The law at the parameters' medians (a point summary for printing)."""
        if self.family == "table":
            return self.table
        med = LawDraws(self.family, {k: np.array([np.median(v)]) for k, v in self.params.items()},
                       self.size_unit, self.loss_unit, self.smoothness)  # fmt: skip
        return med.law(0)

    # -- evaluation ----------------------------------------------------------------------------
    def _p(self, name: str, ndim: int):
        v = self.params[name]
        if v.size == 1:
            return float(v[0])
        return v.reshape((-1,) + (1,) * max(ndim - 1, 0))

    def marginal(self, n_params):
        """``-dL/dN`` per parameter, in ``loss_unit`` per token."""
        n = np.asarray(n_params, dtype=float)
        if self.family == "table":
            return np.asarray(self.table.marginal(n), dtype=float)
        p = {k: self._p(k, n.ndim) for k in self.params}
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.family == "log":
                return p["c"] / n
            if self.family == "power":
                return p["A"] * p["alpha"] * (n / self.size_unit) ** (-p["alpha"]) / n
            lq = np.log(n / p["n_break"]) / self.smoothness
            sig = 0.5 * (1.0 + np.tanh(0.5 * lq))
            lg = -p["alpha1"] * np.log(n / self.size_unit) - (
                p["alpha2"] - p["alpha1"]
            ) * self.smoothness * np.logaddexp(0.0, lq)
            return p["A"] * np.exp(lg) * (p["alpha1"] + (p["alpha2"] - p["alpha1"]) * sig) / n

    def loss(self, n_params):
        """``L(N)`` in ``loss_unit`` per token."""
        n = np.asarray(n_params, dtype=float)
        if self.family == "table":
            return np.asarray(self.table.loss(n), dtype=float)
        p = {k: self._p(k, n.ndim) for k in self.params}
        if self.family == "log":
            return p["a"] - p["c"] * np.log(n / self.size_unit)
        if self.family == "power":
            return p["E"] + p["A"] * (n / self.size_unit) ** (-p["alpha"])
        lq = np.log(n / p["n_break"]) / self.smoothness
        lg = -p["alpha1"] * np.log(n / self.size_unit) - (
            p["alpha2"] - p["alpha1"]
        ) * self.smoothness * np.logaddexp(0.0, lq)
        return p["E"] + p["A"] * np.exp(lg)

    def inverse_marginal(self, value) -> tuple[np.ndarray, np.ndarray]:
        """``(N0-, N0+)`` with ``-L'(N0) = value`` (equal except at a table's exact ties)."""
        v = np.asarray(value, dtype=float)
        if self.family == "table":
            if v.size <= 64:  # exact ends of the tie set for a few values
                lo, hi = self.table.inverse_marginal(v)
                return np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
            n = self._bisect(v)
            return n, n
        p = {k: self._p(k, v.ndim) for k in self.params}
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if self.family == "log":
                n = p["c"] / v
            elif self.family == "power":
                a = p["alpha"]
                n = (p["A"] * a * self.size_unit**a / v) ** (1.0 / (a + 1.0))
            else:
                n = self._bisect(v)
        return n, n

    def _bisect(self, v: np.ndarray, iterations: int = 90) -> np.ndarray:
        """``N`` with ``-L'(N) = v`` by bisection in ``ln N`` on ``[1, 1e16]`` (vectorised)."""
        shape = np.broadcast_shapes(v.shape, (self.size,) + (1,) * max(v.ndim - 1, 0))
        if self.size == 1:
            shape = v.shape
        lo = np.zeros(shape)
        hi = np.full(shape, math.log(1e16))
        vv = np.broadcast_to(v, shape)
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                above = self.marginal(np.exp(mid)) > vv  # still above the value: go right
            lo = np.where(above, mid, lo)
            hi = np.where(above, hi, mid)
        out = np.exp(0.5 * (lo + hi))
        return np.where(np.isfinite(vv) & (vv > 0), out, np.nan)

    def local_exponent(self, n_params, rel_step: float = 1e-4):
        """``d ln(-L')/d ln N`` (exact for power and log laws, central difference otherwise)."""
        n = np.asarray(n_params, dtype=float)
        if self.family == "log":
            return -1.0 + 0.0 * self.marginal(n)
        if self.family == "power":
            return -(self._p("alpha", n.ndim) + 1.0) + 0.0 * self.marginal(n)
        h = rel_step
        up, dn = self.marginal(n * math.exp(h)), self.marginal(n * math.exp(-h))
        return (np.log(up) - np.log(dn)) / (2 * h)

    def describe(self) -> str:
        law = self.median_law()
        if self.family == "table" or self.size == 1:
            return law.describe()
        return f"{law.describe()} (median of {self.size} draws)"

    def to_dict(self) -> dict:
        if self.family == "table":
            return self.table.to_dict()
        out = {"family": self.family, "draws": self.size, "size_unit": self.size_unit,
               "loss_unit": self.loss_unit}  # fmt: skip
        for k, v in self.params.items():
            q = np.quantile(v, [0.05, 0.5, 0.95])
            out[k] = {"median": float(q[1]), "lower": float(q[0]), "upper": float(q[2])}
        return out


@dataclass(frozen=True)
class MixedLawDraws:
    """Draws from several families (Bayesian model averaging): ``parts[f]`` holds the draws of
    family ``f`` and ``assign[i]`` says which part draw ``i`` comes from (``index[i]``: which of
    that part's draws). Same interface as :class:`LawDraws`."""

    parts: tuple[LawDraws, ...]
    assign: np.ndarray
    index: np.ndarray

    family = "mixture"

    @property
    def size(self) -> int:
        return int(self.assign.size)

    @property
    def loss_unit(self) -> str:
        return self.parts[0].loss_unit

    @property
    def to_bits(self) -> float:
        return self.parts[0].to_bits

    def take(self, idx) -> MixedLawDraws:
        idx = np.asarray(idx, dtype=int)
        return MixedLawDraws(self.parts, self.assign[idx], self.index[idx])

    def _each(self, method: str, x, *extra):
        x = np.asarray(x, dtype=float)
        shape = np.broadcast_shapes((self.size,) + (1,) * max(x.ndim - 1, 0), x.shape)
        out = np.full(shape, np.nan)
        xb = np.broadcast_to(x, shape)
        for f, part in enumerate(self.parts):
            rows = np.flatnonzero(self.assign == f)
            if rows.size:
                sub = part.take(self.index[rows])
                res = getattr(sub, method)(xb[rows], *extra)
                out[rows] = res[0] if isinstance(res, tuple) else res
        return out

    def marginal(self, n_params):
        return self._each("marginal", n_params)

    def loss(self, n_params):
        return self._each("loss", n_params)

    def inverse_marginal(self, value):
        n = self._each("inverse_marginal", value)
        return n, n

    def local_exponent(self, n_params):
        return self._each("local_exponent", n_params)

    def share(self) -> dict[str, float]:
        return {p.family: float(np.mean(self.assign == f)) for f, p in enumerate(self.parts)}

    def median_law(self):
        """The most represented family's median law."""
        f = int(np.bincount(self.assign, minlength=len(self.parts)).argmax())
        part = self.parts[f]
        return part.take(self.index[self.assign == f]).median_law()

    def law(self, i: int = 0):
        return self.parts[self.assign[i]].law(self.index[i])

    def describe(self) -> str:
        mix = ", ".join(f"{k} {v:.0%}" for k, v in self.share().items())
        return f"{self.median_law().describe()} (model average of {self.size} draws: {mix})"

    def to_dict(self) -> dict:
        return {"family": "mixture", "draws": self.size, "shares": self.share(),
                "parts": [p.take(self.index[self.assign == f]).to_dict()
                          for f, p in enumerate(self.parts) if np.any(self.assign == f)]}  # fmt: skip


__all__ = ["PARAMS", "LawDraws", "MixedLawDraws"]
