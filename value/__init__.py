"""Data valuation for real+synthetic pools (Wang et al. 2025, arXiv 2511.13640, second half).

Score how much each *contributor* (a source, a generator setting, a shard) of a training pool is
worth for a target test set, without retraining on every subset.

**Zero-anchor value** (default, :func:`value_contributors`): the test accuracy of the
*memorising learner* of docs/theory.md §2.2 trained on the contributor alone
(:mod:`.memoriser`): a test query is answered by the contributor's nearest row of the same item
(its nearest row overall when it lacks the item, or when there is no ``item`` column), whose
label is the majority of its own and its two nearest same-item rows'. The value splits into
0-1 error terms with the theory's unit weights, ``v0 = 1 - missing - covered_error``, reported
with the label-noise estimate and the truncation term ``T >= 0`` (the cutoff's expected share
of the missing mass, from a fitted Zipf exponent and cutoff; :mod:`.terms`). No model is trained
and no constant is fitted on the task. **Anchors** (``n_anchors >= 3``) refit the term weights,
plus the bound's empirical / MMD / NTK / finite-sample terms, on a few retrained contributors.
**Marginal value** (:func:`~mixphase.value.marginal.memoriser_marginal`): the memoriser's
leave-one-contributor-out.

Evaluation (:mod:`.protocol`, :mod:`.targets`, :mod:`.benchmark`): two retrained targets
(stand-alone and marginal value), every method scored on the target it claims, anchors never
scored, heuristics (:mod:`.heuristics`) and baselines (:mod:`.baselines`) side by side, six
generated tasks (:mod:`.tasks`), noisy-label detection and removal curves (:mod:`.removal`).
User data: :func:`~mixphase.value.data.load_data` (.npz/.csv/.parquet).
"""

from mixphase.value.benchmark import run_benchmark
from mixphase.value.data import ValuationData, load_data
from mixphase.value.score import TERMS, ValuationResult, value_contributors

__all__ = [
    "TERMS",
    "ValuationData",
    "ValuationResult",
    "load_data",
    "run_benchmark",
    "value_contributors",
]
