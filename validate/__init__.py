"""Validation layer: train small GPT-style transformers on SynBio + a synthetic (Zipf key-value) web.

- :mod:`mixphase.validate.data`    SynBio generator, Zipf-fact web, byte-level text, mixing at ratio r
- :mod:`mixphase.validate.model`   nanoGPT-style decoder (``GPTConfig``, ``GPT``, FLOPs / MFU)
- :mod:`mixphase.validate.presets` named presets (``tiny`` CPU, ``small`` / ``base`` GPU)
- :mod:`mixphase.validate.train`   one run -> ``result.json`` (``RunConfig``, ``train``)
- :mod:`mixphase.validate.sweep`   resumable sweeps (sizes x ratios), parallel jobs, Ray backend
- :mod:`mixphase.validate.report`  a sweep vs the knapsack prediction (``validate sweep/report``)
- :mod:`mixphase.validate.verdicts` the verdict rules (equivalence / non-inferiority) and margins
- :mod:`mixphase.validate.transitions` per-(size, configuration) transition records
- :mod:`mixphase.validate.claims`, :mod:`.mechanism`, :mod:`.scaling`, :mod:`.subsampling`
  the paper's claims and the one mechanism rule
- :mod:`mixphase.validate.design`  the staged design of ``validate reproduce``
- :mod:`mixphase.validate.reproduce` ``validate reproduce``: train the stages, judge, report

Heavy imports (torch) happen in the sub-modules; importing this package is cheap.
"""

from __future__ import annotations

__all__ = ["RunConfig", "compare", "sweep", "train"]


def __getattr__(name: str):
    if name in ("RunConfig", "train"):
        from mixphase.validate import train as _t

        return getattr(_t, name)
    if name == "sweep":
        from mixphase.validate.sweep import sweep

        return sweep
    if name == "compare":
        from mixphase.validate.report import compare

        return compare
    raise AttributeError(name)
