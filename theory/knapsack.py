"""Knapsack capacity model: closed forms (numeric, vectorised).

Source: Gu, Lyu, Li, Zhang (2025), arXiv 2505.18091, Thms 4.2-4.3, eqs. (4)-(6). Notation:

- capacity ``M = b * N`` bits (``b`` = bits per parameter, paper: ~2);
- training distribution ``D = r*D1 + (1-r)*D2`` (D1 knowledge, D2 web), loss in bits/token;
- knowledge: ``K`` facts of ``H`` bits, ``S1`` tokens in one pass, so each stored bit lowers the
  D1 loss by ``p = 1/S1`` bits/token (derived here, docs/theory.md §1.2);
- web: ``F2(M) = E + A*M^(-alpha)`` (see :mod:`mixphase.theory.web_law`).

The learner solves ``min_{0<=m<=min(M,K*H)} r*p*(K*H - m) + (1-r)*F2(M - m)``. With
``t = r*p/(1-r)`` and ``M0(t) = (A*alpha/t)^(1/(alpha+1))`` (the capacity at which the web's
marginal value ``-F2'`` falls to ``t``):

    learned fraction   phi(N, r) = clip((M - M0(t)) / (K*H), 0, 1)
    critical ratio     r_c(N)    = q / (1 + q),   q = A*alpha / (p * (M - phi*K*H)^(alpha+1))
    critical size      N_c(r)    = (M0(t) + phi*K*H) / b
    exponent           d ln(r_c/(1-r_c)) / d ln N = -(alpha+1)   (exact at phi = 0)

The sympy derivation of these forms is in :mod:`mixphase.theory.knapsack_symbolic`; tests check
that both agree with each other and with a direct numeric optimisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixphase.theory._checks import in_open_unit, positive
from mixphase.theory.synbio import SYNBIO_BITS_PER_BIO
from mixphase.theory.web_law import PAPER_WEB_LAW, WebLaw


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
    def total_bits(self) -> float:
        """``H_tot = K * H``."""
        return float(self.n_facts * self.bits_per_fact)

    @property
    def tokens(self) -> float:
        """``S1 = K * tokens_per_fact``: tokens in one pass over the set."""
        return float(self.n_facts * self.tokens_per_fact)

    @property
    def frequency(self) -> float:
        """``p = 1/S1``: D1 loss reduction (bits/token) per stored bit."""
        return 1.0 / self.tokens


#: Defaults: SynBio-320k (the paper's 70M experiment); 100 tokens per biography is our estimate.
SYNBIO_320K = KnowledgeSet()


@dataclass(frozen=True)
class KnapsackModel:
    """The allocation model with a web law, a knowledge set and bits per parameter."""

    web: WebLaw = field(default_factory=lambda: PAPER_WEB_LAW)
    knowledge: KnowledgeSet = field(default_factory=lambda: SYNBIO_320K)
    bits_per_param: float = 2.0

    def __post_init__(self) -> None:
        positive("bits_per_param", self.bits_per_param)

    # -- building blocks -------------------------------------------------------------------
    @property
    def web_bits(self) -> tuple[float, float, float]:
        """``(E, A, alpha)`` of ``F2(M)`` in bits/token against capacity in bits."""
        return self.web.in_capacity_bits(self.bits_per_param)

    @property
    def alpha(self) -> float:
        return self.web.alpha

    def capacity(self, n_params) -> np.ndarray:
        """``M = b * N`` bits."""
        return self.bits_per_param * np.asarray(n_params, dtype=float)

    def web_marginal_value(self, web_capacity) -> np.ndarray:
        """``-F2'(M) = A*alpha*M^(-alpha-1)``: bits/token saved per extra bit of web capacity."""
        _, a, alpha = self.web_bits
        return a * alpha * np.asarray(web_capacity, dtype=float) ** (-alpha - 1)

    def threshold_capacity(self, ratio) -> np.ndarray:
        """``M0(t) = (A*alpha/t)^(1/(alpha+1))`` with ``t = r*p/(1-r)`` (Thm 4.3)."""
        _, a, alpha = self.web_bits
        r = np.asarray(ratio, dtype=float)
        t = r * self.knowledge.frequency / (1 - r)
        return (a * alpha / t) ** (1 / (alpha + 1))

    # -- closed forms ----------------------------------------------------------------------
    def learned_fraction(self, n_params, ratio):
        """``phi = clip((M - M0(t)) / (K*H), 0, 1)``: share of the knowledge set memorised."""
        n = positive("model size", n_params)
        r = in_open_unit("ratio", ratio)
        phi = (self.capacity(n) - self.threshold_capacity(r)) / self.knowledge.total_bits
        return _scalar(np.clip(phi, 0.0, 1.0))

    def critical_ratio(self, n_params, fraction: float = 0.0):
        """Smallest ``r`` at which the model memorises ``fraction`` of the set.

        ``r_c = q/(1+q)``, ``q = A*alpha / (p * (M - fraction*K*H)^(alpha+1))``. ``fraction=0``
        is the onset (the paper's ``r_thres``). NaN where ``M <= fraction*K*H`` (no ratio does).
        """
        n = positive("model size", n_params)
        _, a, alpha = self.web_bits
        web_cap = self.capacity(n) - fraction * self.knowledge.total_bits
        with np.errstate(invalid="ignore", divide="ignore"):
            q = a * alpha / (self.knowledge.frequency * web_cap ** (alpha + 1))
            rc = np.where(web_cap > 0, q / (1 + q), np.nan)
        return _scalar(rc)

    def critical_size(self, ratio, fraction: float = 0.0):
        """Smallest model (parameters) that memorises ``fraction`` at ratio ``r``.

        ``N_c = (M0(t) + fraction*K*H) / b`` (onset at ``fraction=0``).
        """
        r = in_open_unit("ratio", ratio)
        m = self.threshold_capacity(r) + fraction * self.knowledge.total_bits
        return _scalar(m / self.bits_per_param)

    def ratio_exponent(self, n_params=None, fraction: float = 0.0):
        """Log-log slope of the critical ratio in model size.

        In odds ``r/(1-r)`` the slope is exactly ``-(alpha+1)`` at the onset; in ``r`` itself
        it is ``-(alpha+1) * (1 - r_c) * M/(M - fraction*K*H)`` (derived with sympy in
        :func:`mixphase.theory.knapsack_symbolic.derive`). With ``n_params=None`` returns the
        asymptotic exponent ``-(alpha+1)``.
        """
        if n_params is None:
            return -(self.alpha + 1)
        m = self.capacity(positive("model size", n_params))
        rc = np.asarray(self.critical_ratio(n_params, fraction))
        web_cap = m - fraction * self.knowledge.total_bits
        return _scalar(-(self.alpha + 1) * (1 - rc) * m / web_cap)

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
        """Mixture loss (bits/token) ``r*p*(K*H - m) + (1-r)*F2(M - m)`` at allocation ``m``.

        ``knowledge_bits=None`` uses the optimal ``m``; the knowledge term omits its constant
        (the irreducible loss of D1), which does not affect the allocation.
        """
        e, a, alpha = self.web_bits
        r = np.asarray(ratio, dtype=float)
        m_tot = self.capacity(n_params)
        m = (
            np.asarray(self.stored_knowledge_bits(n_params, ratio))
            if knowledge_bits is None
            else np.asarray(knowledge_bits, dtype=float)
        )
        k_loss = self.knowledge.frequency * (self.knowledge.total_bits - m)
        return _scalar(r * k_loss + (1 - r) * (e + a * (m_tot - m) ** (-alpha)))


def _scalar(x):
    arr = np.asarray(x, dtype=float)
    return float(arr) if arr.ndim == 0 else arr
