"""Pure math of both papers' models. numpy/scipy at import; sympy and cvxpy inside functions.

Knapsack capacity model (Gu, Lyu, Li, Zhang 2025, arXiv 2505.18091):
    :class:`KnapsackModel` (closed forms), :mod:`.knapsack_symbolic` (sympy derivation),
    :func:`allocate` (general allocation, exact or cvxpy), :func:`threshold_popularity`
    (Algorithm 1).
Real-synthetic mixtures (Wang et al. 2025, arXiv 2511.13640):
    :class:`Truncation` and the cutoffs, :func:`expected_error`, :func:`breakpoints`,
    :func:`mixture_bound` and its terms.
"""

from mixphase.theory.allocation import Allocation, KnowledgeGroup, WebDomain, allocate
from mixphase.theory.bound import (
    BoundTerms,
    mixture_bound,
    mmd_multi_kernel,
    ntk_quadratic_form,
    truncation_term,
)
from mixphase.theory.knapsack import SYNBIO_320K, KnapsackModel, KnowledgeSet
from mixphase.theory.mixture import (
    Breakpoints,
    breakpoints,
    expected_error,
    mixture_distribution,
    phase_exponents,
)
from mixphase.theory.synbio import SYNBIO_BITS_PER_BIO, SYNBIO_CARDINALITIES, bits_per_biography
from mixphase.theory.threshold_popularity import threshold_popularity
from mixphase.theory.truncation import (
    Truncation,
    cutoff_from_samples,
    cutoff_from_temperature,
    cutoff_from_top_p,
    synthetic_distribution,
    zipf_pmf,
)
from mixphase.theory.web_law import (
    PAPER_WEB_LAW,
    BrokenPowerLaw,
    LogLaw,
    PowerLaw,
    TableLaw,
    WebLaw,
    capacity_marginal,
)

__all__ = [
    "PAPER_WEB_LAW",
    "SYNBIO_320K",
    "SYNBIO_BITS_PER_BIO",
    "SYNBIO_CARDINALITIES",
    "Allocation",
    "BoundTerms",
    "Breakpoints",
    "BrokenPowerLaw",
    "KnapsackModel",
    "KnowledgeGroup",
    "KnowledgeSet",
    "LogLaw",
    "PowerLaw",
    "TableLaw",
    "Truncation",
    "WebDomain",
    "WebLaw",
    "allocate",
    "bits_per_biography",
    "breakpoints",
    "capacity_marginal",
    "cutoff_from_samples",
    "cutoff_from_temperature",
    "cutoff_from_top_p",
    "expected_error",
    "mixture_bound",
    "mixture_distribution",
    "mmd_multi_kernel",
    "ntk_quadratic_form",
    "phase_exponents",
    "synthetic_distribution",
    "threshold_popularity",
    "truncation_term",
    "zipf_pmf",
]
