"""Bernoulli correctness model of a learner trained on ``|S|`` draws from ``q``: the general form.

**What the papers say.** [reported] Wang et al. (2025, arXiv 2511.13640) state their three-phase
law (Lemma 1) for a *Bernoulli correctness model* with four constants named ``a, b, alpha,
lambda`` (as reported in issue #16 from a reading of the paper). The expression itself was not
available to us, so the parametrisation below is **[ours]**: a form with those four constants
that contains the memorisation model as a special case. The memorisation model -- an item is
known once seen, ``err = sum_i p_i (1 - q_i)^|S|`` -- is Hutter (2021, "Learning curve theory")
and Dohmatob et al. (2024, "A Tale of Tails"), not the paper's.

**The model [ours].** Item ``i`` occurs ``m_i ~ Binomial(|S|, q_i)`` times in the training set;
a test query on it is answered correctly with probability

    P(correct | m) = b + (a - b) * (1 - exp(-lambda * m^alpha)),

``a`` = accuracy on a well-learned item (ceiling, ``1 - a`` = slips), ``b`` = accuracy on an
unseen item (guessing floor), ``lambda`` = learning rate per exposure, ``alpha`` = exposure
exponent (``alpha > 1``: an item needs repetitions, a soft threshold; ``alpha < 1``: diminishing
returns). Expected test error on the real law ``p``:

    err(|S|) = (1 - a) + (a - b) * sum_i p_i * E[exp(-lambda * m_i^alpha)].

Special cases, exact **[derived]**:

- ``lambda = inf`` (any ``alpha``): ``E[...] = (1 - q_i)^|S|``; with ``a = 1, b = 0`` this is the
  memorisation model (:func:`mixphase.theory.mixture.expected_error`).
- ``alpha = 1``: ``E[exp(-lambda m)] = (1 - c q_i)^|S|`` with ``c = 1 - exp(-lambda)`` (binomial
  generating function). So the model is the memorisation model with ``q`` scaled by ``c``,
  mapped affinely onto ``[1 - a, 1 - b]``: the same three phases and exponents, both breakpoints
  multiplied by ``~1/c``, the plateau height ``(1 - a) + (a - b) * tail mass``.

Otherwise the expectation is numerical: for items with ``q_i <= 1e-3`` by the Poisson
approximation ``m_i ~ Poisson(|S| q_i)`` (total-variation error ``<= q_i`` per item, Le Cam),
evaluated once on a grid of means and interpolated by a cubic spline in ``log mean``; for the
few items with larger ``q_i`` by summing the binomial pmf over ``mean +- 12 sd`` (the Poisson
grid once the mean exceeds 10^4); sizes are rounded to whole draws there. Tests check the numerical path against the ``alpha = 1`` closed
form and against a Monte Carlo of the learner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.mixture import unseen_mass

#: Items with ``q_i`` above this are summed exactly under the binomial, the rest via Poisson.
POISSON_MAX_Q = 1e-3
_EXACT_MAX_MEAN = 1e4  # beyond this mean the binomial uses the Poisson grid too
_GRID_PER_DECADE = 100
_GRID_LOW = 1e-8  # below this mean: E = 1 - mean * (1 - exp(-lambda)) to O(mean^2)


@dataclass(frozen=True)
class BernoulliErrorModel:
    """``P(correct | m exposures) = b + (a - b)(1 - exp(-lam * m^alpha))`` (module docstring)."""

    a: float = 1.0
    b: float = 0.0
    alpha: float = 1.0
    lam: float = float("inf")

    def __post_init__(self) -> None:
        a, b, alpha, lam = (float(v) for v in (self.a, self.b, self.alpha, self.lam))
        if not (np.isfinite(a) and np.isfinite(b) and 0 <= b < a <= 1):
            raise MixphaseInputError(f"need 0 <= b < a <= 1, got a={self.a!r}, b={self.b!r}")
        if not np.isfinite(alpha) or alpha <= 0:
            raise MixphaseInputError(f"alpha must be positive and finite, got {self.alpha!r}")
        if np.isnan(lam) or lam <= 0:
            raise MixphaseInputError(f"lambda must be positive (inf allowed), got {self.lam!r}")

    @property
    def is_memorisation(self) -> bool:
        """``a = 1, b = 0, lambda = inf``: the Hutter / Dohmatob et al. memorisation model."""
        return self.a == 1 and self.b == 0 and np.isinf(self.lam)

    @property
    def learn_probability(self) -> float:
        """``c = 1 - exp(-lambda)``: probability that one exposure teaches (``alpha = 1``)."""
        return float(-np.expm1(-self.lam))

    def to_dict(self) -> dict:
        return {**asdict(self), "memorisation": self.is_memorisation}

    def expected_error(self, p: np.ndarray, q: np.ndarray, sizes) -> np.ndarray:
        """``err(|S|)`` on the real law ``p`` for training draws from ``q`` (module docstring)."""
        s = np.atleast_1d(np.asarray(sizes, dtype=float))
        if np.any(s < 0) or not np.all(np.isfinite(s)):
            raise MixphaseInputError("data sizes must be finite and non-negative")
        p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
        if np.isinf(self.lam):
            unlearned = unseen_mass(p, q, s)
        elif self.alpha == 1.0:
            unlearned = unseen_mass(p, self.learn_probability * q, s)
        else:
            unlearned = self._numerical(p, q, s)
        return (1 - self.a) + (self.a - self.b) * unlearned

    # -- the numerical path ----------------------------------------------------------------
    def _f(self, m: np.ndarray) -> np.ndarray:
        return np.exp(-self.lam * np.power(m, self.alpha))

    def _numerical(self, p: np.ndarray, q: np.ndarray, s: np.ndarray) -> np.ndarray:
        s = np.rint(s)  # a binomial count needs a whole number of draws
        g = self._poisson_expectation()
        head = np.flatnonzero(q > POISSON_MAX_Q)
        tail = np.ones(q.size, dtype=bool)
        tail[head] = False
        pt, qt = p[tail], q[tail]
        out = np.array([pt @ g(si * qt) for si in s])
        for i in head:
            out += p[i] * np.array([self._binomial(int(si), q[i], g) for si in s])
        return out

    def _binomial(self, n: int, q: float, g) -> float:
        """``E[f(m)]``, ``m ~ Binomial(n, q)``, summed over ``mean +- 12 sd`` (or ``g``)."""
        mean = n * q
        if mean > _EXACT_MAX_MEAN:
            return float(g(np.array([mean]))[0])
        from scipy.stats import binom

        sd = np.sqrt(mean * (1 - q))
        m = np.arange(max(0, int(mean - 12 * sd - 10)), min(n, int(mean + 12 * sd + 10)) + 1)
        return float(binom.pmf(m, n, q) @ self._f(m.astype(float)))

    def _poisson_expectation(self):
        """``mu -> E[f(m)]``, ``m ~ Poisson(mu)``: a cubic spline in ``log mu`` on a grid."""
        from scipy.interpolate import CubicSpline
        from scipy.special import gammaln

        c = self.learn_probability
        grid, vals = [], []
        lo = np.log10(_GRID_LOW)
        for mu in np.logspace(lo, 16, int((16 - lo) * _GRID_PER_DECADE) + 1):
            if mu <= _EXACT_MAX_MEAN:
                m = np.arange(max(0, int(mu - 12 * np.sqrt(mu) - 10)),
                              int(mu + 12 * np.sqrt(mu) + 10) + 1, dtype=float)  # fmt: skip
                pmf = np.exp(m * np.log(mu) - mu - gammaln(m + 1))
                v = float(pmf @ self._f(m))
            else:  # normal approximation (skewness < 0.01), Gauss-Hermite
                x, w = np.polynomial.hermite_e.hermegauss(60)
                v = float(w @ self._f(np.maximum(mu + np.sqrt(mu) * x, 0.0)) / w.sum())
            grid.append(np.log(mu))
            vals.append(v)
            if v < 1e-18:
                break
        spline = CubicSpline(np.array(grid), np.array(vals))
        lg_hi, v_hi = grid[-1], vals[-1]

        def g(mu: np.ndarray) -> np.ndarray:
            mu = np.asarray(mu, dtype=float)
            out = np.empty_like(mu)
            small = mu < _GRID_LOW
            big = ~small & (np.log(np.maximum(mu, _GRID_LOW)) >= lg_hi)
            mid = ~small & ~big
            out[small] = 1.0 - mu[small] * c
            out[big] = v_hi
            out[mid] = spline(np.log(mu[mid]))
            return np.clip(out, 0.0, 1.0)

        return g
