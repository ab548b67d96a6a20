"""Truncation-aware data valuation (Wang et al. 2025, arXiv 2511.13640, second half).

Score how much each *contributor* (a source, a generator setting, a shard) of a real+synthetic
training pool is worth for a target test distribution, without retraining on every subset.

Final form (:mod:`mixphase.value.score`). For a contributor S with n rows and real share w:

    v(S) = b - a_emp*[w*Lhat_real + (1-w)*Lhat_syn]          empirical  (LOO 1-NN error)
             - a_mmd*[w*MMD(real,test) + (1-w)*MMD(syn,test)] mmd        (multi-kernel, joint x,y)
             - a_ntk*sqrt(yhat^T Theta0^-1 yhat / n)           complexity (NTK at init, blocks)
             - a_fs *sqrt(2*max(w,1-w)*log(8/delta) / n)       finite_sample
             - a_tr *T(beta_hat, k_hat, w, n)                  truncation

The five terms are those of :func:`mixphase.theory.mixture_bound` (computed with
:func:`~mixphase.theory.mmd_multi_kernel`, the regularised form of
:func:`~mixphase.theory.ntk_quadratic_form` and :func:`~mixphase.theory.truncation_term`).
``T`` is the excess tail mass missed because of truncation, ``sum_{i>k} p_i [(1 - w p_i)^n -
(1 - p_i)^n] >= 0`` for a memorising learner -- a 0-1 missing mass (an error probability, the
unit of ``1 - accuracy``) -- with ``beta_hat`` the Zipf exponent fitted by maximum likelihood to
the test set's item ranks and ``k_hat`` the synthetic part's cutoff fitted by a coverage
likelihood (:mod:`mixphase.value.tail`). Items are an ``item`` column, else the labels.

Cost and approximations (:func:`~mixphase.value.score.compute_terms`; all seeded, bit-reproducible):
Lhat on at most 1500 query rows per part; MMD on at most 400 rows per part against 400 test
rows, with the test sample's median bandwidth and ``mean k(T,T)`` computed once for all
contributors and the three Gaussians ``k = a + a^4 + a^16``, ``a = exp(-d^2/(8 med^2))`` (exact up
to rounding); the NTK form on at most ``max_ntk_rows`` = 4096 rows per contributor, the first
``m`` rows of its seeded shuffle scaled by ``n/m`` (no built-in task reaches the cap). The terms
run with one BLAS thread: every product is small, and thread synchronisation made them up to 10x
slower on a busy 2-core machine. On a quiet 2-core machine the terms of the ``text`` task take
about 0.4 s (the 5 anchor retrains about 1 s).

Weights: ``a = 1, b = 1`` (the bound itself, ``--anchors 0``) or, by default, fitted on 5
retrained anchor contributors by non-negative least squares on standardised terms, shrunk towards
equal standardised weights with a ridge chosen by leave-one-anchor-out cross-validation
(:func:`~mixphase.value.score.fit_weights`); the result reports each term's weight and
contribution. Baselines, tasks and the benchmark: :mod:`.baselines`, :mod:`.tasks`,
:mod:`.benchmark`. User data: :func:`~mixphase.value.data.load_data` (.npz/.csv/.parquet).
"""

from mixphase.value.data import ValuationData, load_data
from mixphase.value.score import TERMS, ValuationResult, compute_terms, value_contributors

__all__ = [
    "TERMS",
    "ValuationData",
    "ValuationResult",
    "compute_terms",
    "load_data",
    "value_contributors",
]
