"""``mixphase validate reproduce``: train the design's stages, then judge the paper's claims.

Everything trains through :func:`mixphase.validate.sweep.execute` (one ``DIR/results.jsonl``,
resumable) in the stages of :mod:`mixphase.validate.design`. Judging (:func:`judge`) reads only the
results: the main sweep, its controls and the other configurations are recognised from the runs
themselves (:mod:`mixphase.runs`), so ``--report-only`` judges any results file, including ones
from older designs. Verdict rules and margins: :mod:`mixphase.validate.verdicts`; the claims:
:mod:`.claims` (1-2), :mod:`.mechanism` (3-4 and the mechanism), :mod:`.scaling` (5-6),
:mod:`.subsampling` (7a-b); the per-(size, configuration) transition records that the predictions
read: :mod:`.transitions` (their form is documented there).

``report.json`` (schema ``mixphase.reproduce_report/2``): ``mechanism`` {verdict, reason,
numbers}, ``claims`` [{claim, verdict, numbers, summary}], ``transitions`` [transition records],
``training_length`` [per size ``d ln r_c / d ln T``], ``web_only`` [``M(N, T)`` records],
``web_law``, ``design_effect``, ``margins``, ``design``, ``runs``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from mixphase import runs as R
from mixphase.errors import MixphaseInputError
from mixphase.io import atomic_write
from mixphase.records import dumps
from mixphase.validate import verdicts as V
from mixphase.validate.backends import Backend
from mixphase.validate.design import (
    Design,
    design_for,
    plan_controls,
    plan_groups,
    plan_length,
    plan_refine,
    plan_subsample,
    plan_sweep,
    rows_of,
)
from mixphase.validate.sweep import RESULTS, execute, read_results
from mixphase.validate.train import RunConfig

SCHEMA = "mixphase.reproduce_report/2"


@dataclass
class Judged:
    """Everything :func:`judge` derives from a results file."""

    claims: list[V.Claim]
    mechanism: str
    mechanism_reason: str
    mechanism_numbers: dict
    transitions: list
    training_length: list[dict]
    web_only: list[dict]
    web_law: dict
    design_effect: dict


def judge(results: list[dict], *, seed: int = 0, why_not: dict | None = None,
          scatter: float | str = "fit") -> Judged:  # fmt: skip
    """All claims and the mechanism from the results alone (module doc)."""
    from mixphase.validate import claims as C
    from mixphase.validate import mechanism as M
    from mixphase.validate import scaling as S
    from mixphase.validate import subsampling as SUB
    from mixphase.validate import transitions as T

    why_not = why_not or {}
    records = T.transition_records(results, seed=seed, scatter=scatter)
    slopes = T.training_length(records)
    web = S.web_law_evidence(results, seed=seed)
    deff = T.design_effect(results)
    c1 = C.transition_in_ratio(records, results)
    c2 = C.transition_in_size(results, seed=seed, scatter=scatter)
    c3 = M.longer_training(results, slopes)
    c4 = M.capacity_freed(results)
    c5 = S.critical_ratio_power_law(records, results, web, seed=seed)
    grouped = [r for r in results if "bio_correct_by_person" in r and "person_exposures" in r
               and "groups=" in str(r.get("key", ""))]  # fmt: skip
    c6 = (S.threshold_frequency(grouped, web, seed=seed) if grouped else
          V.not_tested(C.CLAIM_IDS[5], why_not.get("groups", "no power-law frequency-group runs")))  # fmt: skip
    g = SUB.keep_grid(results)
    rec = None
    if g is not None:
        main = R.main_config(results)
        rec = next((t for t in records if t.config == main and t.size == g["size"]), None)
    c7 = SUB.subsampling(results, rec, web, deff["value"], seed=seed)
    if g is None and why_not.get("subsampling"):
        c7 = [V.not_tested(c.claim, why_not["subsampling"]) for c in c7]
    mech, why, mnums = M.mechanism(records, results, c3, c4)
    web_only = [T.web_only_record(r) for r in results if R.ratio_of(r) == 0]
    for s in slopes:
        s.pop("draws", None)
    return Judged([c1, c2, c3, c4, c5, c6, *c7], mech, why, mnums, records, slopes,
                  sorted(web_only, key=lambda w: (w["params"] or 0, w["steps"] or 0)),
                  web["numbers"], deff)  # fmt: skip


@dataclass
class ReproduceReport:
    judged: Judged
    runs: list[dict]
    design: dict
    wall_seconds: float = 0.0
    figures: list[str] = field(default_factory=list)

    @property
    def claims(self) -> list[V.Claim]:
        return self.judged.claims

    @property
    def mechanism(self) -> str:
        return self.judged.mechanism

    def to_dict(self) -> dict:
        j = self.judged
        return {"schema": SCHEMA,
                "mechanism": {"verdict": j.mechanism, "reason": j.mechanism_reason,
                              "numbers": j.mechanism_numbers},
                "claims": [c.to_dict() for c in j.claims],
                "transitions": [t.to_dict() for t in j.transitions],
                "training_length": j.training_length, "web_only": j.web_only,
                "web_law": j.web_law, "design_effect": j.design_effect,
                "margins": {k: m.to_dict() for k, m in V.MARGINS.items()},
                "design": self.design, "runs": self.runs,
                "wall_seconds_this_session": self.wall_seconds, "figures": self.figures}  # fmt: skip

    def __str__(self) -> str:
        lines = [f"mechanism: {self.mechanism} ({self.judged.mechanism_reason})"]
        lines += [str(c) for c in self.claims]
        return "\n".join(lines)

    def save(self, out: str | os.PathLike) -> None:
        from mixphase.validate.reproduce_report import markdown

        out = Path(out)
        with atomic_write(out / "report.json") as fh:
            json.dump(json.loads(dumps(self)), fh, indent=1)
        with atomic_write(out / "report.md") as fh:
            fh.write(markdown(self))


def _run_summary(r: dict) -> dict:
    keys = ("key", "size", "params", "ratio", "seed", "steps", "memorization_accuracy",
            "exposures_per_bio", "bits_per_param", "bits_stored", "web_facts_learned",
            "web_loss", "n_people", "schedule", "training_tokens", "marginal_web_fact_exposures",
            "seconds", "tokens_per_second", "mfu", "device")  # fmt: skip
    return {k: r[k] for k in keys if k in r}


def reproduce(out: str | os.PathLike, design: Design, *, jobs: int = 1,
              backend: str | Backend = "local",
              echo: Callable[[str], None] | None = None, train: bool = True,
              execution: dict | None = None) -> ReproduceReport:  # fmt: skip
    """Run (or reuse) every stage, judge the claims, write report.json, report.md, figures.

    ``execution``: options of :func:`mixphase.validate.sweep.execute` (``ensemble``, ...)."""
    t0 = time.perf_counter()
    out = Path(out)
    echo = echo or (lambda s: None)
    if not train and not read_results(out / RESULTS):
        raise MixphaseInputError(f"{out / RESULTS}: no results to judge (drop --report-only)")
    out.mkdir(parents=True, exist_ok=True)

    def stage(name: str, runs: list[RunConfig]) -> list[dict]:
        if not train or not runs:
            return read_results(out / RESULTS)
        uniq = list({c.key(): c for c in runs}.values())
        done0 = {r["key"] for r in read_results(out / RESULTS)}
        state = {"n": sum(c.key() in done0 for c in uniq)}
        start = time.perf_counter()

        def progress(msg: str) -> None:
            if msg.startswith("done "):
                state["n"] += 1
                n, total, w = state["n"], len(uniq), 24
                bar = "#" * round(w * n / total) + "-" * (w - round(w * n / total))
                echo(f"[{bar}] {n}/{total} {name} ({time.perf_counter() - start:.0f}s) " + msg[5:])
            elif "already done" in msg:
                echo(f"{name}: {msg}")

        return execute(uniq, out, jobs=jobs, backend=backend, echo=progress, **(execution or {}))

    why_not: dict = {}
    results = read_results(out / RESULTS)
    presets = {r.get("preset") for r in results} - {None}
    if not train and len(presets) == 1 and design.preset not in presets:
        design = replace(design, preset=presets.pop())  # the report names what was judged
    if train:
        s1 = plan_sweep(design)
        results = stage("sweep", s1)
        s2 = plan_refine(design, rows_of(results, s1))
        results = stage("refine", s2)
        base = rows_of(results, s1 + s2)
        s3 = plan_length(design, base)
        results = stage("length", s3)
        s4 = plan_controls(design, rows_of(results, s1))  # r_0 = a refine ratio
        results = stage("controls", s4)
        results = stage("groups", plan_groups(design))
        s6, why_not["subsampling"] = plan_subsample(design, base)
        results = stage("subsampling", s6)
        if not design.groups:
            why_not["groups"] = "not run in this design (needs the GPU-scale design)"
    judged = judge(results, why_not=why_not)
    rep = ReproduceReport(judged, [_run_summary(r) for r in results], design.to_dict(),
                          time.perf_counter() - t0)  # fmt: skip
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


__all__ = ["Design", "ReproduceReport", "check_design_args", "design_for", "judge", "reproduce"]
