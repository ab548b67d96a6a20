"""Mixing-recipe advice from the theory, calibrated on the user's own runs.

- :func:`advise_knowledge` (knowledge mixing on the knapsack model, Gu et al. 2025): critical
  ratios, whether a ratio learns, the best random-subsampling keep fraction, compact rephrasings,
  the ratio for a target share and its web-loss cost, a budgeted plan, exposure checks.
- :mod:`.calibration`: the unknown scale as an effective bits-per-parameter, set from one measured
  critical ratio (``anchor``) or with a posterior from a sweep (``sweep``, through ``mixphase.fit``).
- :func:`advise_real_share` (real-synthetic mixing, Wang et al. 2025): the critical real share,
  the data size a share needs, and the share that minimises the generalisation bound.
- :mod:`.strategies`: the optimisations over the theory's closed forms (derived here).
"""

from mixphase.advise.calibration import Calibration, anchor, sweep, uncalibrated
from mixphase.advise.knowledge import KnowledgeAdvice, advise_knowledge
from mixphase.advise.real_share import RealShareAdvice, advise_real_share

__all__ = [
    "Calibration",
    "KnowledgeAdvice",
    "RealShareAdvice",
    "advise_knowledge",
    "advise_real_share",
    "anchor",
    "sweep",
    "uncalibrated",
]
