"""The bound's five terms per contributor, without retraining (Wang et al. 2025, Thm 1).

For a contributor S (n rows, real share w, real part R, synthetic part Y) and the test set T,
:func:`compute_terms` evaluates the terms of :func:`mixphase.theory.mixture_bound`:

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

Cost: the test side is prepared once (:class:`MMDToTest`: test subsample, bandwidths,
``mean k(T,T)``; the NTK normalisation); per contributor only its own Gram products remain. Row
caps, seeded: Lhat 1500 query rows, MMD 400 rows per part, NTK ``max_ntk_rows`` (default 4096,
scaled by ``n/m``). BLAS runs single-threaded inside :func:`compute_terms` (small products).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory import Truncation, mixture_bound, truncation_term
from mixphase.value.data import ValuationData, standardise
from mixphase.value.ntk import NTKAtInit
from mixphase.value.tail import fit_cutoff, fit_zipf_beta, item_ranks

TERMS = ("empirical", "mmd", "complexity", "finite_sample", "truncation")


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


def joint_features(x: np.ndarray, y: np.ndarray, n_classes: int) -> np.ndarray:
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


@dataclass
class TruncationFit:
    """The target's Zipf exponent and, per contributor, its synthetic part's cutoff and ``T``."""

    beta: float
    beta_clamped: bool
    n_items: int
    cutoffs: list[int | None]
    values: np.ndarray  # T per contributor (0 where there is no synthetic part or no cutoff)


def truncation_fit(data: ValuationData) -> TruncationFit:
    """``T = truncation_term(beta_hat, k_hat, w, n)`` per contributor (:mod:`.tail` estimates).

    ``beta_hat``: Zipf MLE on the test set's item ranks; ``k_hat``: coverage MLE of the
    contributor's synthetic rows; ``w``: its real share; ``n``: its rows. ``T`` is the expected
    test mass beyond ``k_hat`` that a memorising learner on these ``n`` rows misses and one on
    ``n`` real rows would not (a 0-1 missing mass, ``>= 0``; docs/theory.md §2.3).
    """
    items, items_test = data.items_or_labels()
    ranks = item_ranks(items, items_test)
    beta, clamped = fit_zipf_beta(ranks.test_counts)
    cutoffs, values = [], []
    for name in data.contributors:
        idx = data.rows(name)
        syn = data.is_synthetic[idx]
        k, trunc = None, 0.0
        if syn.any():
            k = fit_cutoff(ranks.ranks(items[idx[syn]]), int(syn.sum()), beta, ranks.n_items)
            if k < ranks.n_items:
                trunc = truncation_term(beta, Truncation(cutoff=k), float(np.mean(~syn)),
                                        len(idx), n_items=ranks.n_items)  # fmt: skip
        cutoffs.append(k)
        values.append(trunc)
    return TruncationFit(beta, clamped, ranks.n_items, cutoffs, np.array(values, dtype=float))


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
    to_test = MMDToTest(joint_features(xt[ti], data.y_test[ti], c))
    ntk = NTKAtInit(x.shape[1], c, seed=seed)
    ntk.calibrate(xt)
    tf = truncation_fit(data)

    names = data.contributors
    rows, details, ns, shares = [], [], [], []
    for j, name in enumerate(names):
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
            parts[part] = (loss, to_test.mmd(joint_features(x[sub], data.y[sub], c)))
        quad = ntk.quadratic_form(x[idx], data.y[idx], block=block, seed=seed,
                                  max_rows=max_ntk_rows)  # fmt: skip
        bt = mixture_bound(w, parts["real"][0], parts["synthetic"][0], parts["real"][1],
                           parts["synthetic"][1], quad, n, delta=delta,
                           truncation=float(tf.values[j]))  # fmt: skip
        rows.append([getattr(bt, t) for t in TERMS])
        ns.append(n)
        shares.append(w)
        details.append({"loss_real": parts["real"][0], "loss_synthetic": parts["synthetic"][0],
                        "mmd_real": parts["real"][1], "mmd_synthetic": parts["synthetic"][1],
                        "ntk_quadratic": quad})  # fmt: skip
    return TermTable(names, np.array(ns), np.array(shares), np.array(rows, dtype=float),
                     tf.cutoffs, tf.beta, tf.beta_clamped, tf.n_items, details,
                     time.perf_counter() - t0)  # fmt: skip
