"""Mixing strategies on the knapsack model: subsampling, compact rephrasings, budgets, Pareto.

Every number here comes from :class:`mixphase.theory.KnapsackModel` (Gu, Lyu, Li, Zhang 2025,
arXiv 2505.18091, Thm 4.3 and Sec. 6). What this module adds are the optimisations over the
model's closed forms, **derived here** (docs/theory.md §1.6):

*Random subsampling* (keep a fraction ``rho`` of the ``K`` facts). The kept set has ``rho*K``
facts of the same length, so its frequency is ``p/rho`` and ``t = r*p/(1-r)`` becomes ``t/rho``.
From ``M0(t) = (A*alpha/t)^(1/(alpha+1))``, ``M0(t/rho) = M0(t) * rho^(1/(alpha+1))``, so the
stored bits are ``clip(M - M0(t)*rho^g, 0, rho*K*H)`` (``g = 1/(alpha+1)``) and the facts learned

    E(rho) = min(rho*K, (M - M0(t)*rho^g)_+ / H).

The first term rises and the second falls in ``rho``, so ``E`` is maximised where they meet: the
**largest keep fraction whose kept facts are all learned**, the root of
``rho*K*H + M0(t)*rho^g = M`` (increasing left side; ``rho* = 1`` when ``M >= K*H + M0(t)``).
Beyond ``collapse_at = (M/M0(t))^(alpha+1)`` nothing is learned: the onset odds are ``∝ 1/p ∝ rho``,
so ``collapse_at = odds(r) / odds(r_c(N))`` (reported capped at 1: the full set learns).

*Compact knowledge mixing* (rephrase facts compactly, ``c`` tokens per fact instead of ``tau``,
inside the same knowledge slice ``r``). If a share ``sigma`` of the knowledge tokens is compact
rephrasings, each fact's frequency per knowledge token is multiplied by
``mu = 1 + sigma*(tau/c - 1)`` (count the fact's occurrences per token of the slice); the onset
needs ``mu >= odds(r_c(N))/odds(r)`` (the critical odds are ``∝ 1/p``), hence the share
``sigma = (mu - 1)/(tau/c - 1)``, feasible only if ``mu <= tau/c``.

*Web-loss cost.* At the optimum the web keeps ``M - m`` bits, i.e. the web loss of a model with
``N - m/b`` parameters: the increase depends only on the stored knowledge bits ``m``. So in the
allocation model the Pareto front of facts learned vs web-loss increase over (ratio, keep fraction)
is one curve, ``F -> L(N - F*H/b) - L(N)``; the strategy only decides the ratio needed to reach a
point. The cheapest ratio for ``F`` facts keeps ``rho = F/K`` and learns all of them: the
subsampled set's ``critical_ratio(N, fraction=1)``. The tests check all of this against a brute-force
grid over ratio and keep fraction solved with :func:`mixphase.theory.allocate`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mixphase.theory.knapsack import KnapsackModel


def odds(r):
    """``r / (1 - r)``; ``r = 1`` gives infinite odds (no warning)."""
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore"):
        return r / (1 - r)


def from_odds(q):
    """``q / (1 + q)``; infinite odds give 1."""
    q = np.asarray(q, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isposinf(q), 1.0, q / (1 + q))


def subsampled(model: KnapsackModel, keep: float) -> KnapsackModel:
    """The model with a random ``keep`` fraction of the facts (same tokens and bits per fact)."""
    k = model.knowledge
    return replace(model, knowledge=replace(k, n_facts=k.n_facts * float(keep)))


def expected_facts(model: KnapsackModel, n_params, ratio, keep: float = 1.0):
    """Facts learned when keeping a fraction ``keep``: ``keep*K*phi`` of the subsampled model."""
    sub = subsampled(model, keep)
    return sub.knowledge.n_facts * np.asarray(sub.learned_fraction(n_params, ratio))


def collapse_keep_fraction(model: KnapsackModel, n_params, ratio) -> np.ndarray:
    """Keep fraction beyond which nothing is learned: ``odds(r)/odds(r_c(N))`` (uncapped)."""
    return odds(ratio) / odds(model.critical_ratio(n_params))


def best_keep_fraction(model: KnapsackModel, n_params, ratio, iterations: int = 200) -> np.ndarray:
    """The keep fraction maximising the facts learned at ``ratio`` (see module docstring).

    Root of ``rho*K*H + M0(t)*rho^(1/(alpha+1)) = M`` by bisection in ``log rho`` (vectorised
    over model sizes); 1 where the full set is learned.
    """
    n = np.atleast_1d(np.asarray(n_params, dtype=float))
    m = model.capacity(n)
    m0 = float(model.threshold_capacity(ratio))
    kh = model.knowledge.total_bits
    g = 1.0 / (model.alpha + 1.0)

    def excess(rho):
        return rho * kh + m0 * rho**g - m

    lo = np.full_like(m, -745.0)  # log rho; excess(e^-745) < 0 for any positive capacity
    hi = np.zeros_like(m)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        below = excess(np.exp(mid)) < 0
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    rho = np.where(excess(1.0) <= 0, 1.0, np.exp(lo))
    return rho if np.ndim(n_params) else rho[0]


def compact_multiplier(model: KnapsackModel, n_params, ratio, fraction: float = 0.0):
    """Frequency multiplier needed at ``ratio`` to learn ``fraction`` (0: cross the threshold)."""
    return odds(model.critical_ratio(n_params, fraction)) / odds(ratio)


def compact_token_share(multiplier, tokens_per_fact: float, compact_tokens_per_fact: float):
    """Share of the knowledge tokens that must be compact rephrasings to reach ``multiplier``.

    ``sigma = (mu - 1)/(tau/c - 1)``; 0 where ``mu <= 1`` (no help needed); ``inf`` where it is
    out of reach (``mu > tau/c``, or compact facts no shorter than the originals).
    """
    mu = np.asarray(multiplier, dtype=float)
    gain = tokens_per_fact / compact_tokens_per_fact - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(mu <= 1, 0.0, (mu - 1) / gain if gain > 0 else np.inf)
    return np.where(np.isnan(mu) | (sigma > 1), np.inf, sigma)


def web_loss_increase(model: KnapsackModel, n_params, knowledge_bits):
    """Web loss (the web law's unit per token) lost by storing ``knowledge_bits``: the web law at
    ``N - m/b`` parameters minus at ``N``. ``inf`` where the knowledge takes all the capacity."""
    n = np.asarray(n_params, dtype=float)
    left = n - np.asarray(knowledge_bits, dtype=float) / model.bits_per_param
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(
            left > 0, model.web.loss(np.maximum(left, 1e-300)) - model.web.loss(n), np.inf
        )
    return out if np.ndim(out) else float(out)


def knowledge_bits_for_web_loss(model: KnapsackModel, n_params, increase):
    """Inverse of :func:`web_loss_increase`: bits that can be stored for a tolerated increase.

    From ``L(N') = L(N) + D`` with ``L(N) = E + A*(N/u)^-alpha``:
    ``N' = u*((L(N) + D - E)/A)^(-1/alpha)`` and ``m = b*(N - N')``.
    """
    w = model.web
    n = np.asarray(n_params, dtype=float)
    n_left = w.size_unit * ((w.loss(n) + float(increase) - w.E) / w.A) ** (-1.0 / w.alpha)
    return model.bits_per_param * (n - n_left)


def ratio_for_facts(model: KnapsackModel, n_params: float, facts) -> np.ndarray:
    """Cheapest ratio that learns ``facts`` facts: keep ``F/K`` and learn all of them.

    NaN where no ratio does (``F*H >= M``).
    """
    k = model.knowledge.n_facts
    f = np.atleast_1d(np.asarray(facts, dtype=float))
    return np.array([subsampled(model, min(fi / k, 1.0)).critical_ratio(n_params, 1.0) for fi in f])


def best_plan(model: KnapsackModel, n_params: float, max_ratio=None, max_web_loss_increase=None):
    """Most facts learned with ratio <= ``max_ratio`` and web-loss increase <= the tolerance.

    Returns ``(keep_fraction, ratio, facts, web_loss_increase)``.
    """
    k, h = model.knowledge.n_facts, model.knowledge.bits_per_fact
    facts = k
    if max_ratio is not None:
        facts = min(facts, float(best_keep_fraction(model, n_params, max_ratio)) * k)
    if max_web_loss_increase is not None:
        facts = min(
            facts, float(knowledge_bits_for_web_loss(model, n_params, max_web_loss_increase)) / h
        )
    facts = max(facts, 0.0)
    if facts <= 0:
        return 0.0, float("nan"), 0.0, 0.0
    ratio = float(ratio_for_facts(model, n_params, facts)[0])
    return facts / k, ratio, facts, float(web_loss_increase(model, n_params, facts * h))


def pareto_front(model: KnapsackModel, n_params: float, max_ratio=None, points: int = 160) -> dict:
    """Facts learned vs web-loss increase, with the ratio each point needs (subsampling, keep all).

    Facts run from ``K/10^4`` to the most any ratio (or ``max_ratio``) can teach.
    """
    k, h = model.knowledge.n_facts, model.knowledge.bits_per_fact
    f_max = min(k, 0.999 * float(model.capacity(n_params)) / h)
    if max_ratio is not None:
        f_max = min(f_max, float(best_keep_fraction(model, n_params, max_ratio)) * k)
    facts = np.geomspace(min(k * 1e-4, f_max / 10), f_max, points)
    with np.errstate(invalid="ignore"):
        keep_all = np.asarray(model.critical_ratio(n_params, np.minimum(facts / k, 1.0)))
    return {
        "facts": facts,
        "keep_fraction": np.minimum(facts / k, 1.0),
        "ratio": ratio_for_facts(model, n_params, facts),
        "ratio_keep_all": keep_all,
        "web_loss_increase": web_loss_increase(model, n_params, facts * h),
    }
