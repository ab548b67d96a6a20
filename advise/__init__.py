"""Mixing-recipe advice from the theory, calibrated on the user's own runs.

- :mod:`.calibration`: the model's constants as draws — the priors (:mod:`.priors`), or the
  posterior given one measured critical ratio (``anchor``) or runs in any configuration
  (``calibrate``; :mod:`.runs` reads them, :mod:`.posterior` samples); :mod:`.web` chooses the
  web loss law.
- :func:`advise_knowledge` (knowledge mixing on the knapsack model, Gu et al. 2025): critical
  ratios, learned fraction and accuracy, the best random-subsampling keep fraction, compact
  rephrasings, the ratio for a target share and its web-loss cost, a budgeted plan.
- :mod:`.predict`: the tables of ``mixphase predict`` and :func:`critical_ratio_band`.
- :func:`advise_real_share` (real-synthetic mixing, Wang et al. 2025): the critical real share,
  the data size a share needs, and the share that minimises the generalisation bound.
"""

from mixphase.advise.calibration import Calibration, anchor, calibrate, sweep, uncalibrated
from mixphase.advise.knowledge import KnowledgeAdvice, advise_knowledge
from mixphase.advise.predict import critical_ratio_band
from mixphase.advise.real_share import RealShareAdvice, advise_real_share

__all__ = [
    "Calibration",
    "KnowledgeAdvice",
    "RealShareAdvice",
    "advise_knowledge",
    "advise_real_share",
    "anchor",
    "calibrate",
    "critical_ratio_band",
    "sweep",
    "uncalibrated",
]
