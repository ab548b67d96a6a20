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
``T`` is the excess test mass missed because of truncation, ``err_q(n) - err_p(n)`` for a
memorising learner, with ``beta_hat`` the Zipf exponent fitted by maximum likelihood to the test
set's item ranks and ``k_hat`` the synthetic part's cutoff fitted by a coverage likelihood
(:mod:`mixphase.value.tail`). Items are an ``item`` column, else the labels.

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
