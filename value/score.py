"""mixphase's value of each contributor: the memoriser's test accuracy, optionally calibrated.

For contributor S the **zero-anchor value** (the default; no model is trained) is the test
accuracy of the memorising learner trained on S (:mod:`mixphase.value.memoriser`):

    v0(S) = 1 - missing(S) - covered_error(S)

``missing`` = test rows whose item S lacks, answered wrongly (the missing mass, whose
expectation is the finite-sample missing mass plus the truncation term ``T``); ``covered_error``
= test rows whose item S holds, answered wrongly (label noise, shift). Both are 0-1 errors: the
weights are the theory's own (1 and 1) and nothing is fitted on the task.

Reported beside them (weight 0 unless anchors move it): ``label_noise`` (the share of S's labels
the memoriser's majority vote overrules), ``truncation`` = ``T(beta_hat, k_hat, w, n)``
(:func:`~mixphase.value.terms.truncation_fit`: the part of the missing mass the fitted
truncation model attributes to the cutoff) and, when computed (``bound_terms=True`` or with
anchors), the bound's other terms (:func:`~mixphase.value.terms.compute_terms`: empirical, mmd,
complexity, finite_sample).

**Anchors** (``n_anchors >= 3``, optional): retrain the model on a few contributors (chosen
without labels: evenly spaced quantiles of ``v0``), and refit ``v = b - sum_j a_j term_j``
(``a_j >= 0``) on them by NNLS with a ridge towards the zero-anchor weights, picked by
leave-one-anchor-out cross-validation (:func:`~mixphase.value.weights.fit_weights`). The
benchmark scores anchored values on the other contributors only and reports what the anchors
add per second spent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.value.data import ValuationData, standardise
from mixphase.value.memoriser import MemoriserOutcome, memoriser_outcome
from mixphase.value.weights import (
    MIN_CONTRIBUTORS_FOR_ANCHORS,
    Weights,
    choose_anchors,
    fit_weights,
)

TERMS = ("missing", "covered_error", "label_noise", "truncation", "empirical", "mmd",
         "complexity", "finite_sample")  # fmt: skip
BOUND_TERMS = ("empirical", "mmd", "complexity", "finite_sample")
ZERO_ANCHOR_WEIGHTS = np.array([1.0, 1.0, 0, 0, 0, 0, 0, 0])


@dataclass
class ValueTable:
    """Every term of every contributor (NaN where a term was not computed)."""

    names: list[str]
    n: np.ndarray
    real_share: np.ndarray
    terms: np.ndarray  # (contributors, len(TERMS))
    covered: np.ndarray  # test mass covered
    cutoff: list[int | None]
    beta: float
    beta_clamped: bool
    n_items: int
    seconds: dict
    marginal: np.ndarray | None = None  # the memoriser's leave-one-out, when asked for

    @property
    def zero_anchor(self) -> np.ndarray:
        return 1.0 - self.terms[:, 0] - self.terms[:, 1]


def memoriser_table(data: ValuationData) -> list[MemoriserOutcome]:
    """The memoriser's outcome for every contributor (one BLAS thread: small products)."""
    from threadpoolctl import threadpool_limits

    x, xt = standardise(data)
    out = []
    with threadpool_limits(1, user_api="blas"):
        for name in data.contributors:
            idx = data.rows(name)
            items = None if data.item is None else data.item[idx]
            out.append(memoriser_outcome(x[idx], data.y[idx], items, xt, data.y_test,
                                         data.item_test, data.n_classes))  # fmt: skip
    return out


def value_table(data: ValuationData, bound_terms: bool = False, delta: float = 0.05,
                seed: int = 0) -> ValueTable:  # fmt: skip
    """Memoriser terms and ``T`` (always), the bound's other terms if ``bound_terms``."""
    from mixphase.value.terms import compute_terms, truncation_fit

    t0 = time.perf_counter()
    mem = memoriser_table(data)
    t1 = time.perf_counter()
    tf = truncation_fit(data)
    t2 = time.perf_counter()
    terms = np.full((len(mem), len(TERMS)), np.nan)
    terms[:, 0] = [m.missing for m in mem]
    terms[:, 1] = [m.covered_error for m in mem]
    terms[:, 2] = [m.noise for m in mem]
    terms[:, 3] = tf.values
    seconds = {"memoriser": t1 - t0, "truncation": t2 - t1}
    if bound_terms:
        from mixphase.value.terms import TERMS as BOUND_ORDER

        bt = compute_terms(data, delta=delta, seed=seed)
        for t in BOUND_TERMS:
            terms[:, TERMS.index(t)] = bt.terms[:, BOUND_ORDER.index(t)]
        seconds["bound_terms"] = bt.seconds
    names = data.contributors
    n = np.array([len(data.rows(c)) for c in names])
    share = np.array([float(np.mean(~data.is_synthetic[data.rows(c)])) for c in names])
    return ValueTable(names, n, share, terms, np.array([m.covered for m in mem]), tf.cutoffs,
                      tf.beta, tf.beta_clamped, tf.n_items, seconds)  # fmt: skip


def zero_anchor_weights() -> Weights:
    return Weights(TERMS, ZERO_ANCHOR_WEIGHTS.copy(), 1.0, "memoriser")


def anchored_weights(table: ValueTable, anchor_idx: np.ndarray, truth: np.ndarray) -> Weights:
    """Weights refitted on the anchors (ridge towards the zero-anchor weights)."""
    t0 = time.perf_counter()
    cols = ~np.isnan(table.terms).any(axis=0)
    coef = np.zeros(len(TERMS))
    c, b, lam, cv = fit_weights(table.terms[:, cols], anchor_idx, truth,
                                prior=ZERO_ANCHOR_WEIGHTS[cols])  # fmt: skip
    coef[cols] = c
    return Weights(TERMS, coef, b, "anchors", [table.names[i] for i in anchor_idx], lam, cv,
                   time.perf_counter() - t0)  # fmt: skip


