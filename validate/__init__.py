"""Validation layer: train small GPT-style transformers on SynBio + web-like text.

- :mod:`mixphase.validate.data`    SynBio generator, Zipf-fact web, byte-level text, mixing at ratio r
- :mod:`mixphase.validate.model`   nanoGPT-style decoder (``GPTConfig``, ``GPT``, FLOPs / MFU)
- :mod:`mixphase.validate.presets` named presets (``tiny`` CPU, ``small`` / ``base`` GPU)
- :mod:`mixphase.validate.train`   one run -> ``result.json`` (``RunConfig``, ``train``)
- :mod:`mixphase.validate.sweep`   resumable sweeps (sizes x ratios), parallel jobs, Ray backend
- :mod:`mixphase.validate.report`  empirical critical ratios vs the knapsack prediction
- :mod:`mixphase.validate.claims`  verdicts on the paper's 7 claims and the mechanism (thresholds)
- :mod:`mixphase.validate.reproduce` ``validate reproduce``: the sweeps and controls the claims need

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
