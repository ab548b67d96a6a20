"""Benchmark: every valuation method against both retrained targets on a built-in task and seed.

Protocol (:mod:`mixphase.value.protocol`): the task is built with ``seed``; the targets are
retrained with their own seeds (:func:`~mixphase.value.targets.truth_seeds`), stand-alone on 2
and marginal on 3 of them (``--quick``: stand-alone on 1, no marginal target, no retraining
baselines, no removal curves). Methods and anchors use ``seed``. ``mixphase_anchors`` retrains 5
anchors; the scored contributors are the other ones, for **every** method. Each method's time is
its own (DAVINZ computes its own terms; K-NN Shapley uses the full test set) and is compared with
computing the target it claims once (one retrain per contributor for stand-alone; one pooled
plus one pooled-minus-one retrain per contributor for marginal).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mixphase.value import baselines as B
from mixphase.value.protocol import (
    CLAIMS,
    MG,
    SA,
    detection_auc,
    held_out_mask,
    scored_correlations,
    scored_targets,
)
from mixphase.value.tasks import load_task

METHODS = tuple(CLAIMS)
RETRAINING = ("tracin", "loo_retrain")
QUICK_METHODS = tuple(m for m in METHODS if m not in RETRAINING)
REMOVAL_METHODS = ("mixphase", "mixphase_marginal", "test_mass", "one_nn", "knn_shapley",
                   "tracin", "loo_retrain", "random")  # fmt: skip


@dataclass
class BenchmarkResult:
    task: str
    seed: int
    contributors: list[str]
    targets: dict  # name -> Target
    scores: dict[str, np.ndarray]
    seconds: dict[str, float]
    anchors: list[str]
    noisy: list[str]
    quick: bool
    removal: object | None = None
    extra: dict = field(default_factory=dict)

    @property
    def held_out(self) -> np.ndarray:
        return held_out_mask(self.contributors, self.anchors)

    def method_rows(self) -> dict[str, dict]:
        """Per method: held-out Pearson/Spearman against each target, claims, time, detection
        (computed once; a result is not changed after it is built)."""
        cached = self.extra.get("_rows")
        if cached is not None:
            return cached
        out = {}
        mask = self.held_out
        for m, s in self.scores.items():
            row = {"claims": list(CLAIMS.get(m, ())), "seconds": self.seconds[m]}
            for tname, target in self.targets.items():
                p, r = scored_correlations(s, target.values, mask, self.contributors,
                                           self.anchors)  # fmt: skip
                row[f"pearson_{tname}"], row[f"spearman_{tname}"] = p, r
                row[f"speedup_{tname}"] = target.seconds_one_seed / max(self.seconds[m], 1e-9)
            main = next((t for t in scored_targets(m) if t in self.targets), None)
            row["target"] = main
            row["pearson"] = row.get(f"pearson_{main}", float("nan"))
            row["spearman"] = row.get(f"spearman_{main}", float("nan"))
            row["noisy_detection_auc"] = detection_auc(s, self.contributors, self.noisy, mask)
            out[m] = row
        self.extra["_rows"] = out
        return out

    def to_dict(self) -> dict:
        mask = self.held_out
        scored = [c for c, k in zip(self.contributors, mask, strict=True) if k]
        sa = self.targets[SA]
        return {
            "task": self.task, "seed": self.seed, "quick": self.quick,
            "methods": self.method_rows(),
            "targets": {k: t.to_dict() for k, t in self.targets.items()},
            # figure 6 reads the stand-alone truth and the scores of the scored contributors
            "ground_truth": {"metric": "stand-alone value: test accuracy of the MLP retrained "
                                       "on the contributor alone (held-out contributors)",
                             "seconds": sa.seconds_one_seed,
                             "values": {c: float(v) for c, v, k in
                                        zip(self.contributors, sa.values, mask, strict=True) if k}},
            "anchors": self.anchors, "scored_contributors": scored, "noisy": self.noisy,
            "scores": {m: {c: float(v) for c, v, k in zip(self.contributors, s, mask, strict=True)
                           if k} for m, s in self.scores.items()},
            "removal": None if self.removal is None else self.removal.to_dict(),
            **{k: v for k, v in self.extra.items() if not k.startswith("_")},
        }  # fmt: skip

    def __str__(self) -> str:
        rows = self.method_rows()
        tg = list(self.targets)
        lines = [f"value benchmark: task {self.task}, seed {self.seed}, "
                 f"{int(self.held_out.sum())} held-out of {len(self.contributors)} contributors "
                 f"(anchors {', '.join(self.anchors) or 'none'})"]  # fmt: skip
        for k, t in self.targets.items():
            lines.append(f"target {k}: seeds {t.seeds}, one seed {t.seconds_one_seed:.1f} s, "
                         f"seed-to-seed Pearson {t.reliability:.3f}")  # fmt: skip
        head = (
            f"{'method':<20} {'claims':<12} "
            + " ".join(f"{'P/S ' + t[:8]:>15}" for t in tg)
            + f" {'seconds':>8} {'noisyAUC':>8}"
        )
        lines.append(head)
        for m, r in rows.items():
            cells = " ".join(f"{r[f'pearson_{t}']:>7.3f}/{r[f'spearman_{t}']:<7.3f}" for t in tg)
            lines.append(f"{m:<20} {','.join(r['claims']) or '-':<12} {cells} "
                         f"{r['seconds']:>8.2f} {r['noisy_detection_auc']:>8.2f}")  # fmt: skip
        if self.removal is not None:
            summ = self.removal.summary()
            lines.append(
                "removal (high_drop / low_gain, larger is better): "
                + ", ".join(
                    f"{m} {v['high_drop']:+.3f}/{v['low_gain']:+.3f}" for m, v in summ.items()
                )
            )
        return "\n".join(lines)


def _method_runners(data, seed: int, n_anchors: int) -> tuple[dict, dict]:
    """Functions returning ``(scores, seconds)``; mixphase's pieces are timed separately."""
    from mixphase.value.heuristics import heuristic_scores
    from mixphase.value.marginal import memoriser_marginal
    from mixphase.value.score import (
        BOUND_TERMS,
        TERMS,
        anchored_weights,
        value_table,
    )
    from mixphase.value.targets import stand_alone_values
    from mixphase.value.weights import choose_anchors

    cache: dict = {}

    def timed(fn):
        t0 = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - t0

    def zero():
        if "zero" not in cache:
            cache["zero"] = timed(lambda: value_table(data, seed=seed))
        tab, s = cache["zero"]
        return tab.zero_anchor, s

    def full_table():
        if "full" not in cache:
            cache["full"] = timed(lambda: value_table(data, bound_terms=True, seed=seed))
        return cache["full"]

    def anchored():
        tab, s_terms = full_table()
        idx = choose_anchors(tab.zero_anchor, n_anchors)
        anchors = [tab.names[i] for i in idx]
        truth, s_anchor = timed(lambda: stand_alone_values(data, seed, anchors))
        w = anchored_weights(tab, idx, truth)
        cache["anchors"] = anchors
        cache["anchor_seconds"] = s_anchor + w.seconds
        vals = w.intercept - np.nan_to_num(tab.terms) @ w.coef
        return vals, s_terms + s_anchor + w.seconds

    def bound():
        tab, s = full_table()
        cols = [TERMS.index(t) for t in (*BOUND_TERMS, "truncation")]
        return 1.0 - tab.terms[:, cols].sum(axis=1), s

    def heuristic(name):
        def run():
            if "heur" not in cache:
                cache["heur"] = heuristic_scores(data, seed)
            sc, secs = cache["heur"]
            return sc[name], secs[name]

        return run

    runners: dict[str, Callable] = {
        "mixphase": zero,
        "mixphase_anchors": anchored,
        "mixphase_marginal": lambda: timed(lambda: memoriser_marginal(data)),
        "mixphase_bound": bound,
        "one_nn": lambda: timed(lambda: B.one_nn(data)),
        "knn_utility": lambda: timed(lambda: B.knn_utility(data)),
        "davinz": lambda: timed(lambda: B.davinz(data, seed=seed)),
        "knn_shapley": lambda: timed(lambda: B.knn_shapley(data, seed=seed)),
        "tracin": lambda: timed(lambda: B.tracin(data, seed=seed)),
        "loo_retrain": lambda: timed(lambda: B.loo_retrain(data, seed=seed)),
        "random": lambda: timed(lambda: B.random_scores(data, seed)),
    }
    for h in ("size", "distinct_items", "distinct_labels", "test_mass", "neg_mmd"):
        runners[h] = heuristic(h)
    return runners, cache