@dataclass
class ValuationResult:
    """Value and term breakdown of every contributor."""

    table: ValueTable
    weights: Weights
    seconds: float

    @property
    def values(self) -> np.ndarray:
        return self.weights.intercept - np.nan_to_num(self.table.terms) @ self.weights.coef

    def contributions(self) -> np.ndarray:
        """``-a_j * term_j`` per contributor and term (what each term adds to the value)."""
        return -np.nan_to_num(self.table.terms) * self.weights.coef

    def to_dict(self) -> dict:
        t = self.table
        rows = []
        for i, name in enumerate(t.names):
            rows.append({
                "contributor": name, "value": float(self.values[i]), "n": int(t.n[i]),
                "real_share": float(t.real_share[i]), "test_mass_covered": float(t.covered[i]),
                "cutoff_k": t.cutoff[i],
                **({} if t.marginal is None else {"marginal_value": float(t.marginal[i])}),
                "terms": {k: (None if np.isnan(v) else float(v))
                          for k, v in zip(TERMS, t.terms[i], strict=True)},
            })  # fmt: skip
        return {"contributors": rows, "zipf_beta": t.beta, "zipf_beta_clamped": t.beta_clamped,
                "n_items": t.n_items, "weights": self.weights.to_dict(),
                "seconds": self.seconds, "seconds_by_part": t.seconds}  # fmt: skip

    def __str__(self) -> str:
        t, w = self.table, self.weights
        vals = self.values
        shown = [j for j in range(len(TERMS)) if not np.isnan(t.terms[:, j]).all()]
        lines = [
            f"mixphase value: {len(t.names)} contributors; value = "
            + ("test accuracy of the memorising learner (no retraining)"
               if w.source == "memoriser" else
               f"refitted on anchors {', '.join(w.anchors)} (ridge {w.ridge:g})"),
            f"target Zipf beta={t.beta:.3g}{' (clamped)' if t.beta_clamped else ''} over "
            f"{t.n_items} items; terms are 0-1 errors (truncation T: the cutoff's expected share "
            "of the missing mass)",
            f"{'contributor':<22} {'value':>6} {'n':>6} {'real':>5} {'cover':>6} {'k':>5}  "
            + ("marginal " if t.marginal is not None else "")
            + " ".join(f"{TERMS[j][:9]:>9}" for j in shown),
        ]  # fmt: skip
        for i in np.argsort(-vals, kind="stable"):
            k = "-" if t.cutoff[i] is None else str(t.cutoff[i])
            lines.append(f"{t.names[i][:22]:<22} {vals[i]:>6.3f} {t.n[i]:>6d} "
                         f"{t.real_share[i]:>5.2f} {t.covered[i]:>6.3f} {k:>5}  "
                         + (f"{t.marginal[i]:>+8.4f} " if t.marginal is not None else "")
                         + " ".join(f"{t.terms[i, j]:>9.3f}" for j in shown))  # fmt: skip
        used = ", ".join(f"{TERMS[j]}={w.coef[j]:.3g}" for j in shown if w.coef[j] != 0)
        lines.append(f"value = {w.intercept:.3g} - ({used}); {self.seconds:.2f} s")
        return "\n".join(lines)


def value_contributors(data: ValuationData, n_anchors: int | None = 0,
                       anchor_truth: Callable[[str], float] | None = None, delta: float = 0.05,
                       seed: int = 0, bound_terms: bool = False,
                       marginal: bool = False) -> ValuationResult:  # fmt: skip
    """Score every contributor (module docstring). ``n_anchors`` 0/None: the zero-anchor value;
    ``anchor_truth(name)`` = retrained test accuracy of that contributor alone (default: retrain
    :mod:`mixphase.value.learner` with ``seed``); ``marginal``: also the memoriser's marginal
    value (:func:`~mixphase.value.marginal.memoriser_marginal`)."""
    t0 = time.perf_counter()
    if len(data.contributors) < 1:
        raise MixphaseInputError("no contributors")
    if n_anchors and n_anchors < 3:
        raise MixphaseInputError("use at least 3 anchors (or 0 for the zero-anchor value)")
    use_anchors = bool(n_anchors) and len(data.contributors) >= MIN_CONTRIBUTORS_FOR_ANCHORS
    table = value_table(data, bound_terms=bound_terms or use_anchors, delta=delta, seed=seed)
    if marginal:
        from mixphase.value.marginal import memoriser_marginal

        tm = time.perf_counter()
        table.marginal = memoriser_marginal(data)
        table.seconds["marginal"] = time.perf_counter() - tm
    weights = zero_anchor_weights()
    if use_anchors:
        ta = time.perf_counter()
        if anchor_truth is None:
            anchor_truth = _default_truth(data, seed)
        idx = choose_anchors(table.zero_anchor, min(int(n_anchors), len(table.names) - 1))
        truth = np.array([anchor_truth(table.names[i]) for i in idx])
        weights = anchored_weights(table, idx, truth)
        weights.seconds = time.perf_counter() - ta
    return ValuationResult(table, weights, time.perf_counter() - t0)


def _default_truth(data: ValuationData, seed: int) -> Callable[[str], float]:
    from mixphase.value.targets import stand_alone_values

    return lambda name: float(stand_alone_values(data, seed, [name])[0])
