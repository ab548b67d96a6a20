"""``mixphase validate reproduce``: run the sweeps and controls the paper's claims need, then judge.

Everything trains through :func:`mixphase.validate.sweep.execute` (one ``DIR/results.jsonl``,
resumable: a killed run loses only the runs in flight) and is judged by
:mod:`mixphase.validate.claims` (thresholds documented there). Stages, each planned from the
results of the previous ones, so a restart re-plans the same runs and skips the finished ones:

1. **sweep**: every size x every ratio (+ web-only runs, ratio 0, for alpha), ``seeds`` seeds.
2. **controls** (claims 3-4): for the smallest size and the largest size that has one, at the
   highest swept ratio whose accuracy stayed below 0.5: ``factor`` x steps (same ratio); ``factor`` x the ratio at
   the base steps (the same expected exposures per biography as the longer run); a trivial web
   of ``trivial_facts`` facts. Base, matched and trivial runs for every ``control_seeds``.
3. **groups** (claim 6, full runs): every size at ``group_ratio`` with ``group_people`` people in
   ``n_groups`` power-law frequency groups (exponent ``group_exponent``; the paper: 100, 1.5).
4. **subsampling** (claim 7): at one size with a located transition and a ratio below it,
   :mod:`mixphase.advise` (the knapsack model with the measured alpha, anchored at the measured
   critical ratio) gives the best keep fraction and ``collapse_at``; keeping that many people,
   and keeping more than ``collapse_at``, are trained.

``quick`` (CPU, 2 cores, < 25 min): the ``tiny`` preset's sweep, controls with 2 seeds,
subsampling with one seed; no frequency groups. Full (``small`` preset, one GPU): sizes d16-d96
(6.6k-130k parameters, 20x), controls, frequency groups, subsampling.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.validate import claims as C
from mixphase.validate.backends import Backend
from mixphase.validate.presets import get_preset
from mixphase.validate.sweep import RESULTS, execute, read_results
from mixphase.validate.train import RunConfig


@dataclass(frozen=True)
class Design:
    """What a reproduce run trains (``None``: the preset's value)."""

    preset: str
    d_models: tuple[int, ...] | None = None
    ratios: tuple[float, ...] | None = None
    seeds: tuple[int, ...] = (0,)
    control_seeds: tuple[int, ...] = (0, 1)
    factor: int = 3
    trivial_facts: int = 10
    groups: bool = False
    n_groups: int = 100
    group_exponent: float = 1.5
    group_people: int = 200
    group_ratio: float = 0.2
    subsample: bool = True
    subsample_seeds: tuple[int, ...] = (0,)
    overrides: dict = field(default_factory=dict)  # RunConfig fields (steps, device, ...)

    def to_dict(self) -> dict:
        return asdict(self)


def design_for(preset: str, quick: bool, seeds: int = 1, **overrides) -> Design:
    get_preset(preset)
    s = tuple(range(seeds))
    if quick:
        return Design(preset, seeds=s, overrides=overrides)
    extra = (16, 24, 32, 48, 64, 96) if preset == "small" else None
    return Design(preset, d_models=extra, seeds=s, groups=True, control_seeds=(0, 1),
                  subsample_seeds=(0, 1), overrides=overrides)  # fmt: skip


def _cfg(d: Design, d_model: int, **kw) -> RunConfig:
    p = get_preset(d.preset)
    idx = next((i for i, s in enumerate(p.sizes) if s.d_model == d_model), 0)
    base = {"preset": d.preset, "size": idx, "d_model": d_model, **d.overrides, **kw}
    return RunConfig(**base).resolved()


def _d_models(d: Design) -> list[int]:
    return list(d.d_models or [s.d_model for s in get_preset(d.preset).sizes])


def plan_sweep(d: Design) -> list[RunConfig]:
    ratios = list(d.ratios or get_preset(d.preset).ratios)
    return [_cfg(d, dm, ratio=r, seed=s) for r in [0.0, *ratios] for dm in _d_models(d)
            for s in d.seeds]  # fmt: skip


def _rows(results: list[dict], cfgs: list[RunConfig]) -> list[dict]:
    keys = {c.key() for c in cfgs}
    return [r for r in results if r["key"] in keys]


def plan_controls(d: Design, results: list[dict]) -> tuple[list[RunConfig], list[dict]]:
    """Control runs and their roles: ``[{size, d_model, ratio, base, longer, matched, trivial}]``."""
    sweep = _rows(results, plan_sweep(d))
    below_at: dict[int, float] = {}
    for dm in _d_models(d):
        by_r: dict[float, list[dict]] = {}
        for r in sweep:
            if r["d_model"] == dm and r["ratio"] > 0:
                by_r.setdefault(r["ratio"], []).append(r)
        below = [x for x, v in by_r.items() if C._acc(v) < C.BELOW and d.factor * x <= 1]
        if below:
            below_at[dm] = max(below)
    # the smallest size, and the largest one that has a swept ratio below its transition
    roles, runs = [], []
    for dm in sorted({min(below_at), max(below_at)} if below_at else ()):
        r0 = below_at[dm]
        role = {
            "d_model": dm,
            "ratio": r0,
            "base": [_cfg(d, dm, ratio=r0, seed=s) for s in d.control_seeds],
            "longer": [
                _cfg(
                    d,
                    dm,
                    ratio=r0,
                    seed=d.control_seeds[0],
                    steps=d.factor * _cfg(d, dm, ratio=r0).steps,
                )
            ],
            "matched": [_cfg(d, dm, ratio=d.factor * r0, seed=s) for s in d.control_seeds],
            "trivial": [
                _cfg(d, dm, ratio=r0, seed=s, web_facts=d.trivial_facts) for s in d.control_seeds
            ],
        }
        roles.append(role)
        for k in ("base", "longer", "matched", "trivial"):
            runs += role[k]
    return runs, roles


def plan_groups(d: Design) -> list[RunConfig]:
    if not d.groups:
        return []
    return [_cfg(d, dm, ratio=d.group_ratio, seed=s, n_people=d.group_people,
                 bio_groups=d.n_groups, group_exponent=d.group_exponent)
            for dm in _d_models(d) for s in d.seeds]  # fmt: skip


def plan_subsample(d: Design, results: list[dict]) -> tuple[list[RunConfig], list[dict], str]:
    """Claim 7 runs from advise's keep fractions; ``(runs, tests, why_not)``."""
    if not d.subsample:
        return [], [], "not run in this design"
    from mixphase.validate.report import compare

    sweep = _rows(results, plan_sweep(d))
    rep = compare(sweep)
    if rep.alpha is None:
        return [], [], "alpha not measured (no web-only runs)"
    located = [t for t in rep.transitions if t.critical is not None and t.in_range
               and t.method == "fit_transition"]  # fmt: skip
    if not located:
        return [], [], "no size with a fitted transition inside the swept ratios"
    t = located[-1]  # the largest size whose transition the fit located
    pairs = list(zip(t.ratios, t.accuracy, strict=True))
    below = [r for r, a in pairs if a < C.NEAR_ZERO] or [r for r, a in pairs if a < C.BELOW]
    below = [r for r in below if r < t.critical.median]
    if not below:
        return [], [], f"{t.size}: no swept ratio below the transition"
    r0 = max(below)  # the highest ratio where accuracy is near zero (else below 0.5)
    dm = next(r["d_model"] for r in sweep if r["size"] == t.size)
    k = d.overrides.get("n_people") or get_preset(d.preset).bio.n_people
    best, collapse = advise_keep(sweep, rep.alpha.median, t.params, t.critical.median, r0, d)
    k_best = max(1, math.floor(best * k))
    k_above = min(k, max(math.floor(min(1.0, 1.5 * collapse) * k), math.floor(collapse * k) + 1))
    runs_best = [_cfg(d, dm, ratio=r0, seed=s, n_people=k_best if k_best < k else None)
                 for s in d.subsample_seeds]  # fmt: skip
    runs_above = [_cfg(d, dm, ratio=r0, seed=s, n_people=k_above if k_above < k else None)
                  for s in d.subsample_seeds]  # fmt: skip
    test = {"size": t.size, "params": t.params, "ratio": r0, "critical_ratio": t.critical.median,
            "best_keep": best, "collapse_at": collapse, "n_people": k, "best": runs_best,
            "above": runs_above}  # fmt: skip
    return runs_best + runs_above, [test], ""


def advise_keep(sweep: list[dict], alpha: float, params: int, r_c: float, ratio: float,
                d: Design) -> tuple[float, float]:  # fmt: skip
    """Best keep fraction and ``collapse_at`` from :mod:`mixphase.theory.strategies`.

    The knapsack model: web law ``L = A N^-alpha`` (A from the web-only runs, per training token:
    value-token loss x value tokens per web token), the biographies as the knowledge set (K people,
    H bits, one document each), anchored (:func:`mixphase.advise.anchor`) so that its onset is the
    measured critical ratio (the 50% point; an approximation: the onset is a little lower).
    """
    from mixphase.advise import anchor
    from mixphase.fit import fit_power_law
    from mixphase.theory.knapsack import KnapsackModel, KnowledgeSet
    from mixphase.theory.strategies import best_keep_fraction, collapse_keep_fraction
    from mixphase.theory.web_law import WebLaw

    web = sorted((r["params"], r["web_loss"]) for r in sweep if r["ratio"] == 0)
    n, w = (np.asarray(v, float) for v in zip(*web, strict=True))
    desc = next(r["data"] for r in sweep)
    ws = desc["web"]
    per_token = ws["value_len"] * ws["facts_per_doc"] / desc["doc_len"]
    a = float(np.exp(np.mean(np.log(w * per_token) + alpha * np.log(n))))
    if len(n) >= 3:
        pl = fit_power_law(n, w * per_token)
        a = float(pl.prefactor.median)
    bio = desc["bio"]
    model = KnapsackModel(
        web=WebLaw(E=0.0, A=a, alpha=alpha, size_unit=1.0),
        knowledge=KnowledgeSet(
            n_facts=bio["n_people"],
            bits_per_fact=bio["bits_per_bio"],
            tokens_per_fact=desc["doc_len"],
        ),
    )
    cal = anchor(model, params, r_c).median_model(model)
    return float(best_keep_fraction(cal, params, ratio)), float(
        collapse_keep_fraction(cal, params, ratio)
    )


# ---------------------------------------------------------------------------------------------


@dataclass
class ReproduceReport:
    mechanism: str
    mechanism_reason: str
    claims: list[C.Claim]
    runs: list[dict]
    design: dict
    wall_seconds: float = 0.0
    figures: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"mechanism": self.mechanism, "mechanism_reason": self.mechanism_reason,
                "claims": [c.to_dict() for c in self.claims], "runs": self.runs,
                "design": self.design, "wall_seconds_this_session": self.wall_seconds,
                "figures": self.figures}  # fmt: skip

    def __str__(self) -> str:
        lines = [f"mechanism: {self.mechanism} ({self.mechanism_reason})"]
        lines += [str(c) for c in self.claims]
        return "\n".join(lines)

    def markdown(self) -> str:
        fig = {"transition_in_ratio": "fig_ratio.png", "transition_in_size": "fig_size.png",
               "longer_training_does_not_help": "fig_controls.png",
               "capacity_freed_by_easy_web": "fig_controls.png",
               "critical_ratio_power_law": "fig_scaling.png",
               "threshold_frequency_power_law": "fig_scaling.png",
               "subsampling": "fig_controls.png"}  # fmt: skip
        out = ["# Reproducing the knapsack paper's claims (`mixphase validate reproduce`)", "",
               f"Preset `{self.design['preset']}`; {len(self.runs)} runs; wall time of this "
               f"invocation {self.wall_seconds:.0f} s (with `--report-only` nothing is trained). Thresholds: "
               "`mixphase.validate.claims`.", "",
               f"**Mechanism: {self.mechanism}** — {self.mechanism_reason}.", "",
               "| claim | verdict |", "|---|---|"]  # fmt: skip
        out += [f"| `{c.claim}` | **{c.verdict}** |" for c in self.claims]
        for c in self.claims:
            out += ["", f"## `{c.claim}`: {c.verdict}", "", c.summary, ""]
            if c.verdict != C.NOT_TESTED and fig[c.claim] in self.figures:
                out.append(f"![{c.claim}]({fig[c.claim]})")
                out.append("")
            out.append("<details><summary>numbers</summary>\n\n```json\n"
                       + json.dumps(json.loads(dumps(c.numbers)), indent=1)[:6000]
                       + "\n```\n</details>")  # fmt: skip
        out += ["", "## Every run: exposures per biography and bits stored per parameter", "",
                "| run | params | ratio | steps | accuracy | exposures/bio | web facts | "
                "bits/param |", "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
        for r in sorted(self.runs, key=lambda r: r["key"]):
            out.append(f"| `{r['key']}` | {r['params']} | {r['ratio']:g} | {r['steps']} | "
                       f"{r['memorization_accuracy']:.3f} | {r['exposures_per_bio']:.0f} | "
                       f"{r.get('web_facts_learned', float('nan')):.0f} | "
                       f"{r['bits_per_param']:.3f} |")  # fmt: skip
        return "\n".join(out) + "\n"

    def save(self, out: str | os.PathLike) -> None:
        out = Path(out)
        with atomic_write(out / "report.json") as fh:
            json.dump(json.loads(dumps(self)), fh, indent=1)
        with atomic_write(out / "report.md") as fh:
            fh.write(self.markdown())


def _run_summary(r: dict) -> dict:
    keys = ("key", "size", "params", "ratio", "seed", "steps", "memorization_accuracy",
            "exposures_per_bio", "bits_per_param", "bits_stored", "web_facts_learned",
            "web_loss", "n_people", "seconds", "tokens_per_second", "mfu", "device")  # fmt: skip
    return {k: r[k] for k in keys if k in r}


def judge(d: Design, results: list[dict], roles: list[dict], tests: list[dict],
          why_not_7: str = "") -> tuple[list[C.Claim], str, str]:  # fmt: skip
    """All claims and the mechanism from the results and the planned roles."""
    by_key = {r["key"]: r for r in results}
    sweep = _rows(results, plan_sweep(d))

    def rows(cfgs):
        return [by_key[c.key()] for c in cfgs if c.key() in by_key]

    main = [r for r in sweep]
    controls = []
    for role in roles:
        base = rows(role["base"])
        if not base:
            continue
        controls.append(C.ControlSet(base[0]["size"], base[0]["params"], role["ratio"], base,
                                     rows(role["longer"]), rows(role["matched"]),
                                     rows(role["trivial"]), d.factor))  # fmt: skip
    c1, c2 = C.transition_in_ratio(main), C.transition_in_size(main)
    c3, c4 = C.longer_training(controls), C.capacity_freed(controls)
    c5 = C.critical_ratio_power_law(main)
    if d.groups:
        from mixphase.validate.report import compare

        alpha = compare(main).alpha
        c6 = C.threshold_frequency(rows(plan_groups(d)), alpha)
    else:
        c6 = C.not_tested(C.CLAIM_IDS[5], "not run in --quick (needs the GPU-scale design with "
                          "power-law frequency groups)")  # fmt: skip
    sub = [C.SubsampleTest(t["size"], t["params"], t["ratio"], t["critical_ratio"],
                           t["best_keep"], t["collapse_at"], t["n_people"], rows(t["best"]),
                           rows(t["above"])) for t in tests]  # fmt: skip
    c7 = C.subsampling(sub, why_not_7)
    mech, why = C.mechanism(c3, c4, controls)
    return [c1, c2, c3, c4, c5, c6, c7], mech, why


def reproduce(out: str | os.PathLike, design: Design, *, jobs: int = 1, backend: str | Backend = "local",
              echo: Callable[[str], None] | None = None, train: bool = True,
              execution: dict | None = None) -> ReproduceReport:  # fmt: skip
    """Run (or reuse) every stage, judge the claims, write report.json, report.md, figures.

    ``execution``: options of :func:`mixphase.validate.sweep.execute` (``ensemble``, ...)."""
    t0 = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    echo = echo or (lambda s: None)
    if not train and not read_results(out / RESULTS):
        raise MixphaseInputError(f"{out / RESULTS}: no results to judge (drop --report-only)")

    def stage(name: str, runs: list[RunConfig]) -> list[dict]:
        if not train or not runs:
            return read_results(out / RESULTS)
        done0 = {r["key"] for r in read_results(out / RESULTS)}
        total = len({c.key() for c in runs})
        state = {"n": sum(c.key() in done0 for c in {c.key(): c for c in runs}.values())}
        start = time.perf_counter()

        def progress(msg: str) -> None:
            if msg.startswith("done "):
                state["n"] += 1
                n, w = state["n"], 24
                bar = "#" * round(w * n / total) + "-" * (w - round(w * n / total))
                echo(f"[{bar}] {n}/{total} {name} ({time.perf_counter() - start:.0f}s) "
                     + msg[5:])  # fmt: skip
            elif "already done" in msg:
                echo(f"{name}: {msg}")

        uniq = list({c.key(): c for c in runs}.values())
        return execute(uniq, out, jobs=jobs, backend=backend, echo=progress, **(execution or {}))

    results = stage("sweep", plan_sweep(design))
    ctl, roles = plan_controls(design, results)
    results = stage("controls", ctl)
    results = stage("groups", plan_groups(design))
    sub, tests, why7 = plan_subsample(design, results)
    results = stage("subsampling", sub)
    claims, mech, why = judge(design, results, roles, tests, why7)
    rep = ReproduceReport(mech, why, claims, [_run_summary(r) for r in results],
                          design.to_dict(), time.perf_counter() - t0)  # fmt: skip
    try:
        from mixphase.validate.reproduce_plots import figures

        rep.figures = figures(rep, out)
    except Exception as exc:  # a figure is a bonus; never lose the report over it
        echo(f"figures not written: {exc}")
    rep.save(out)
    return rep


def check_design_args(jobs: int, seeds: int) -> None:
    if jobs < 1:
        raise MixphaseInputError(f"--jobs must be at least 1, got {jobs}")
    if seeds < 1:
        raise MixphaseInputError(f"--seeds must be at least 1, got {seeds}")


__all__ = ["Design", "ReproduceReport", "design_for", "judge", "reproduce"]
