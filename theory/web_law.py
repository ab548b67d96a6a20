"""Web-data loss laws ``L(N)`` (loss per token against parameters) and their marginal value.

The knapsack model (Gu, Lyu, Li, Zhang 2025, arXiv 2505.18091, Thm 4.3) needs only that the web
loss ``F2`` is convex and non-increasing in capacity: the knowledge set enters when its per-token
value beats the web's marginal value ``-F2'``. The paper states its scaling results for a power
law; Thm 4.3 itself holds for any convex ``F2``, with ``M0-(t) <= M0+(t)`` the ends of the set of
capacities where ``t`` is a (sub)gradient of ``-F2``. Four families, each a frozen dataclass with
the same methods (``loss``, ``marginal``, ``local_exponent``, ``inverse_marginal``, ``to_dict``):

==================  ==============================================================  ============
family              ``L(N)``, ``x = N / size_unit``                                  ``d ln(-L')/d ln N``
==================  ==============================================================  ============
``power`` [paper]   ``E + A x^-alpha``                                               ``-(alpha+1)``
``log`` [ours]      ``a - c ln x``                                                   ``-1``
``broken`` [ours]   ``E + A x^-a1 (1 + (x/x_b)^(1/s))^(-(a2-a1) s)`` (Caballero      from ``-(a1+1)``
                    et al. 2022's smoothly broken power law, one break)              to ``-(a2+1)``
``table`` [ours]    the lower convex, non-increasing hull of measured ``(N, L)``     piecewise
                    points, linear in ``N`` between them
==================  ==============================================================  ============

``marginal(N) = -dL/dN`` is in ``loss_unit`` per token per parameter. ``local_exponent(N)`` is
the log-log slope of the marginal value, which is the knapsack's prediction for
``d ln odds(r_c) / d ln N`` at the onset (``odds(r_c) = -F2'(M) / p``, docs/theory.md §1.2).

Capacity form. With ``M = b * N`` bits (``b`` bits per parameter) and ``ln 2`` nats per bit, the
web's marginal value per bit of capacity in bits/token is
``-dF2/dM = marginal(M / b) / (b * ln2)`` (nats) — :func:`capacity_marginal`. For the power law
this is the ``A_bits * alpha * M^(-alpha-1)`` of :meth:`WebLaw.in_capacity_bits`.

Source of the default: the paper's FineWeb-Edu fit ``L2 = 1.769 + 4.952 * N_M^-0.283``
(``N_M`` = parameters in millions, loss in nats/token).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from mixphase.theory._checks import positive

LOSS_UNITS = ("nats", "bits")


def _check_unit(loss_unit: str) -> None:
    if loss_unit not in LOSS_UNITS:
        raise ValueError(f"loss_unit must be 'nats' or 'bits', got {loss_unit!r}")


def _out(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


def _invert_decreasing(fn, value, lo: float, hi: float):
    """``N`` with ``fn(N) = value`` for a decreasing ``fn``, solved in ``ln N`` (vectorised)."""
    v = np.asarray(value, dtype=float)
    out = np.empty(v.shape)
    flat = out.reshape(-1)
    for i, vi in enumerate(v.reshape(-1)):

        def g(ln, vi=vi):
            return math.log(fn(math.exp(ln))) - math.log(vi)

        a, b = math.log(lo), math.log(hi)
        while g(a) < 0:
            a -= 10.0
        while g(b) > 0:
            b += 10.0
        flat[i] = math.exp(brentq(g, a, b, xtol=1e-13, rtol=1e-13))
    return _out(out)


@dataclass(frozen=True)
class WebLaw:
    """Power law ``L(N) = E + A * (N/size_unit)^(-alpha)`` in ``loss_unit`` per token [paper]."""

    E: float = 1.769
    A: float = 4.952
    alpha: float = 0.283
    size_unit: float = 1e6
    loss_unit: str = "nats"

    family = "power"

    def __post_init__(self) -> None:
        positive("A", self.A)
        positive("alpha", self.alpha)
        positive("size_unit", self.size_unit)
        if self.E < 0 or not math.isfinite(self.E):
            raise ValueError(f"E must be finite and non-negative, got {self.E}")
        _check_unit(self.loss_unit)

    def loss(self, n_params) -> np.ndarray | float:
        """Web loss per token at ``n_params`` parameters, in ``loss_unit``."""
        n = np.asarray(n_params, dtype=float)
        with np.errstate(over="ignore", divide="ignore"):  # N -> 0: the loss goes to +inf
            return _out(self.E + self.A * (n / self.size_unit) ** (-self.alpha))

    def marginal(self, n_params) -> np.ndarray | float:
        """``-dL/dN = A * alpha * x^(-alpha) / N`` (per parameter)."""
        n = np.asarray(n_params, dtype=float)
        return _out(self.A * self.alpha * (n / self.size_unit) ** (-self.alpha) / n)

    def local_exponent(self, n_params) -> np.ndarray | float:
        """``d ln(-L')/d ln N = -(alpha + 1)`` at every size."""
        return _out(np.full(np.shape(n_params), -(self.alpha + 1.0)))

    def inverse_marginal(self, value) -> tuple:
        """``(N0-, N0+)`` with ``-L'(N0) = value`` (equal: the law is strictly convex)."""
        v = np.asarray(value, dtype=float)
        n = (self.A * self.alpha * self.size_unit**self.alpha / v) ** (1.0 / (self.alpha + 1.0))
        return _out(n), _out(n)

    def in_capacity_bits(self, bits_per_param: float) -> tuple[float, float, float]:
        """``(E_bits, A_bits, alpha)`` such that ``F2(M) = E_bits + A_bits * M^-alpha`` (M in bits)."""
        to_bits = 1.0 / math.log(2) if self.loss_unit == "nats" else 1.0
        a_bits = self.A * to_bits * (bits_per_param * self.size_unit) ** self.alpha
        return self.E * to_bits, a_bits, self.alpha

    def to_dict(self) -> dict:
        return {"family": self.family, "E": self.E, "A": self.A, "alpha": self.alpha,
                "size_unit": self.size_unit, "loss_unit": self.loss_unit}  # fmt: skip

    def describe(self) -> str:
        return (f"L(N) = {self.E:g} + {self.A:g} * (N/{self.size_unit:g})^-{self.alpha:g} "
                f"{self.loss_unit}/token")  # fmt: skip


#: The same class under the family's name.
PowerLaw = WebLaw


@dataclass(frozen=True)
class LogLaw:
    """Log law ``L(N) = a - c * ln(N/size_unit)`` [ours]: ``-L' = c/N``, exponent exactly -1.

    What the synthetic Zipf(1) web of ``validate`` follows (its loss is ``ln V`` times the
    unstored tail mass, and the tail mass of Zipf(1) falls by a constant per unit ``ln N``).
    The law is unbounded below; use it inside (or near) the sizes it was fitted on.
    """

    a: float
    c: float
    size_unit: float = 1e6
    loss_unit: str = "nats"

    family = "log"

    def __post_init__(self) -> None:
        positive("c", self.c)
        positive("size_unit", self.size_unit)
        if not math.isfinite(self.a):
            raise ValueError(f"a must be finite, got {self.a}")
        _check_unit(self.loss_unit)

    def loss(self, n_params):
        n = np.asarray(n_params, dtype=float)
        return _out(self.a - self.c * np.log(n / self.size_unit))

    def marginal(self, n_params):
        return _out(self.c / np.asarray(n_params, dtype=float))

    def local_exponent(self, n_params):
        return _out(np.full(np.shape(n_params), -1.0))

    def inverse_marginal(self, value) -> tuple:
        n = self.c / np.asarray(value, dtype=float)
        return _out(n), _out(n)

    def to_dict(self) -> dict:
        return {"family": self.family, "a": self.a, "c": self.c, "size_unit": self.size_unit,
                "loss_unit": self.loss_unit}  # fmt: skip

    def describe(self) -> str:
        return f"L(N) = {self.a:g} - {self.c:g} * ln(N/{self.size_unit:g}) {self.loss_unit}/token"


@dataclass(frozen=True)
class BrokenPowerLaw:
    """``L = E + A x^-a1 (1 + (x/x_b)^(1/s))^(-(a2-a1) s)``, ``x = N/size_unit`` [ours].

    One smooth break (Caballero et al. 2022, "Broken Neural Scaling Laws") at ``n_break``
    parameters, of width ~``s`` in ``ln N``: slope ``-a1`` well below it and ``-a2`` well
    above. With ``sigma = q/(1+q)``, ``q = (N/n_break)^(1/s)`` and ``g = L - E``::

        -L'(N)              = g * (a1 + (a2 - a1) sigma) / N
        d ln(-L')/d ln N    = -(a1 + (a2-a1) sigma) - 1 + (a2-a1) sigma (1-sigma) / (s (a1 + (a2-a1) sigma))
    """

    E: float
    A: float
    alpha1: float
    alpha2: float
    n_break: float
    smoothness: float = 0.5
    size_unit: float = 1e6
    loss_unit: str = "nats"

    family = "broken"

    def __post_init__(self) -> None:
        for name in ("A", "alpha1", "alpha2", "n_break", "smoothness", "size_unit"):
            positive(name, getattr(self, name))
        if not math.isfinite(self.E):
            raise ValueError(f"E must be finite, got {self.E}")
        _check_unit(self.loss_unit)

    def _parts(self, n_params):
        n = np.asarray(n_params, dtype=float)
        x = n / self.size_unit
        lq = np.log(n / self.n_break) / self.smoothness
        sig = 0.5 * (1.0 + np.tanh(0.5 * lq))  # q/(1+q), overflow-free
        lg = -self.alpha1 * np.log(x) - (
            self.alpha2 - self.alpha1
        ) * self.smoothness * np.logaddexp(0.0, lq)
        slope = self.alpha1 + (self.alpha2 - self.alpha1) * sig
        return n, np.exp(lg), sig, slope

    def loss(self, n_params):
        _, g, _, _ = self._parts(n_params)
        return _out(self.E + self.A * g)

    def marginal(self, n_params):
        n, g, _, slope = self._parts(n_params)
        return _out(self.A * g * slope / n)

    def local_exponent(self, n_params):
        _, _, sig, slope = self._parts(n_params)
        d = self.alpha2 - self.alpha1
        return _out(-slope - 1.0 + d * sig * (1.0 - sig) / (self.smoothness * slope))

    def inverse_marginal(self, value) -> tuple:
        n = _invert_decreasing(self.marginal, value, self.n_break * 1e-3, self.n_break * 1e3)
        return n, n

    def to_dict(self) -> dict:
        return {"family": self.family, "E": self.E, "A": self.A, "alpha1": self.alpha1,
                "alpha2": self.alpha2, "n_break": self.n_break, "smoothness": self.smoothness,
                "size_unit": self.size_unit, "loss_unit": self.loss_unit}  # fmt: skip

    def describe(self) -> str:
        return (f"L(N) = {self.E:g} + {self.A:g} x^-{self.alpha1:.3g}, bending to x^-"
                f"{self.alpha2:.3g} at N = {self.n_break:.3g} (x = N/{self.size_unit:g}) "
                f"{self.loss_unit}/token")  # fmt: skip


@dataclass(frozen=True)
class TableLaw:
    """Measured ``(N, L)`` points made convex and non-increasing, linear in ``N`` between them.

    The points are replaced by their lower convex hull in the ``(N, L)`` plane restricted to its
    non-increasing part (the smallest convex non-increasing function below them): a convex
    ``F2`` is what Thm 4.3 needs, and a hull point never sits above a measurement. Between hull
    knots the marginal value is the segment's slope; at a knot it has a left value (the
    segment below) and a right value (the segment above), which give ``M0-`` and ``M0+``.

    Outside the table [ours]: the marginal value continues as a power law in ``N`` through the
    two outermost segments' marginal values at their midpoints (exponent -1, a log law, with a
    single segment). :meth:`extrapolating` says when a size is outside the table.
    """

    sizes: tuple[float, ...]
    losses: tuple[float, ...]
    loss_unit: str = "nats"
    hull: tuple[tuple[float, ...], tuple[float, ...]] = field(init=False, repr=False)

    family = "table"

    def __post_init__(self) -> None:
        _check_unit(self.loss_unit)
        n = np.asarray(self.sizes, dtype=float)
        y = np.asarray(self.losses, dtype=float)
        if n.ndim != 1 or n.size != y.size or n.size < 2:
            raise ValueError("a table law needs two or more (size, loss) points")
        if not (np.all(np.isfinite(n)) and np.all(np.isfinite(y)) and np.all(n > 0)):
            raise ValueError("table sizes must be positive and losses finite")
        order = np.argsort(n, kind="stable")
        n, y = n[order], y[order]
        if np.unique(n).size != n.size:
            raise ValueError("table sizes must be distinct (average repeated sizes first)")
        hn, hy = _convex_nonincreasing_hull(n, y)
        if hn.size < 2:
            raise ValueError("the table's loss does not fall with size: no marginal value")
        object.__setattr__(self, "hull", (tuple(hn.tolist()), tuple(hy.tolist())))

    # -- pieces ------------------------------------------------------------------------------
    def _knots(self):
        return np.asarray(self.hull[0]), np.asarray(self.hull[1])

    def _slopes(self) -> np.ndarray:
        n, y = self._knots()
        return -np.diff(y) / np.diff(n)  # marginal value on each segment, non-increasing

    def _tail_exponents(self) -> tuple[float, float]:
        n, _ = self._knots()
        s = self._slopes()
        if s.size < 2 or s[0] <= 0 or s[-1] <= 0:
            return -1.0, -1.0
        mid = np.sqrt(n[1:] * n[:-1])
        lo = math.log(s[1] / s[0]) / math.log(mid[1] / mid[0]) if s[1] > 0 else -1.0
        hi = math.log(s[-1] / s[-2]) / math.log(mid[-1] / mid[-2]) if s[-2] > 0 else -1.0
        return min(lo, -1e-6), min(hi, -1e-6)

    def extrapolating(self, n_params) -> np.ndarray | bool:
        n, _ = self._knots()
        x = np.asarray(n_params, dtype=float)
        return _out((x < n[0]) | (x > n[-1]))

    # -- the interface -----------------------------------------------------------------------
    def loss(self, n_params):
        n, y = self._knots()
        x = np.asarray(n_params, dtype=float)
        out = np.interp(x, n, y)
        s = self._slopes()
        e_lo, e_hi = self._tail_exponents()
        m_lo, m_hi = np.sqrt(n[0] * n[1]), np.sqrt(n[-2] * n[-1])
        # integrate the power-law tails of the marginal value from the ends of the table
        for mask, end, y_end, s_end, mid, e in (
            (x < n[0], n[0], y[0], s[0], m_lo, e_lo),
            (x > n[-1], n[-1], y[-1], s[-1], m_hi, e_hi),
        ):
            if np.any(mask):
                xm = x[mask] if x.ndim else x
                c = s_end * mid ** (-e)  # marginal(N) = c N^e
                if abs(e + 1) < 1e-9:
                    integral = c * np.log(xm / end)
                else:
                    integral = c * (xm ** (e + 1) - end ** (e + 1)) / (e + 1)
                val = y_end - integral
                if x.ndim:
                    out[mask] = val
                else:
                    out = val
        return _out(np.asarray(out, dtype=float))

    def marginal(self, n_params, side: str = "right"):
        """``-dL/dN``; at a knot the segment above (``side="right"``) or below (``"left"``)."""
        n, _ = self._knots()
        s = self._slopes()
        x = np.asarray(n_params, dtype=float)
        idx = np.searchsorted(n, x, side="right" if side == "right" else "left") - 1
        out = s[np.clip(idx, 0, s.size - 1)].astype(float)
        e_lo, e_hi = self._tail_exponents()
        m_lo, m_hi = np.sqrt(n[0] * n[1]), np.sqrt(n[-2] * n[-1])
        lo_mask, hi_mask = x < n[0], x > n[-1]
        out = np.where(lo_mask, s[0] * (x / m_lo) ** e_lo, out)
        out = np.where(hi_mask, s[-1] * (x / m_hi) ** e_hi, out)
        return _out(out)

    def local_exponent(self, n_params):
        """0 inside a segment (a constant marginal value), the tail exponents outside."""
        n, _ = self._knots()
        x = np.asarray(n_params, dtype=float)
        e_lo, e_hi = self._tail_exponents()
        return _out(np.where(x < n[0], e_lo, np.where(x > n[-1], e_hi, 0.0)))

    def inverse_marginal(self, value) -> tuple:
        """``(N0-, N0+)``: the ends of ``{N : value in [-L'(N+), -L'(N-)]}`` (Thm 4.3)."""
        n, _ = self._knots()
        s = self._slopes()
        e_lo, e_hi = self._tail_exponents()
        m_lo, m_hi = np.sqrt(n[0] * n[1]), np.sqrt(n[-2] * n[-1])
        v = np.atleast_1d(np.asarray(value, dtype=float))
        lo = np.empty(v.shape)
        hi = np.empty(v.shape)
        for i, t in enumerate(v):
            if t > s[0]:  # below the table
                lo[i] = hi[i] = m_lo * (t / s[0]) ** (1 / e_lo)
                lo[i] = hi[i] = min(lo[i], n[0])
            elif t < s[-1]:  # beyond the table
                lo[i] = hi[i] = max(m_hi * (t / s[-1]) ** (1 / e_hi), n[-1])
            else:
                # segment j spans [n[j], n[j+1]] with marginal s[j] (non-increasing in j)
                eq = np.flatnonzero(np.isclose(s, t, rtol=1e-12, atol=0.0))
                if eq.size:
                    lo[i], hi[i] = n[eq[0]], n[eq[-1] + 1]
                else:
                    j = int(np.searchsorted(-s, -t))  # first segment with s < t
                    lo[i] = hi[i] = n[j]
        if np.ndim(value) == 0:
            return float(lo[0]), float(hi[0])
        return lo.reshape(np.shape(value)), hi.reshape(np.shape(value))

    def to_dict(self) -> dict:
        return {"family": self.family, "sizes": list(self.sizes), "losses": list(self.losses),
                "hull_sizes": list(self.hull[0]), "loss_unit": self.loss_unit}  # fmt: skip

    def describe(self) -> str:
        n, _ = self._knots()
        return (
            f"L(N) = convex interpolation of {len(self.sizes)} measured points "
            f"({n[0]:.3g}-{n[-1]:.3g} parameters) {self.loss_unit}/token"
        )


def _convex_nonincreasing_hull(n: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower convex hull of ``(n, y)`` (monotone chain), cut where it starts to rise."""
    hull: list[int] = []
    for i in range(n.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            cross = (n[b] - n[a]) * (y[i] - y[a]) - (y[b] - y[a]) * (n[i] - n[a])
            if cross <= 0:  # b lies on or above the chord a-i: not on the lower hull
                hull.pop()
            else:
                break
        hull.append(i)
    hn, hy = n[hull], y[hull]
    # keep the non-increasing part (a convex function falls, then rises: cut at its minimum)
    k = int(np.argmin(hy))
    return hn[: k + 1], hy[: k + 1]


def capacity_marginal(law, capacity_bits, bits_per_param: float):
    """``-dF2/dM`` in bits/token per bit of capacity, ``M = b * N`` bits (module docstring)."""
    to_bits = 1.0 / math.log(2) if law.loss_unit == "nats" else 1.0
    n = np.asarray(capacity_bits, dtype=float) / bits_per_param
    return _out(np.asarray(law.marginal(n), dtype=float) * to_bits / bits_per_param)


#: The paper's FineWeb-Edu fit (nats/token vs millions of parameters); 2.67 nats at 410M.
PAPER_WEB_LAW = WebLaw()

__all__ = [
    "PAPER_WEB_LAW",
    "BrokenPowerLaw",
    "LogLaw",
    "PowerLaw",
    "TableLaw",
    "WebLaw",
    "capacity_marginal",
]
