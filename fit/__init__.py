"""Bayesian fits of breakpoints, phase transitions and power laws (``mixphase fit``).

- :func:`fit_breakpoints`: continuous piecewise power law (0-3 breakpoints, or ``"auto"``: by
  exact evidence, or PSIS-LOO for NUTS; :mod:`mixphase.fit.model_choice`), smooth softplus
  kinks, ordered breakpoints inside the data.
- :func:`fit_breakpoints_shared`: several curves with shared breakpoints (and optionally
  slopes), one joint NUTS fit (:mod:`mixphase.fit.shared`).
- :func:`fit_transition`: sigmoid in log x (critical point, width, floor, ceiling); binomial
  likelihood for counts.
- :func:`fit_power_law`: ``y = A x^alpha`` with per-point intervals propagated; compares the
  exponent with a prediction.
- :func:`fit_web_law`: web-only losses vs size: power, log or broken power law, chosen by
  exact marginal likelihood, with posterior draws of the law (:mod:`mixphase.fit.web_law`).
- :func:`check_swarm`: per domain of a mixture swarm, a threshold in its weight or a smooth law
  (log Bayes factor; :mod:`mixphase.fit.swarm`).
- :func:`read_curves`: any table, TensorBoard folder or W&B export :mod:`mixphase.readers` reads,
  into ``{curve: {column: array}}``.

Two engines share each model and its priors: ``fast`` (default) marginalises the linear
coefficients exactly and computes the rest on an adaptive grid (milliseconds to a second);
``pymc`` samples with NUTS (Student-t noise), by nutpie, NumPyro or PyMC's own sampler
(``sampler=``, :mod:`mixphase.fit._nuts`). Each engine reports its own diagnostics
(:mod:`mixphase.fit.diagnostics`). See :mod:`mixphase.fit.breakpoints`.
"""

from mixphase.fit.breakpoints import fit_breakpoints
from mixphase.fit.data import read_curves
from mixphase.fit.power_law import fit_power_law
from mixphase.fit.results import BreakpointFit, PowerLawFit, SharedBreakpointFit, TransitionFit
from mixphase.fit.shared import fit_breakpoints_shared
from mixphase.fit.swarm import check_swarm
from mixphase.fit.transition import fit_transition
from mixphase.fit.web_law import WebLawFit, fit_web_law

__all__ = [
    "BreakpointFit",
    "PowerLawFit",
    "SharedBreakpointFit",
    "TransitionFit",
    "WebLawFit",
    "check_swarm",
    "fit_breakpoints",
    "fit_breakpoints_shared",
    "fit_power_law",
    "fit_transition",
    "fit_web_law",
    "read_curves",
]
