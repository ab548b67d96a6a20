"""Mixing strategies for any web law and finite training, by monotone search (vectorised).

:mod:`mixphase.theory.strategies` has the closed forms for a power-law web at full training
(docs/theory.md §1.6). With another web law, or with training length in the model (exposures
rise when the set is subsampled or rephrased compactly, :mod:`mixphase.theory.capacity`), the
same optima are found numerically from the model's learned fraction, using only monotonicity:

- *Random subsampling* (keep a fraction ``rho``): the kept set has ``rho*K`` facts, frequency
  ``p/rho`` and exposures ``E/rho``. Its learned fraction falls as ``rho`` grows, so the facts
  learned, ``rho*K*phi(rho)``, rise while ``phi = 1`` and fall after: the best keep fraction is the
  largest ``rho`` with ``phi(rho) = 1`` and nothing is learned beyond the largest ``rho`` with
  ``phi > 0`` (``collapse_at``). Both by bisection in ``ln rho``.
- *Compact rephrasings*: a multiplier ``mu`` on each fact's occurrences per knowledge token
  multiplies its frequency and its exposures, i.e. divides ``tokens_per_fact`` by ``mu``; the
  ``mu`` that reaches a learned fraction is found by bisection in ``ln mu``.
- *Web-loss cost*: the web keeps ``b*N_eff - m`` bits, the loss of a model of ``N_eff - m/b``
  parameters: ``L(N_eff - m/b) - L(N_eff)``.

The tests check every search against the closed forms of :mod:`~mixphase.theory.strategies`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mixphase.theory.knapsack import KnapsackModel

#: Bisection steps in ln(keep) over [ln 1e-12, 0] or in ln(mu) over [0, ln 1e12].
ITERATIONS = 60
_LN_MIN = np.log(1e-12)


def subsampled(model: KnapsackModel, keep) -> KnapsackModel:
    """The model with a random ``keep`` fraction of the facts (same tokens and bits per fact)."""
    k = model.knowledge
    return replace(model, knowledge=replace(k, n_facts=np.multiply(k.n_facts, keep)))


def rephrased(model: KnapsackModel, multiplier) -> KnapsackModel:
    """The model whose facts occur ``multiplier`` times as often per knowledge token."""
    k = model.knowledge
    return replace(model, knowledge=replace(k, tokens_per_fact=np.divide(k.tokens_per_fact,
                                                                         multiplier)))  # fmt: skip


def _largest_keep(model, n, ratio, test) -> np.ndarray:
    """Largest ``keep`` in ``(1e-12, 1]`` with ``test(phi(keep))`` true (``test`` holds for small
    keep and fails beyond a point); 0 where it fails everywhere."""

    def ok(ln_keep):
        return test(np.asarray(subsampled(model, np.exp(ln_keep)).learned_fraction(n, ratio)))

    probe = np.asarray(ok(np.zeros(np.broadcast_shapes(np.shape(n), _shape(model)))))
    lo = np.full(probe.shape, _LN_MIN)
    hi = np.zeros(probe.shape)
    for _ in range(ITERATIONS):
        mid = 0.5 * (lo + hi)
        good = ok(mid)
        lo = np.where(good, mid, lo)
        hi = np.where(good, hi, mid)
    bottom = ok(np.full(probe.shape, _LN_MIN))
    return np.where(probe, 1.0, np.where(bottom, np.exp(lo), 0.0))


def _shape(model) -> tuple:
    return np.shape(model.bits_per_param)


def best_keep_fraction(model: KnapsackModel, n_params, ratio) -> np.ndarray:
    """The keep fraction that maximises the facts learned: the largest with ``phi = 1``."""
    return _largest_keep(model, np.asarray(n_params, float), ratio, lambda phi: phi >= 1 - 1e-9)


def collapse_keep_fraction(model: KnapsackModel, n_params, ratio) -> np.ndarray:
    """Keep fraction beyond which nothing is learned (capped at 1: the full set learns)."""
    return _largest_keep(model, np.asarray(n_params, float), ratio, lambda phi: phi > 0)


def expected_facts(model: KnapsackModel, n_params, ratio, keep=1.0) -> np.ndarray:
    """Facts learned when keeping a fraction ``keep``: ``keep*K*phi`` of the subsampled set."""
    sub = subsampled(model, keep)
    return np.asarray(sub.knowledge.n_facts) * np.asarray(sub.learned_fraction(n_params, ratio))


def frequency_multiplier(model: KnapsackModel, n_params, ratio, fraction: float = 0.0):
    """Smallest multiplier ``mu >= 1`` of the facts' frequency (and exposures) with which the
    set learns more than ``fraction`` (0: crosses the threshold; 1: learns all) at ``ratio``.
    1 where no help is needed; inf where no multiplier up to 1e12 suffices."""
    n = np.asarray(n_params, dtype=float)

    def ok(ln_mu):
        phi = np.asarray(rephrased(model, np.exp(ln_mu)).learned_fraction(n, ratio))
        return phi >= 1 - 1e-9 if fraction >= 1 else phi > fraction

    start = np.asarray(ok(np.zeros(np.broadcast_shapes(n.shape, _shape(model)))))
    lo = np.zeros(start.shape)
    hi = np.full(start.shape, -_LN_MIN)
    top = ok(hi)
    for _ in range(ITERATIONS):
        mid = 0.5 * (lo + hi)
        good = ok(mid)
        hi = np.where(good, mid, hi)
        lo = np.where(good, lo, mid)
    return np.where(start, 1.0, np.where(top, np.exp(hi), np.inf))


def web_loss_increase(model: KnapsackModel, n_params, knowledge_bits, ratio=None):
    """``L(N_eff - m/b) - L(N_eff)`` in the web law's unit; inf where ``m`` takes everything."""
    n_eff = model.effective_size(n_params, ratio)
    left = n_eff - np.asarray(knowledge_bits, dtype=float) / model.bits_per_param
    law = model._law
    with np.errstate(invalid="ignore", divide="ignore"):
        out = law.loss(np.where(left > 0, left, np.nan)) - law.loss(n_eff)
    return np.where(left > 0, out, np.inf)


def knowledge_bits_for_web_loss(model: KnapsackModel, n_params, increase, ratio=None):
    """Inverse of :func:`web_loss_increase` (bisection in the bits stored)."""
    n_eff = np.asarray(model.effective_size(n_params, ratio), dtype=float)
    total = model.bits_per_param * n_eff
    lo = np.zeros(np.broadcast_shapes(np.shape(total), _shape(model)))
    hi = np.broadcast_to(total, lo.shape) * (1 - 1e-12)
    for _ in range(ITERATIONS):
        mid = 0.5 * (lo + hi)
        under = web_loss_increase(model, n_params, mid, ratio) <= increase
        lo = np.where(under, mid, lo)
        hi = np.where(under, hi, mid)
    return lo


def ratio_for_facts(model: KnapsackModel, n_params, facts) -> np.ndarray:
    """Cheapest ratio that learns ``facts`` facts: keep ``F/K`` and learn all of them."""
    keep = np.minimum(np.asarray(facts, dtype=float) / model.knowledge.n_facts, 1.0)
    return np.asarray(subsampled(model, keep).critical_ratio(n_params, 1.0))


__all__ = [
    "best_keep_fraction",
    "collapse_keep_fraction",
    "expected_facts",
    "frequency_multiplier",
    "knowledge_bits_for_web_loss",
    "ratio_for_facts",
    "rephrased",
    "subsampled",
    "web_loss_increase",
]