def run_benchmark(task: str, seed: int = 0, n_anchors: int = 5,
                  methods: tuple[str, ...] = METHODS, quick: bool = False,
                  repeats: tuple[int, int] | None = None, removal: bool | None = None,
                  tick: Callable[[str], None] | None = None) -> BenchmarkResult:  # fmt: skip
    """Run the protocol on one task and seed (module docstring). Unknown method names are
    ignored; ``repeats`` = (stand-alone seeds, marginal seeds); ``removal`` defaults to not
    ``quick``. ``tick(label)`` is called after each expensive step (progress)."""
    from mixphase.value.removal import removal_curves
    from mixphase.value.targets import compute_target

    data = load_task(task, seed)
    names = data.contributors
    if repeats is None:
        repeats = (1, 0) if quick else (2, 3)
    removal = (not quick) if removal is None else removal
    wanted = [m for m in METHODS if m in methods and not (quick and m in RETRAINING)]
    note = tick or (lambda _label: None)

    targets = {SA: compute_target(data, SA, seed, repeats[0])}
    note("stand-alone target")
    if repeats[1] > 0:
        targets[MG] = compute_target(data, MG, seed, repeats[1])
        note("marginal target")

    runners, cache = _method_runners(data, seed, n_anchors)
    scores, secs = {}, {}
    if "mixphase_anchors" not in wanted and len(names) > n_anchors + 3:
        wanted = ["mixphase_anchors", *wanted]  # the anchors define the held-out set
    for m in wanted:
        scores[m], secs[m] = runners[m]()
    anchors = cache.get("anchors", [])
    if "mixphase_anchors" not in methods:
        scores.pop("mixphase_anchors", None)
        secs.pop("mixphase_anchors", None)
    note("methods")

    curves = None
    if removal:
        seed_r = targets[SA].seeds[0]
        curves = removal_curves(data, {m: scores[m] for m in REMOVAL_METHODS if m in scores},
                                seed_r)  # fmt: skip
        note("removal curves")
    mask = held_out_mask(names, anchors)
    truth_auc = {k: detection_auc(t.values, names, data.meta.get("noisy", []), mask)
                 for k, t in targets.items()}  # fmt: skip
    extra = {"anchor_seconds": cache.get("anchor_seconds"),
             "truth_noisy_detection_auc": truth_auc,
             "contributor_kinds": data.meta.get("kind", {})}  # fmt: skip
    if "known_value" in data.meta:
        extra["known_value"] = data.meta["known_value"]
    return BenchmarkResult(task, seed, names, targets, scores, secs, anchors,
                           data.meta.get("noisy", []), quick, curves, extra)  # fmt: skip
