"""mixphase's truncation-aware value of each contributor: the bound's terms, weighted.

For a contributor S (n rows, real share w, real part R, synthetic part Y) and the test set T,
:func:`compute_terms` evaluates the five terms of :func:`mixphase.theory.mixture_bound`:

==============  ==========================================================================
empirical       ``w*Lhat(R) + (1-w)*Lhat(Y)``; Lhat = leave-one-out 1-NN error inside the part
                (a retraining-free stand-in for the fitted model's training loss: it sees
                label noise and classes the part cannot separate)
mmd             ``w*MMD(R,T) + (1-w)*MMD(Y,T)``, :func:`~mixphase.theory.mmd_multi_kernel` on
                (features, sqrt(d/2)*onehot(label)) so that a label shift counts too
complexity      ``sqrt(yhat^T Theta0^{-1} yhat / n)``, NTK at initialisation, block-diagonal
                (:mod:`mixphase.value.ntk`)
finite_sample   ``sqrt(2*max(w,1-w)*log(8/delta)/n)``
truncation      :func:`~mixphase.theory.truncation_term` with the target's Zipf exponent
                (MLE on test item ranks) and the synthetic part's cutoff k (coverage MLE,
                :mod:`mixphase.value.tail`): the excess tail mass beyond k missed because of
                truncation, ``>= 0``, a 0-1 missing mass (unit: error probability, like
                ``1 - accuracy``; 0 for an all-real contributor)
==============  ==========================================================================

Value: ``v(S) = b - sum_j a_j * term_j(S)``, read as a predicted test accuracy.

- ``weights="theory"``: ``a_j = 1``, ``b = 1`` (one minus the bound itself).
- ``weights="anchors"`` (default: 5 anchors when there are >= 6 contributors): the model is
  retrained on a few anchor contributors (chosen without labels: evenly spaced quantiles of the
  theory score); the weights solve a non-negative least-squares fit of the anchors' test
  accuracy on the standardised terms, shrunk towards equal standardised weights by a ridge whose
  strength is picked by leave-one-anchor-out cross-validation (:func:`fit_weights`). The
  intercept makes ``v`` a calibrated accuracy on the anchors.

Cost: the test side is prepared once (:class:`MMDToTest`: test subsample, bandwidths,
``mean k(T,T)``; the NTK normalisation); per contributor only its own Gram products remain. Row
caps, seeded: Lhat 1500 query rows, MMD 400 rows per part, NTK ``max_ntk_rows`` (default 4096,
scaled by ``n/m``). BLAS runs single-threaded inside :func:`compute_terms` (small products).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls

from mixphase.errors import MixphaseInputError
from mixphase.theory import Truncation, mixture_bound, truncation_term
from mixphase.value.data import ValuationData, standardise
from mixphase.value.ntk import NTKAtInit
from mixphase.value.tail import fit_cutoff, fit_zipf_beta, item_ranks

TERMS = ("empirical", "mmd", "complexity", "finite_sample", "truncation")
RIDGE_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
MIN_CONTRIBUTORS_FOR_ANCHORS = 6


@dataclass
class TermTable:
    """The raw bound terms of every contributor plus what they were computed from."""

    names: list[str]
    n: np.ndarray
    real_share: np.ndarray
    terms: np.ndarray  # (contributors, 5) in the order of TERMS
    cutoff: list[int | None]
    beta: float
    beta_clamped: bool
    n_items: int
    details: list[dict]
    seconds: float = 0.0


def one_nn_loo_error(x: np.ndarray, y: np.ndarray, max_queries: int = 1500, seed: int = 0) -> float:
    """Leave-one-out 1-NN error of ``(x, y)`` (on at most ``max_queries`` query rows)."""
    n = len(x)
    if n < 2:
        return 0.5
    rng = np.random.default_rng(seed)
    q = rng.choice(n, size=min(n, max_queries), replace=False)
    sq = np.sum(x**2, axis=1)
    wrong = 0
    for lo in range(0, len(q), 256):
        qi = q[lo : lo + 256]
        d = sq[qi, None] + sq[None, :] - 2 * x[qi] @ x.T
        d[np.arange(len(qi)), qi] = np.inf
        wrong += int(np.sum(y[np.argmin(d, axis=1)] != y[qi]))
    return wrong / len(q)


def _joint(x: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
    return np.hstack([x, np.sqrt(x.shape[1] / 2.0) * np.eye(n_classes)[y]])


def _sq_dists(a: np.ndarray, b: np.ndarray, sq_a: np.ndarray, sq_b: np.ndarray) -> np.ndarray:
    return np.maximum(sq_a[:, None] + sq_b[None, :] - 2.0 * (a @ b.T), 0.0)


class MMDToTest:
    """``MMD(X, T)`` of many samples ``X`` against one fixed test sample ``T``.

    The kernel is :func:`~mixphase.theory.mmd_multi_kernel`'s, a sum of Gaussians with
    bandwidths ``(med/2, med, 2*med)`` (``med`` = the test sample's median pairwise distance), and
    so is the biased estimate ``sqrt(max(mean k(X,X) + mean k(T,T) - 2 mean k(X,T), 0))``. Two
    savings, both exact up to rounding: ``mean k(T,T)`` is computed once for every contributor,
    and the three Gaussians come from one exponential, ``a = exp(-d^2/(8 med^2))``,
    ``k = a + a^4 + a^16`` (``a^4 = exp(-d^2/(2 med^2))``, ``a^16 = exp(-2 d^2/med^2)``).
    """

    def __init__(self, test: np.ndarray):
        self.test = np.asarray(test, dtype=float)
        self.sq = np.sum(self.test**2, axis=1)
        d2 = _sq_dists(self.test, self.test, self.sq, self.sq)
        self.med = float(np.sqrt(np.median(d2[np.triu_indices_from(d2, k=1)]))) or 1.0
        self.kyy = float(self.kernel(d2).mean())

    @property
    def bandwidths(self) -> tuple[float, float, float]:
        return (0.5 * self.med, self.med, 2.0 * self.med)

    def kernel(self, d2: np.ndarray) -> np.ndarray:
        a = np.exp(d2 * (-1.0 / (8.0 * self.med**2)))
        a4 = a * a
        a4 *= a4
        a16 = a4 * a4
        a16 *= a16
        return a + a4 + a16

    def mmd(self, x: np.ndarray) -> float:
        x = np.asarray(x, dtype=float)
        sq = np.sum(x**2, axis=1)
        kxx = float(self.kernel(_sq_dists(x, x, sq, sq)).mean())
        kxy = float(self.kernel(_sq_dists(x, self.test, sq, self.sq)).mean())
        return float(np.sqrt(max(kxx + self.kyy - 2.0 * kxy, 0.0)))


def compute_terms(data: ValuationData, delta: float = 0.05, block: int = 256,
                  max_mmd_rows: int = 400, max_ntk_rows: int | None = 4096,
                  seed: int = 0) -> TermTable:  # fmt: skip
    """Evaluate the five bound terms for every contributor (no retraining).

    Row caps (seeded subsamples; MMD and the NTK form are estimates anyway): each part's MMD uses
    at most ``max_mmd_rows`` rows against ``max_mmd_rows`` test rows (:class:`MMDToTest`), and
    the NTK form at most ``max_ntk_rows`` rows, scaled by ``n/m``
    (:meth:`~mixphase.value.ntk.NTKAtInit.quadratic_form`; ``None`` = every row).
    """
    from threadpoolctl import threadpool_limits

    t0 = time.perf_counter()
    if not 0 < delta < 1:
        raise MixphaseInputError(f"delta must lie in (0, 1), got {delta}")
    # every product here is small (<= a few thousand rows): BLAS threads only cost their sync
    # (up to 10x slower on a busy 2-core machine); results no longer depend on the core count
    with threadpool_limits(1, user_api="blas"):
        return _compute_terms(data, delta, block, max_mmd_rows, max_ntk_rows, seed, t0)


def _compute_terms(data: ValuationData, delta: float, block: int, max_mmd_rows: int,
                   max_ntk_rows: int | None, seed: int, t0: float) -> TermTable:  # fmt: skip
    x, xt = standardise(data)
    rng = np.random.default_rng(seed)
    c = data.n_classes
    ti = rng.choice(len(xt), size=min(len(xt), max_mmd_rows), replace=False)
    # one bandwidth set and one k(test, test) mean for every contributor
    to_test = MMDToTest(_joint(xt[ti], data.y_test[ti], c))

    ntk = NTKAtInit(x.shape[1], c, seed=seed)
    ntk.calibrate(xt)

    items, items_test = data.items_or_labels()
    ranks = item_ranks(items, items_test)
    beta, clamped = fit_zipf_beta(ranks.test_counts)

    names = data.contributors
    rows, cutoffs, details, ns, shares = [], [], [], [], []
    for name in names:
        idx = data.rows(name)
        syn = data.is_synthetic[idx]
        n = len(idx)
        w = float(np.mean(~syn))
        parts = {}
        for part, mask in (("real", ~syn), ("synthetic", syn)):
            pidx = idx[mask]
            if len(pidx) == 0:
                parts[part] = (0.0, 0.0)
                continue
            loss = one_nn_loo_error(x[pidx], data.y[pidx], seed=seed)
            sub = (
                pidx if len(pidx) <= max_mmd_rows else rng.choice(pidx, max_mmd_rows, replace=False)
            )
            parts[part] = (loss, to_test.mmd(_joint(x[sub], data.y[sub], c)))
        quad = ntk.quadratic_form(x[idx], data.y[idx], block=block, seed=seed,
                                  max_rows=max_ntk_rows)  # fmt: skip
        k = None
        trunc = 0.0
        if syn.any():
            k = fit_cutoff(ranks.ranks(items[idx[syn]]), int(syn.sum()), beta, ranks.n_items)
            if k < ranks.n_items:
                trunc = truncation_term(beta, Truncation(cutoff=k), w, n,
                                        n_items=ranks.n_items)  # fmt: skip
        bt = mixture_bound(w, parts["real"][0], parts["synthetic"][0], parts["real"][1],
                           parts["synthetic"][1], quad, n, delta=delta, truncation=trunc)  # fmt: skip
        rows.append([getattr(bt, t) for t in TERMS])
        cutoffs.append(k)
        ns.append(n)
        shares.append(w)
        details.append({"loss_real": parts["real"][0], "loss_synthetic": parts["synthetic"][0],
                        "mmd_real": parts["real"][1], "mmd_synthetic": parts["synthetic"][1],
                        "ntk_quadratic": quad})  # fmt: skip
    return TermTable(names, np.array(ns), np.array(shares), np.array(rows, dtype=float), cutoffs,
                     beta, clamped, ranks.n_items, details, time.perf_counter() - t0)  # fmt: skip


# ---------------------------------------------------------------------------------- weights
@dataclass
class Weights:
    """``v = intercept - terms @ coef``; ``source`` is 'theory' or 'anchors'."""

    coef: np.ndarray
    intercept: float
    source: str
    anchors: list[str] = field(default_factory=list)
    ridge: float | None = None
    cv_rmse: float | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"source": self.source, "weights": dict(zip(TERMS, self.coef.tolist(), strict=True)),
                "intercept": self.intercept, "anchors": self.anchors, "ridge": self.ridge,
                "cv_rmse": self.cv_rmse, "seconds": self.seconds}  # fmt: skip


THEORY_WEIGHTS = np.ones(len(TERMS))


def _nnls_ridge(z: np.ndarray, y: np.ndarray, prior: np.ndarray, lam: float) -> np.ndarray:
    """``argmin_{w>=0} |-z w - y|^2 + lam*m*|w - prior|^2`` (z, y centred)."""
    m, p = z.shape
    a = np.vstack([-z, np.sqrt(lam * m) * np.eye(p)])
    b = np.concatenate([y, np.sqrt(lam * m) * prior])
    return nnls(a, b)[0]


def fit_weights(terms: np.ndarray, anchor_idx: np.ndarray, truth: np.ndarray,
                ridge_grid=RIDGE_GRID) -> tuple[np.ndarray, float, float, float]:  # fmt: skip
    """NNLS weights on the anchors with a ridge towards equal standardised weights.

    Terms are standardised over all contributors (no labels needed). The shrinkage target gives
    every standardised term the same weight ``c``, with ``c >= 0`` the one-parameter least-squares
    fit of the anchors on the sum of standardised terms (the bound's own unit weights are not a
    usable target: its constants are not known and the raw terms live on different scales). The
    ridge strength is picked by leave-one-anchor-out cross-validation over ``ridge_grid``.
    Returns ``(coef_raw, intercept, ridge, cv_rmse)``; ``v = intercept - terms @ coef_raw``.
    """
    scale = terms.std(axis=0)
    scale[scale < 1e-12] = 1.0
    z_all = (terms - terms.mean(axis=0)) / scale
    za, ya = z_all[anchor_idx], np.asarray(truth, dtype=float)
    m = len(anchor_idx)

    def solve(zk: np.ndarray, yk: np.ndarray, lam: float) -> np.ndarray:
        zc, yc = zk - zk.mean(0), yk - yk.mean()
        s = -zc.sum(axis=1)
        prior = np.full(zk.shape[1], max(float(s @ yc) / (float(s @ s) + 1e-12), 0.0))
        return _nnls_ridge(zc, yc, prior, lam)

    best = (np.inf, ridge_grid[0])
    for lam in ridge_grid:
        err = []
        for i in range(m):
            keep = np.arange(m) != i
            zk, yk = za[keep], ya[keep]
            pred = yk.mean() - (za[i] - zk.mean(0)) @ solve(zk, yk, lam)
            err.append((pred - ya[i]) ** 2)
        rmse = float(np.sqrt(np.mean(err)))
        if rmse < best[0] - 1e-12:
            best = (rmse, lam)
    lam = best[1]
    coef = solve(za, ya, lam) / scale
    intercept = float(np.mean(ya + terms[anchor_idx] @ coef))
    return coef, intercept, float(lam), best[0]


def choose_anchors(theory_scores: np.ndarray, n_anchors: int) -> np.ndarray:
    """Evenly spaced quantiles of the theory score (label-free, deterministic)."""
    order = np.argsort(theory_scores, kind="stable")
    pos = np.unique(np.round(np.linspace(0, len(order) - 1, n_anchors)).astype(int))
    return np.sort(order[pos])


# ---------------------------------------------------------------------------------- result
@dataclass
class ValuationResult:
    """Value and term breakdown of every contributor."""

    table: TermTable
    weights: Weights
    seconds: float

    @property
    def values(self) -> np.ndarray:
        return self.weights.intercept - self.table.terms @ self.weights.coef

    def contributions(self) -> np.ndarray:
        """``-a_j * term_j`` per contributor and term (what each term adds to the value)."""
        return -self.table.terms * self.weights.coef

    def term_summary(self) -> dict:
        """Per term: weight, mean and spread (std) of its contribution over contributors."""
        con = self.contributions()
        return {t: {"weight": float(self.weights.coef[j]), "mean_contribution": float(con[:, j].mean()),
                    "std_contribution": float(con[:, j].std())}
                for j, t in enumerate(TERMS)}  # fmt: skip

    def to_dict(self) -> dict:
        t = self.table
        con = self.contributions()
        rows = []
        for i, name in enumerate(t.names):
            rows.append({
                "contributor": name, "value": float(self.values[i]), "n": int(t.n[i]),
                "real_share": float(t.real_share[i]), "cutoff_k": t.cutoff[i],
                "terms": dict(zip(TERMS, t.terms[i].tolist(), strict=True)),
                "contributions": dict(zip(TERMS, con[i].tolist(), strict=True)),
                **t.details[i],
            })  # fmt: skip
        return {"contributors": rows, "zipf_beta": t.beta, "zipf_beta_clamped": t.beta_clamped,
                "n_items": t.n_items, "weights": self.weights.to_dict(),
                "terms": self.term_summary(), "seconds": self.seconds}  # fmt: skip

    def __str__(self) -> str:
        t = self.table
        vals = self.values
        con = self.contributions()
        head = (f"{'contributor':<22} {'value':>7} {'n':>6} {'real':>5} {'k':>5}  "
                + " ".join(f"{s[:9]:>9}" for s in TERMS))  # fmt: skip
        lines = [
            f"mixphase value: {len(t.names)} contributors, target Zipf beta={t.beta:.3g}"
            f"{' (clamped)' if t.beta_clamped else ''} over {t.n_items} items; weights: "
            f"{self.weights.source}"
            + (f" (anchors {', '.join(self.weights.anchors)}; ridge {self.weights.ridge:g})"
               if self.weights.source == "anchors" else ""),
            "value = intercept + contributions; contributions = -weight * term",
            head,
        ]  # fmt: skip
        for i in np.argsort(-vals, kind="stable"):
            k = "-" if t.cutoff[i] is None else str(t.cutoff[i])
            lines.append(f"{t.names[i][:22]:<22} {vals[i]:>7.3f} {t.n[i]:>6d} "
                         f"{t.real_share[i]:>5.2f} {k:>5}  "
                         + " ".join(f"{v:>9.3f}" for v in con[i]))  # fmt: skip
        w = ", ".join(f"{n}={v:.3g}" for n, v in zip(TERMS, self.weights.coef, strict=True))
        lines.append(f"weights: {w}; intercept {self.weights.intercept:.3g}; "
                     f"{self.seconds:.2f} s")  # fmt: skip
        return "\n".join(lines)


def value_contributors(data: ValuationData, n_anchors: int | None = 5,
                       anchor_truth: Callable[[str], float] | None = None, delta: float = 0.05,
                       seed: int = 0, block: int = 256) -> ValuationResult:  # fmt: skip
    """Score every contributor. ``anchor_truth(name)`` = retrained test accuracy on that
    contributor (default: retrain :mod:`mixphase.value.learner`); ``n_anchors`` 0/None or too few
    contributors -> theory weights."""
    t0 = time.perf_counter()
    if len(data.contributors) < 1:
        raise MixphaseInputError("no contributors")
    table = compute_terms(data, delta=delta, block=block, seed=seed)
    theory = Weights(THEORY_WEIGHTS.copy(), 1.0, "theory")
    weights = theory
    if n_anchors and len(table.names) >= MIN_CONTRIBUTORS_FOR_ANCHORS:
        if n_anchors < 3:
            raise MixphaseInputError("use at least 3 anchors (or 0 for theory weights)")
        ta = time.perf_counter()
        if anchor_truth is None:
            anchor_truth = _default_truth(data, seed)
        idx = choose_anchors(1.0 - table.terms.sum(axis=1), min(n_anchors, len(table.names)))
        truth = np.array([anchor_truth(table.names[i]) for i in idx])
        coef, b, lam, cv = fit_weights(table.terms, idx, truth)
        weights = Weights(coef, b, "anchors", [table.names[i] for i in idx], lam, cv,
                          time.perf_counter() - ta)  # fmt: skip
    return ValuationResult(table, weights, time.perf_counter() - t0)


def _default_truth(data: ValuationData, seed: int) -> Callable[[str], float]:
    from mixphase.value.learner import retrain_accuracy

    x, xt = standardise(data)

    def truth(name: str) -> float:
        idx = data.rows(name)
        return retrain_accuracy(x[idx], data.y[idx], xt, data.y_test, data.n_classes, seed)

    return truth
