"""Simulated sweeps with seed scatter and clustered answers: planted truth for the transition fits.

Each run at ratio ``r`` has its own critical point ``ln r_c,run = ln r_c + b``, ``b ~ N(0, tau^2)``,
and expected accuracy ``p = floor + (ceiling - floor) expit((ln r - ln r_c,run) / w)``. It scores
``n_people`` people on ``n_attributes`` answers each; a person's answers share a probability
``q ~ Beta`` with mean ``p`` and intra-class correlation ``icc`` (``icc = 0``: independent answers,
``icc = 1``: a person is known entirely or not at all), so the design effect is
``1 + (n_attributes - 1) icc``. This is the data model of
:mod:`mixphase.fit.likelihoods` with the run-level beta replaced by the exact normal shift.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def simulate_runs(ratios, seeds, *, critical_ratio: float, width: float, tau: float,
                  n_people: int = 40, n_attributes: int = 5, icc: float = 0.0,
                  floor: float = 0.0, ceiling: float = 1.0,
                  rng: np.random.Generator) -> dict[str, np.ndarray]:  # fmt: skip
    """One point per run: ``{"x", "correct", "total"}`` (``seeds[i]`` runs at ``ratios[i]``)."""
    x = np.repeat(np.asarray(ratios, float), np.asarray(seeds, int))
    b = rng.normal(0.0, tau, x.size)
    p = floor + (ceiling - floor) * expit((np.log(x) - np.log(critical_ratio) - b) / width)
    correct = np.zeros(x.size)
    for i, pi in enumerate(p):
        if icc <= 0:
            q = np.full(n_people, pi)
        elif icc >= 1:
            q = (rng.uniform(size=n_people) < pi).astype(float)
        else:
            c = 1 / icc - 1
            q = rng.beta(max(pi * c, 1e-9), max((1 - pi) * c, 1e-9), n_people)
        correct[i] = rng.binomial(n_attributes, q).sum()
    return {"x": x, "correct": correct, "total": np.full(x.size, float(n_people * n_attributes))}


__all__ = ["simulate_runs"]
