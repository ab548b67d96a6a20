"""Pure math of both papers' models. numpy/scipy at import; sympy and cvxpy inside functions.

Knapsack capacity model (Gu, Lyu, Li, Zhang 2025, arXiv 2505.18091):
    :class:`KnapsackModel` (closed forms for any convex web law, at full or finite training:
    :class:`ExposureCurve`), :mod:`.accuracy` (the measured ramp), :mod:`.knapsack_symbolic`
    (sympy derivation),
    :func:`allocate` (general allocation, exact or cvxpy), :func:`threshold_popularity`
    (Algorithm 1) with bootstrap intervals (:func:`threshold_interval`, :func:`threshold_slope`).
Real-synthetic mixtures (Wang et al. 2025, arXiv 2511.13640):
    :class:`Truncation` and the cutoffs, :func:`expected_error` (memorisation model),
    :class:`BernoulliErrorModel` (the general form), :func:`breakpoints` (with the three-phase
    validity check), :func:`mixture_bound` and its terms, :func:`truncation_term` (excess tail
    mass).
"""

from mixphase.theory.allocation import Allocation, KnowledgeGroup, WebDomain, allocate
from mixphase.theory.bound import (
    BoundTerms,
    excess_tail_mass,
    mixture_bound,
    mmd_multi_kernel,
    ntk_quadratic_form,
    signed_error_gap,
    truncation_term,
)
from mixphase.theory.capacity import ALLEN_ZHU, ExposureCurve
from mixphase.theory.error_model import BernoulliErrorModel
from mixphase.theory.knapsack import SYNBIO_320K, KnapsackModel, KnowledgeSet
from mixphase.theory.mixture import (
    Breakpoints,
    breakpoints,
    expected_error,
    mixture_distribution,
    phase_exponents,
)
from mixphase.theory.synbio import SYNBIO_BITS_PER_BIO, SYNBIO_CARDINALITIES, bits_per_biography
from mixphase.theory.threshold_popularity import (
    threshold_interval,
    threshold_popularity,
    threshold_slope,
)
from mixphase.theory.truncation import (
    SAMPLE_RULES,
    Truncation,
    cutoff_from_samples,
    cutoff_from_temperature,
    cutoff_from_top_p,
    expected_support,
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
from mixphase.theory.web_law_draws import LawDraws, MixedLawDraws

__all__ = [
    "ALLEN_ZHU",
    "PAPER_WEB_LAW",
    "SAMPLE_RULES",
    "SYNBIO_320K",
    "SYNBIO_BITS_PER_BIO",
    "SYNBIO_CARDINALITIES",
    "Allocation",
    "BernoulliErrorModel",
    "BoundTerms",
    "Breakpoints",
    "BrokenPowerLaw",
    "ExposureCurve",
    "KnapsackModel",
    "KnowledgeGroup",
    "KnowledgeSet",
    "LawDraws",
    "LogLaw",
    "MixedLawDraws",
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
    "excess_tail_mass",
    "expected_error",
    "expected_support",
    "mixture_bound",
    "mixture_distribution",
    "mmd_multi_kernel",
    "ntk_quadratic_form",
    "phase_exponents",
    "signed_error_gap",
    "synthetic_distribution",
    "threshold_interval",
    "threshold_popularity",
    "threshold_slope",
    "truncation_term",
    "zipf_pmf",
]
