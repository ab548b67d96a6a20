"""Validation layer: train small GPT-style transformers on SynBio + a synthetic (Zipf key-value) web.

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
- :mod:`mixphase.validate.report`    a sweep vs the knapsack prediction (``validate sweep/report``)
- :mod:`mixphase.validate.verdicts`  the verdict rules (equivalence / non-inferiority) and margins
- :mod:`mixphase.validate.transitions` per-(size, configuration) transition records
- :mod:`mixphase.validate.claims`, :mod:`.mechanism`, :mod:`.scaling`, :mod:`.subsampling`
  the paper's claims and the one mechanism rule
- :mod:`mixphase.validate.design`    the staged design of ``validate reproduce``
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
