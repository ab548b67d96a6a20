"""Knapsack-model simulation of heterogeneous popularity: accuracy vs popularity per model size.

Model: Gu, Lyu, Li, Zhang (2025), arXiv 2505.18091, as implemented in
:mod:`mixphase.theory.allocation` (exact or cvxpy). Nothing is re-derived here.

**Heterogeneous popularity** (:func:`popularity_curves`; the paper's SynBio-10k-power-law):
``n_groups`` groups of ``group_size`` facts; group ``g`` (1-based) has probability
``w_g ∝ g^(-exponent)`` and each of its facts the *popularity* ``f_g = w_g / group_size`` (its
share of the knowledge set's fact draws). A stored bit of a group-``g`` fact lowers the training
loss by ``v_g = r * f_g / tokens_per_fact`` bits/token (for one uniform group this is the
knapsack's ``r*p``, ``p = 1/S1``). :func:`allocate` gives each group's learned fraction and the
marginal value ``lambda``; a group is learned iff ``f_g > f_thres = lambda * tokens_per_fact / r``
(the *predicted* threshold popularity). Simulated correctness: each fact of group ``g`` is stored
with probability ``phi_g`` (0 or 1 except at most one group), a stored fact is answered wrongly
with probability ``slip_rate``, an unstored one rightly with probability ``guess_rate`` (both 0 by
default). :func:`~mixphase.theory.threshold_popularity.threshold_popularity` (Algorithm 1) on the
simulated per-fact correctness gives the *measured* threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.simulate.knapsack import _check_grid, _save, _size_label, _web_domain
from mixphase.theory.allocation import KnowledgeGroup, allocate
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.predictions import assumptions
from mixphase.theory.threshold_popularity import threshold_popularity

#: Model sizes at which the threshold moves across SynBio-10k-power-law's 100 groups (r = 0.01).
DEFAULT_POPULARITY_SIZES = (3e6, 1e7, 3e7, 1e8, 3e8)


@dataclass(frozen=True)
class PopularityCurves:
    """Per-group accuracy vs popularity for several model sizes, with threshold popularities."""

    model: KnapsackModel
    sizes: np.ndarray
    ratio: float
    popularity: np.ndarray  # (n_groups,) per-fact popularity f_g
    learned_fraction: np.ndarray  # (n_sizes, n_groups) from the allocation
    accuracy: np.ndarray  # (n_sizes, n_groups) simulated group accuracy
    predicted_threshold: np.ndarray  # (n_sizes,) lambda * tokens_per_fact / r
    measured_threshold: np.ndarray  # (n_sizes,) Algorithm 1 on simulated correctness
    group_size: int
    exponent: float
    target: float
    n_fail: int
    slip_rate: float
    guess_rate: float
    seed: int

    @staticmethod
    def _slope(sizes, values) -> float | None:
        ok = np.isfinite(values) & (values > 0)
        if ok.sum() < 2:
            return None
        return float(np.polyfit(np.log(sizes[ok]), np.log(values[ok]), 1)[0])

    @property
    def predicted_slope(self) -> float | None:
        """Least-squares slope of log predicted threshold vs log N (theory: ~ -(alpha+1))."""
        return self._slope(self.sizes, self.predicted_threshold)

    @property
    def measured_slope(self) -> float | None:
        """Same for Algorithm 1's threshold on the simulated correctness."""
        inside = self.measured_threshold > self.popularity.min()  # not stuck at the last group
        return self._slope(self.sizes[inside], self.measured_threshold[inside])

    def to_rows(self) -> list[dict]:
        """Rows for ``mixphase fit``: ``x`` = popularity, ``y`` = group accuracy, curve = size."""
        return [
            {"x": float(f), "y": float(a), "curve": _size_label(n)}
            for i, n in enumerate(self.sizes)
            for f, a in zip(self.popularity, self.accuracy[i], strict=True)
        ]

    @property
    def truth(self) -> dict:
        return {
            "kind": "popularity-curves",
            "source": "mixphase.simulate.popularity_curves (Gu et al. 2025, SynBio power-law setup)",
            "columns": {
                "x": "popularity f_g: a fact's share of the knowledge set's fact draws",
                "y": f"accuracy of the group's {self.group_size} facts (simulated correctness)",
                "curve": "model size 'N=...'",
            },
            "parameters": {
                **assumptions(self.model),
                "ratio": self.ratio,
                "n_groups": int(self.popularity.size),
                "group_size": self.group_size,
                "popularity_exponent": self.exponent,
                "target": self.target,
                "n_fail": self.n_fail,
                "slip_rate": self.slip_rate,
                "guess_rate": self.guess_rate,
            },
            "seed": self.seed,
            "curves": [
                {
                    "curve": _size_label(n),
                    "model_size": float(n),
                    "predicted_threshold": float(pt),
                    "algorithm1_threshold": float(mt),
                    "groups_learned": float(lf.sum()),
                }
                for n, pt, mt, lf in zip(
                    self.sizes,
                    self.predicted_threshold,
                    self.measured_threshold,
                    self.learned_fraction,
                    strict=True,
                )
            ],
            "threshold_slope": {
                "theory_asymptotic": self.model.ratio_exponent(),
                "predicted": self.predicted_slope,
                "algorithm1": self.measured_slope,
            },
        }

    def to_dict(self) -> dict:
        return self.truth

    def __str__(self) -> str:
        lines = [
            f"Accuracy vs popularity ({self.popularity.size} groups x {self.group_size} facts, "
            f"popularity exponent {self.exponent:g}, ratio r={self.ratio:g})",
            f"  Algorithm 1: target accuracy {self.target:g}, n_fail {self.n_fail}",
            "",
            f"  {'model size':>12}  {'groups learned':>14}  {'predicted f_thr':>15}  "
            f"{'Algorithm 1':>11}",
        ]
        for c in self.truth["curves"]:
            lines.append(
                f"  {c['model_size']:>12.4g}  {c['groups_learned']:>14.3g}  "
                f"{c['predicted_threshold']:>15.4g}  {c['algorithm1_threshold']:>11.4g}"
            )
        ps, ms = self.predicted_slope, self.measured_slope
        fmt = lambda s: "n/a" if s is None else f"{s:.3f}"  # noqa: E731
        lines.append("")
        lines.append(
            f"  slope d ln f_thr / d ln N: predicted {fmt(ps)}, Algorithm 1 {fmt(ms)}, "
            f"theory -(alpha+1) = {self.model.ratio_exponent():.3f}"
        )
        return "\n".join(lines)

    def plot(self, ax=None, path=None):
        """Accuracy vs popularity (log x) per model size; dashed: Algorithm 1's threshold,
        dotted: predicted threshold. Returns the Axes."""
        import matplotlib.pyplot as plt

        own = ax is None
        if own:
            _fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
        for i, n in enumerate(self.sizes):
            color = f"C{i % 10}"
            ax.plot(self.popularity, self.accuracy[i], "o-", ms=2.5, lw=1, color=color,
                    label=_size_label(n))  # fmt: skip
            ax.axvline(self.measured_threshold[i], color=color, ls="--", lw=1)
            ax.axvline(self.predicted_threshold[i], color=color, ls=":", lw=1)
        ax.axhline(self.target, color="0.5", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlabel("popularity (share of knowledge-set draws per fact)")
        ax.set_ylabel("accuracy")
        ax.set_title("dashed: Algorithm 1 threshold, dotted: predicted", fontsize=9)
        ax.legend(fontsize=8, loc="upper left")
        if path is not None:
            _save(ax.figure, path)
            if own:
                plt.close(ax.figure)
        return ax


def popularity_curves(
    model: KnapsackModel | None = None,
    sizes=DEFAULT_POPULARITY_SIZES,
    ratio: float = 0.01,
    *,
    n_groups: int = 100,
    group_size: int = 100,
    exponent: float = 1.5,
    target: float = 0.8,
    n_fail: int = 5,
    slip_rate: float = 0.0,
    guess_rate: float = 0.0,
    seed: int = 0,
    method: str = "exact",
) -> PopularityCurves:
    """Simulate accuracy vs popularity (see module doc). ``model`` supplies the web law, bits per
    parameter, bits and tokens per fact; its ``n_facts`` is replaced by ``n_groups*group_size``."""
    model = KnapsackModel() if model is None else model
    sizes = _check_grid(sizes, "model sizes")
    if not 0 < ratio < 1:
        raise MixphaseInputError(f"ratio must lie strictly between 0 and 1, got {ratio!r}")
    for name, v in (("n_groups", n_groups), ("group_size", group_size)):
        if int(v) != v or v < 1:
            raise MixphaseInputError(f"{name} must be a positive integer, got {v!r}")
    if not np.isfinite(exponent) or exponent <= 0:
        raise MixphaseInputError(f"popularity exponent must be positive, got {exponent!r}")
    for name, v in (("slip_rate", slip_rate), ("guess_rate", guess_rate)):
        if not 0 <= v <= 1:
            raise MixphaseInputError(f"{name} must lie in [0, 1], got {v!r}")
    if method not in ("exact", "cvxpy"):
        raise MixphaseInputError(f"method must be 'exact' or 'cvxpy', got {method!r}")

    n_groups, group_size = int(n_groups), int(group_size)
    w = np.arange(1, n_groups + 1, dtype=float) ** (-float(exponent))
    w /= w.sum()
    pop = w / group_size
    k = model.knowledge
    groups = [
        KnowledgeGroup(bits=group_size * k.bits_per_fact,
                       value_per_bit=ratio * f / k.tokens_per_fact, name=f"group{g + 1}")
        for g, f in enumerate(pop)
    ]  # fmt: skip
    web = [_web_domain(model, ratio)]
    rng = np.random.default_rng(seed)
    fact_pop = np.repeat(pop, group_size)
    lf = np.empty((sizes.size, n_groups))
    acc = np.empty((sizes.size, n_groups))
    pred = np.empty(sizes.size)
    meas = np.empty(sizes.size)
    for i, n in enumerate(sizes):
        alloc = allocate(float(model.capacity(n)), groups, web, method=method)
        lf[i] = alloc.learned_fraction
        pred[i] = alloc.marginal_value * k.tokens_per_fact / ratio
        stored = rng.random(n_groups * group_size) < np.repeat(lf[i], group_size)
        p_right = np.where(stored, 1.0 - slip_rate, guess_rate)
        correct = (rng.random(p_right.size) < p_right).astype(float)
        acc[i] = correct.reshape(n_groups, group_size).mean(axis=1)
        meas[i] = threshold_popularity(fact_pop, correct, target=target, n_fail=n_fail)
    return PopularityCurves(
        model=model, sizes=sizes, ratio=float(ratio), popularity=pop, learned_fraction=lf,
        accuracy=acc, predicted_threshold=pred, measured_threshold=meas, group_size=group_size,
        exponent=float(exponent), target=float(target), n_fail=int(n_fail),
        slip_rate=float(slip_rate), guess_rate=float(guess_rate), seed=int(seed),
    )  # fmt: skip
