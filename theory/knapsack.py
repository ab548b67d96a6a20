"""Knapsack capacity model: closed forms for any convex web loss, at full or finite training.

Source: Gu, Lyu, Li, Zhang (2025), arXiv 2505.18091, Thms 4.2-4.3, eqs. (4)-(6); finite training
and general web laws are ours (docs/theory.md §1.3, §1.8). Notation:

- ``N`` parameters; fully trained capacity ``M = b * N`` bits (``b`` = ``bits_per_param``, ~2);
- training distribution ``D = r*D1 + (1-r)*D2`` (D1 knowledge, D2 web), loss in bits/token;
- knowledge: ``K`` facts of ``H`` bits, ``S1`` tokens in one pass; a stored bit lowers the D1
  loss by ``kappa * p``, ``p = 1/S1`` (``kappa = value_scale``, 1 in theory, calibrated);
- web: any convex ``L(N)`` of :mod:`mixphase.theory.web_law` (or draws of one,
  :class:`~mixphase.theory.web_law_draws.LawDraws`), ``F2(M) = L(M/b)`` in bits;
- finite training (``training_tokens = T``): the model acts like a fully trained one of
  ``N_eff = N * s(E)`` parameters, ``E = r*T/S1`` (:mod:`mixphase.theory.capacity`); with a
  measured :class:`~mixphase.theory.capacity.LengthScaling` (web-only runs at several lengths),
  ``N_eff = N * s(E0) * rho(T)``, ``E0 = r*T0/S1`` at its reference length ``T0``.

The learner solves ``min_m r*kappa*p*(K*H - m) + (1-r)*F2(b*N_eff - m)``. With
``t = kappa*r*p/(1-r)`` and ``n0(t)`` the parameter count where the web's marginal value per bit,
``-L'(n)/(b ln 2)``, falls to ``t`` (Thm 4.3's ``M0 = b*n0``; ``n0- <= n0+`` for tables)::

    learned fraction   phi    = clip(b*(N_eff - n0(t)) / (K*H), 0, 1)
    critical odds      odds_f = -L'(N_eff - f*K*H/b) / (b ln2 * kappa * p)   (fraction f)
    critical size      N_c    = (n0(t) + f*K*H/b) / s(E)

At full training (``T = None``) these are the paper's closed forms (for the power law exactly
the ``M0(t) = (A*alpha/t)^(1/(alpha+1))`` forms, derived with sympy in
:mod:`mixphase.theory.knapsack_symbolic`); at finite training the critical ratio solves
``odds(r) = odds_f(E(r))`` (one root: the left side rises in ``r``, the right side falls).
Parameters may be arrays (posterior draws along axis 0, shape ``(D, 1)``): every method
broadcasts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory._checks import in_open_unit, positive
from mixphase.theory.capacity import ALLEN_ZHU, ExposureCurve, LengthScaling, exposures
from mixphase.theory.synbio import SYNBIO_BITS_PER_BIO
from mixphase.theory.web_law import PAPER_WEB_LAW
from mixphase.theory.web_law_draws import LawDraws

#: Bisection range for ln odds (r from 4e-18 to 1 - 4e-18).
_LN_ODDS = (-40.0, 40.0)


@dataclass(frozen=True)
class KnowledgeSet:
    """``n_facts`` facts (e.g. biographies) of ``bits_per_fact`` bits, ``tokens_per_fact`` tokens."""

    n_facts: float = 320_000
    bits_per_fact: float = SYNBIO_BITS_PER_BIO
    tokens_per_fact: float = 100.0

    def __post_init__(self) -> None:
        positive("n_facts", self.n_facts)
        positive("bits_per_fact", self.bits_per_fact)
        positive("tokens_per_fact", self.tokens_per_fact)

    @property
    def total_bits(self):
        """``H_tot = K * H``."""
        return _num(np.multiply(self.n_facts, self.bits_per_fact))

    @property
    def tokens(self):
        """``S1 = K * tokens_per_fact``: tokens in one pass over the set."""
        return _num(np.multiply(self.n_facts, self.tokens_per_fact))

    @property
    def frequency(self):
        """``p = 1/S1``: D1 loss reduction (bits/token) per stored bit."""
        return _num(1.0 / np.asarray(self.tokens, dtype=float))


#: Defaults: SynBio-320k (the paper's 70M experiment); 100 tokens per biography is our estimate.
SYNBIO_320K = KnowledgeSet()


@dataclass(frozen=True)
class KnapsackModel:
    """The allocation model: a web law, a knowledge set, capacity, value scale, training length."""

    web: object = field(default_factory=lambda: PAPER_WEB_LAW)
    knowledge: KnowledgeSet = field(default_factory=lambda: SYNBIO_320K)
    bits_per_param: float = 2.0
    value_scale: float = 1.0
    exposure: ExposureCurve = field(default_factory=lambda: ALLEN_ZHU)
    training_tokens: float | None = None
    length_scaling: LengthScaling | None = None
    _law: LawDraws = field(init=False, repr=False, compare=False)
    _ln_rho: list | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        positive("bits_per_param", self.bits_per_param)
        positive("value_scale", self.value_scale)
        if self.training_tokens is not None:  # inf: fully trained (a run of unknown length)
            t = np.asarray(self.training_tokens, dtype=float)
            if np.any(np.isnan(t)) or np.any(t <= 0):
                raise MixphaseInputError(f"training_tokens must be positive, got {t!r}")
        object.__setattr__(self, "_law", LawDraws.of(self.web))
        if self.length_scaling is not None:
            object.__setattr__(self, "_ln_rho", self.length_scaling.log_factors(self._law))

    # -- building blocks -------------------------------------------------------------------
    @property
    def web_bits(self) -> tuple[float, float, float]:
        """``(E, A, alpha)`` of ``F2(M) = E + A*M^(-alpha)`` in bits (power-law web only)."""
        if getattr(self.web, "family", None) != "power" or isinstance(self.web, LawDraws):
            raise MixphaseInputError("this needs a single power-law web law (E + A N^-alpha)")
        return self.web.in_capacity_bits(self.bits_per_param)

    @property
    def alpha(self) -> float:
        """The power law's exponent (power-law web only)."""
        return self.web_bits[2]

    def exposures(self, ratio):
        """Exposures per fact ``E = r*T/S1`` (``inf`` without ``training_tokens``)."""
        return exposures(ratio, self.training_tokens, self.knowledge.tokens)

    def size_factor(self, ratio=None):
        """``s(E)``: the share of the fully trained capacity reached (1 at full training); with a
        measured length scaling ``s(E0) * rho(T)``."""
        if ratio is None or self.training_tokens is None:
            return 1.0
        scaling = self.length_scaling
        if scaling is None:
            return self.exposure.factor(self.exposures(ratio))
        t = np.asarray(self.training_tokens, dtype=float)
        e0 = exposures(ratio, scaling.reference_tokens, self.knowledge.tokens)
        s0 = np.where(np.isfinite(t), self.exposure.factor(e0), 1.0)
        return s0 * scaling.factor(t, self._ln_rho)

    def effective_size(self, n_params, ratio=None):
        """``N_eff = N * s(E)``: the fully trained model the trained one acts like."""
        return np.asarray(n_params, dtype=float) * self.size_factor(ratio)

    def capacity(self, n_params, ratio=None) -> np.ndarray:
        """``M = b * N_eff`` bits (``b * N`` at full training or without a ratio)."""
        return self.bits_per_param * self.effective_size(n_params, ratio)

    def web_marginal_value(self, web_capacity) -> np.ndarray:
        """``-F2'(M) = -L'(M/b) / (b ln 2)``: bits/token saved per extra bit of web capacity."""
        n = np.asarray(web_capacity, dtype=float) / self.bits_per_param
        return self._law.marginal(n) * self._law.to_bits / self.bits_per_param

    def knowledge_value(self, ratio):
        """``t = kappa * r * p / (1 - r)``: a stored knowledge bit's value against a web bit's."""
        r = np.asarray(ratio, dtype=float)
        return self.value_scale * r / (1 - r) * self.knowledge.frequency

    def _web_params(self, t) -> tuple[np.ndarray, np.ndarray]:
        """``(n0-, n0+)``: parameters at which the web's marginal value per bit equals ``t``."""
        return self._law.inverse_marginal(np.asarray(t) * self.bits_per_param / self._law.to_bits)

    def threshold_capacity(self, ratio) -> np.ndarray:
        """``M0(t)`` (Thm 4.3; ``M0-`` for a table) in fully trained capacity bits."""
        return _scalar(self.bits_per_param * self._web_params(self.knowledge_value(ratio))[0])

    # -- closed forms ----------------------------------------------------------------------
    def learned_fraction(self, n_params, ratio):
        """``phi = clip(b*(N_eff - n0(t)) / (K*H), 0, 1)`` (midpoint of ``[n0-, n0+]`` ties)."""
        n = positive("model size", n_params)
        r = in_open_unit("ratio", ratio)
        lo, hi = self._web_params(self.knowledge_value(r))
        spare = self.bits_per_param * self.effective_size(n, r) / self.knowledge.total_bits
        kh = self.bits_per_param / self.knowledge.total_bits
        phi = 0.5 * (np.clip(spare - kh * hi, 0, 1) + np.clip(spare - kh * lo, 0, 1))
        return _scalar(phi)

    def critical_odds(self, n_params, fraction=0.0, ratio=None):
        """Odds ``r/(1-r)`` at which ``fraction`` is learned, at the exposures of ``ratio``.

        ``-L'(N_eff - f*K*H/b) / (b ln2 * kappa * p)``; ``ratio=None``: full training. NaN where
        the web would keep no parameters (no ratio teaches that much).
        """
        n_web = (
            self.effective_size(n_params, ratio)
            - np.multiply(fraction, self.knowledge.total_bits) / self.bits_per_param
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            v = self._law.marginal(np.where(n_web > 0, n_web, np.nan))
            return (
                v
                * self._law.to_bits
                / (self.bits_per_param * self.value_scale * self.knowledge.frequency)
            )

    def critical_ratio(self, n_params, fraction: float = 0.0):
        """Smallest ``r`` at which the model memorises ``fraction`` of the set (0: onset).

        Full training: ``r = q/(1+q)``, ``q = critical_odds``. Finite training: the root of
        ``ln odds(r) = ln critical_odds(E(r))`` by bisection. NaN where no ratio does.
        """
        n = positive("model size", n_params)
        if self.training_tokens is None:
            q = self.critical_odds(n, fraction)
            return _scalar(q / (1 + q))
        x = bisect_ln_odds(lambda x: x - _ln(self.critical_odds(n, fraction, from_ln_odds(x))))
        return _scalar(from_ln_odds(x))

    def critical_size(self, ratio, fraction: float = 0.0):
        """Smallest model (parameters) that memorises ``fraction`` at ratio ``r``.

        ``N_c = (n0-(t) + fraction*K*H/b) / s(E(r))`` (onset at ``fraction=0``).
        """
        r = in_open_unit("ratio", ratio)
        lo, _ = self._web_params(self.knowledge_value(r))
        n_eff = lo + np.multiply(fraction, self.knowledge.total_bits) / self.bits_per_param
        return _scalar(n_eff / self.size_factor(r))

    def ratio_exponent(self, n_params=None, fraction: float = 0.0):
        """Log-log slope of the critical ratio in model size.

        Full training: in odds the slope is the web law's ``d ln(-L')/d ln N`` at the web's
        parameters (``-(alpha+1)`` for a power law, -1 for a log law), times ``N/(N - f*K*H/b)``;
        in ``r`` it carries ``(1 - r_c)`` (:func:`mixphase.theory.knapsack_symbolic.derive`).
        ``n_params=None``: the power law's asymptotic ``-(alpha+1)``. Finite training: a central
        difference of ``ln r_c`` in ``ln N``.
        """
        if n_params is None:
            return -(self.alpha + 1)
        n = positive("model size", n_params)
        if self.training_tokens is not None:
            h = 1e-4
            up = np.log(self.critical_ratio(n * math.exp(h), fraction))
            dn = np.log(self.critical_ratio(n * math.exp(-h), fraction))
            return _scalar((up - dn) / (2 * h))
        rc = np.asarray(self.critical_ratio(n, fraction))
        n_web = n - np.multiply(fraction, self.knowledge.total_bits) / self.bits_per_param
        with np.errstate(invalid="ignore"):
            slope = self._law.local_exponent(np.where(n_web > 0, n_web, np.nan)) * n / n_web
        return _scalar((1 - rc) * slope)

    def threshold_frequency(self, n_params, ratio):
        """Threshold frequency per pre-training token (Gu et al. eq. 6):
        ``f_thres = (1-r) * (-F2'(M - m))``, ``m = phi*K*H`` the knowledge bits stored at the
        optimum (:meth:`learned_fraction`).

        A fact whose per-token frequency in the *whole* training stream is ``f = r*p`` (``p`` its
        frequency in the knowledge set) is stored iff ``f > f_thres``: a knowledge bit is worth
        ``r*p``, a web bit ``(1-r)*(-F2')`` at the web's capacity ``M - m``. At the onset
        (``m = 0``) this is ``(1-r)*A*alpha*M^-(alpha+1)``, slope ``-(alpha+1)`` in ``N``; while
        the set is partly stored (``0 < phi < 1``) it equals ``r*p`` exactly (the first-order
        condition). Units: bits/token of loss per stored bit, i.e. a frequency per pre-training
        token. Homogeneous facts at the set's frequency ``p = 1/S1`` give ``m``; the allocation
        over heterogeneous groups is :func:`mixphase.theory.allocation.allocate`.
        """
        m = self.capacity(positive("model size", n_params))
        r = in_open_unit("ratio", ratio)
        stored = np.asarray(self.stored_knowledge_bits(n_params, ratio))
        return _scalar((1 - r) * self.web_marginal_value(m - stored))

    def knowledge_set_threshold_frequency(self, n_params, ratio):
        """``(1-r)/r * (-F2'(M))``: the threshold per knowledge-set token at full capacity ``M``.

        mixphase's ``threshold_frequency`` before issue #16: :meth:`threshold_frequency` divided
        by ``r`` (a fact's frequency ``p`` within the knowledge set is compared instead of
        ``r*p``) and evaluated at ``M`` instead of the web's ``M - m`` (which neglects the
        knowledge's share of capacity: ``((M - m)/M)^-(alpha+1)``, ~14% when ``m = 0.1 M``).
        An exact power law ``N^-(alpha+1)`` at every size.
        """
        m = self.capacity(positive("model size", n_params))
        r = in_open_unit("ratio", ratio)
        return _scalar((1 - r) / r * self.web_marginal_value(m))

    def stored_knowledge_bits(self, n_params, ratio):
        """Bits of the knowledge set stored at the optimum: ``phi * K * H``."""
        return _scalar(
            np.asarray(self.learned_fraction(n_params, ratio)) * self.knowledge.total_bits
        )

    def loss(self, n_params, ratio, knowledge_bits=None):
        """Mixture loss (bits/token) ``r*kappa*p*(K*H - m) + (1-r)*F2(M - m)`` at allocation ``m``.

        ``M = b*N_eff``; ``knowledge_bits=None`` uses the optimal ``m``; the knowledge term omits
        its constant (the irreducible loss of D1), which does not affect the allocation.
        """
        r = np.asarray(ratio, dtype=float)
        m_tot = self.capacity(n_params, r)
        m = (
            np.asarray(self.stored_knowledge_bits(n_params, ratio))
            if knowledge_bits is None
            else np.asarray(knowledge_bits, dtype=float)
        )
        k_loss = self.value_scale * self.knowledge.frequency * (self.knowledge.total_bits - m)
        web = self._law.loss((m_tot - m) / self.bits_per_param) * self._law.to_bits
        return _scalar(r * k_loss + (1 - r) * web)


def bisect_ln_odds(g, iterations: int = 64) -> np.ndarray:
    """Root of an increasing ``g(x)`` on ``_LN_ODDS`` (vectorised; NaN if none in range).

    ``g`` may be ``-inf`` (far left) but must not be NaN inside the range.
    """
    lo_x, hi_x = _LN_ODDS
    top = g(np.float64(hi_x))
    lo = np.full(np.shape(top), lo_x)
    hi = np.full(np.shape(top), hi_x)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        below = g(mid) < 0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.where(top >= 0, 0.5 * (lo + hi), np.nan)


def _ln(q):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isnan(q), np.inf, np.log(q))


def from_ln_odds(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _num(x):
    a = np.asarray(x, dtype=float)
    return float(a) if a.ndim == 0 else a


def _scalar(x):
    arr = np.asarray(x, dtype=float)
    return float(arr) if arr.ndim == 0 else arr
