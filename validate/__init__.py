"""Validation layer: train small GPT-style transformers on SynBio + web-like text.

- :mod:`mixphase.validate.data`      SynBio generator, Zipf-fact web, training streams
- :mod:`mixphase.validate.batches`   the batches of several runs, assembled together
- :mod:`mixphase.validate.text_data` byte-level text (``--web-data``)
- :mod:`mixphase.validate.seeds`     one random stream per source (init, order, people, data)
- :mod:`mixphase.validate.model`     nanoGPT-style decoder as an ensemble (stacked weights)
- :mod:`mixphase.validate.optim`     flat weights and AdamW with a rate and clipping per member
- :mod:`mixphase.validate.schedule`  cosine and warmup-stable-decay learning rates
- :mod:`mixphase.validate.branching` WSD runs of several lengths share one stable phase
- :mod:`mixphase.validate.evaluate`  bio accuracy over all templates, web accuracy by rank
- :mod:`mixphase.validate.ensemble`  train runs of one shape together, one result per run
- :mod:`mixphase.validate.config`    ``RunConfig`` (key, data, ensemble group)
- :mod:`mixphase.validate.record`    the result record of a run
- :mod:`mixphase.validate.train`     one run -> ``result.json`` (``train``)
- :mod:`mixphase.validate.groups`    which runs train together (memory budget, worker balance)
- :mod:`mixphase.validate.workers`   worker processes that die with their parent
- :mod:`mixphase.validate.sweep`     resumable sweeps (sizes x ratios), parallel jobs
- :mod:`mixphase.validate.backends` where sweeps train: local, Ray, submitit (options)
- :mod:`mixphase.validate.ray_backend`   sweep tasks on a Ray cluster
- :mod:`mixphase.validate.slurm_backend` sweep tasks as a SLURM array job (submitit)
- :mod:`mixphase.validate.report`    empirical critical ratios vs the knapsack prediction
- :mod:`mixphase.validate.claims`    verdicts on the paper's 7 claims and the mechanism (thresholds)
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
