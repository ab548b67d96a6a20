"""Simulations of both papers' models: the data a user would see if the theory held.

- :func:`simulate_mixture_curves` (:mod:`.mixture`): Monte Carlo learning curves of a memorising
  learner trained on a real-synthetic mixture (Wang et al. 2025), with the exact expectation.
- :func:`phase_diagram` (:mod:`.knapsack`): memorisation fraction over (model size, mixing
  ratio) from the knapsack allocation model (Gu et al. 2025), optionally exposure-limited.
- :func:`popularity_curves` (:mod:`.popularity`): accuracy vs popularity for several model sizes
  with the threshold popularity (predicted, and Algorithm 1 on simulated correctness).

Each result has ``to_rows()`` (the ``x,y[,curve]`` rows ``mixphase fit`` reads), ``truth`` (the
ground truth for the sidecar JSON), ``plot()`` and ``to_dict()``/``__str__``;
:func:`write_simulation` writes rows and sidecar atomically. Formulas come from
:mod:`mixphase.theory`; nothing here re-derives them.
"""

from mixphase.simulate._output import truth_path, write_rows, write_simulation, write_truth
from mixphase.simulate.knapsack import PhaseDiagram, phase_diagram
from mixphase.simulate.mixture import MixtureCurves, default_sizes, simulate_mixture_curves
from mixphase.simulate.popularity import PopularityCurves, popularity_curves

__all__ = [
    "MixtureCurves",
    "PhaseDiagram",
    "PopularityCurves",
    "default_sizes",
    "phase_diagram",
    "popularity_curves",
    "simulate_mixture_curves",
    "truth_path",
    "write_rows",
    "write_simulation",
    "write_truth",
]
