"""mixphase: phase transitions of language models trained on data mixtures.

Sub-packages (one import namespace over the repository's top-level folders):

- :mod:`mixphase.theory`   closed forms and numerics of both papers' models (pure math)
- :mod:`mixphase.simulate` Monte Carlo of those models; writes curves that ``fit`` reads
- :mod:`mixphase.fit`      Bayesian fits of breakpoints, transitions and power laws
- :mod:`mixphase.validate` small GPT-style transformers trained on SynBio + web-like text
- :mod:`mixphase.value`    truncation-aware data valuation
- :mod:`mixphase.advise`   mixing-recipe advice calibrated on the user's runs
"""

from mixphase.errors import MixphaseInputError

__version__ = "0.1.0"
__all__ = ["MixphaseInputError", "__version__"]
