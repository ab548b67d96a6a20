"""What ``validate reproduce`` trains: a staged design, each stage planned from the ones before.

Stages (each planned only from the runs of the stages before it, so a restart re-plans exactly the
same runs and skips the finished ones):

1. **sweep**: every size x every ratio x ``seeds``, plus web-only runs (ratio 0) per size.
2. **refine**: per size, ``refine_seeds`` seeds at ``r_c x refine_factors`` (``r_c`` estimated from
   stage 1: the 0.5 crossing of the seed means, log-interpolated; half the lowest ratio if the
   first one is already >= 0.5, twice the highest if none is), so that every transition has >= 3
   seeds near it and transitions at the edge of the swept ratios are brought inside. The quick
   design adds 2 seeds at the two swept ratios around ``r_c`` instead.
3. **length** (the training-length block, item 6 of issue 14): at ``length_sizes`` sizes,
   ``steps x f`` for ``f`` in ``length_factors`` (1/3x and 3x) at ``r_c f^length_shift x
   length_ratio_factors`` (centred where ``r_c`` is expected to move: 3x longer training moved
   ``ln r_c`` by 0.12-0.49 on our sweeps), plus web-only runs at those steps (``M(N, T)``). With an engine that has a WSD schedule
   (``schedule`` field) the block runs WSD, 1x included, so that longer runs branch from a shared
   stable phase.
4. **controls** (claims 3-4): at the smallest and largest size (quick: the largest), ``r_0`` just
   below ``r_c`` (a refine ratio, so the base has its 3 seeds), plus a web-only run at ``factor``
   x steps (the mechanism's stored-bits growth): ``factor`` x steps, ``factor`` x ratio at the base steps (matched exposures),
   a ``trivial_facts``-fact web and an incompressible web (when the engine has one), each with
   ``control_seeds``.
5. **groups** (claim 6, full design): every size at ``group_ratio`` with power-law frequency groups.
6. **subsampling** (claim 7): at one size, ``r_0`` where the full set stays near zero, a grid of
   keep fractions around advise's (:mod:`mixphase.validate.subsampling`) and ``keep_for_80``, x
   ``subsample_seeds``; kept people are a subset of the original people when the engine can.

Engine options the training engine may or may not have (WSD, incompressible web) are looked up
in :data:`ENGINE_FIELDS`; an arm that needs a missing one is left out (the claims then say it was
not run).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass, field

import numpy as np

from mixphase import runs as R
from mixphase.validate.presets import get_preset
from mixphase.validate.train import RunConfig

#: Engine features -> the RunConfig field and value that ask for them.
ENGINE_FIELDS = {
    "schedule": ("schedule", "wsd"),  # warmup-stable-decay, longer runs branch from one trunk
    "incompressible": ("web_mode", "incompressible"),  # web values redrawn at every occurrence
}


def engine_option(feature: str) -> dict:
    """``{field: value}`` that asks the engine for ``feature``, or ``{}`` if it has none."""
    name, value = ENGINE_FIELDS[feature]
    return {name: value} if name in {f.name for f in dataclasses.fields(RunConfig)} else {}


@dataclass(frozen=True)
class Design:
    """What a reproduce run trains (``None``: the preset's value)."""

    preset: str
    d_models: tuple[int, ...] | None = None
    ratios: tuple[float, ...] | None = None
    seeds: tuple[int, ...] = (0,)
    refine: str = "around"  # "around": r_c x refine_factors; "bracket": the swept ratios around r_c
    refine_seeds: tuple[int, ...] = (0, 1, 2)
    refine_factors: tuple[float, ...] = (1 / 1.5, 1.0, 1.5)
    length: bool = True
    length_sizes: int = 3
    length_factors: tuple[float, ...] = (1 / 3, 3.0)
    length_ratio_factors: tuple[float, ...] = (0.5, 0.7, 1.0, 1.4, 2.0)
    length_shift: float = -0.3  # expected d ln r_c / d ln T: centres each length's ratios
    wsd: bool = True  # the block runs WSD (1x included) where the engine has it
    control_sizes: str = "ends"  # "ends": smallest and largest size; "largest": the largest only
    control_seeds: tuple[int, ...] = (0, 1, 2)
    trivial_seeds: tuple[int, ...] = (0, 1, 2)
    matched: bool = True  # the factor x ratio run at the base steps (reported, not judged)
    factor: int = 3
    trivial_facts: int = 10
    groups: bool = False
    n_groups: int = 100
    group_exponent: float = 1.5
    group_people: int = 200
    group_ratio: float = 0.2
    subsample: bool = True
    subsample_seeds: tuple[int, ...] = (0, 1)
    keep_factors: tuple[float, ...] = (0.5, 0.7, 1.0, 1.4, 2.0)
    overrides: dict = field(default_factory=dict)  # RunConfig fields (steps, device, ...)

    def to_dict(self) -> dict:
        return asdict(self)


#: The quick CPU design's budget in 2000-step run units: the ensemble trainer gains only ~1.15x on
#: 2 CPU cores (BENCHMARKS.md), a tiny run costs ~45-55 CPU s, so 25 minutes on 2 cores hold ~55.
#: Measured (2026-12-01, shared machine, load 4-6): 53 units in 1919 CPU s, 30 min 57 s wall.
QUICK_BUDGET = 55


def design_for(preset: str, quick: bool, seeds: int = 1, **overrides) -> Design:
    get_preset(preset)
    s = tuple(range(seeds))
    if quick:  # fits QUICK_BUDGET: every element of the full design, each at its smallest
        return Design(preset, seeds=s, refine="bracket", refine_seeds=(1, 2),
                      length_factors=(1 / 3,), control_sizes="largest", control_seeds=(0, 1),
                      trivial_seeds=(0,), matched=False, subsample_seeds=(0,),
                      keep_factors=(0.6, 1.0, 1.6), wsd=False, overrides=overrides)  # fmt: skip
    extra = (16, 24, 32, 48, 64, 96) if preset == "small" else None
    return Design(preset, d_models=extra, seeds=s, groups=True, subsample_seeds=(0, 1, 2),
                  overrides=overrides)  # fmt: skip


def cfg(d: Design, d_model: int, **kw) -> RunConfig:
    p = get_preset(d.preset)
    idx = next((i for i, s in enumerate(p.sizes) if s.d_model == d_model), 0)
    base = {"preset": d.preset, "size": idx, "d_model": d_model, **d.overrides, **kw}
    return RunConfig(**base).resolved()


def d_models(d: Design) -> list[int]:
    return list(d.d_models or [s.d_model for s in get_preset(d.preset).sizes])


def _round(r: float) -> float:
    return float(f"{min(max(r, 1e-4), 0.9):.3g}")


def rows_of(results: list[dict], cfgs: list[RunConfig]) -> list[dict]:
    keys = {c.key() for c in cfgs}
    return [r for r in results if r["key"] in keys]


def estimate_critical(rows: list[dict]) -> dict[int, float]:
    """``{d_model: r_c}`` for planning (module doc, stage 2)."""
    out = {}
    by: dict[int, dict[float, list[float]]] = {}
    for r in rows:
        if R.ratio_of(r) > 0:
            by.setdefault(r["d_model"], {}).setdefault(R.ratio_of(r), []).append(
                r["memorization_accuracy"]
            )
    for dm, pts in by.items():
        xs = sorted(pts)
        a = np.array([np.mean(pts[x]) for x in xs])
        if a[0] >= 0.5:
            out[dm] = xs[0] / 2
            continue
        up = np.flatnonzero(a >= 0.5)
        if not up.size:
            out[dm] = min(2 * xs[-1], 0.5)
            continue
        j = int(up[0])
        f = (0.5 - a[j - 1]) / (a[j] - a[j - 1])
        out[dm] = float(math.exp((1 - f) * math.log(xs[j - 1]) + f * math.log(xs[j])))
    return out


def plan_sweep(d: Design) -> list[RunConfig]:
    ratios = list(d.ratios or get_preset(d.preset).ratios)
    return [cfg(d, dm, ratio=r, seed=s) for r in [0.0, *ratios] for dm in d_models(d)
            for s in d.seeds]  # fmt: skip


def bracketing(rows: list[dict]) -> dict[int, tuple[float, float]]:
    """``{d_model: (r_lo, r_hi)}``: the swept ratios around the 0.5 crossing of the seed means."""
    by: dict[int, dict[float, list[float]]] = {}
    for r in rows:
        if R.ratio_of(r) > 0:
            by.setdefault(r["d_model"], {}).setdefault(R.ratio_of(r), []).append(
                r["memorization_accuracy"]
            )
    out = {}
    for dm, pts in by.items():
        xs = sorted(pts)
        up = [x for x in xs if np.mean(pts[x]) >= 0.5]
        if up and up[0] != xs[0]:
            out[dm] = (xs[xs.index(up[0]) - 1], up[0])
    return out


def plan_refine(d: Design, sweep_rows: list[dict]) -> list[RunConfig]:
    """Stage 2: seeds near each ``r_c`` (``refine="around"``: new ratios ``r_c x refine_factors``;
    ``"bracket"``: more seeds at the two swept ratios around it, or around the estimate where the
    transition sits at an edge of the sweep)."""
    rc = estimate_critical(sweep_rows)
    if d.refine == "bracket":
        br = bracketing(sweep_rows)
        pts = {dm: br.get(dm) or (_round(rc[dm] / 1.5), _round(rc[dm] * 1.5)) for dm in rc}
        return [cfg(d, dm, ratio=r, seed=s) for dm in d_models(d) if dm in pts
                for r in pts[dm] for s in d.refine_seeds]  # fmt: skip
    return [cfg(d, dm, ratio=_round(rc[dm] * f), seed=s) for dm in d_models(d) if dm in rc
            for f in d.refine_factors for s in d.refine_seeds]  # fmt: skip


def _spread(items: list, k: int) -> list:
    """``k`` items spread over the list (smallest, largest and evenly between)."""
    if len(items) <= k:
        return list(items)
    idx = np.unique(np.round(np.linspace(0, len(items) - 1, k)).astype(int))
    return [items[i] for i in idx]


def plan_length(d: Design, rows: list[dict]) -> list[RunConfig]:
    """Stage 3: the training-length block (and web-only runs at its step counts)."""
    if not d.length:
        return []
    rc = estimate_critical(rows)
    steps = cfg(d, d_models(d)[0], ratio=0.0).steps
    extra = engine_option("schedule") if d.wsd else {}
    factors = list(d.length_factors) + ([1.0] if extra else [])
    out = []
    for dm in _spread(sorted(rc), d.length_sizes):
        for f in factors:
            st = max(1, round(steps * f))
            out.append(cfg(d, dm, ratio=0.0, seed=0, steps=st, **extra))
            centre = rc[dm] * f**d.length_shift
            out += [cfg(d, dm, ratio=_round(centre * g), seed=0, steps=st, **extra)
                    for g in d.length_ratio_factors]  # fmt: skip
    return out


def control_ratio(dm: int, rc: dict, sweep_rows: list[dict], d: Design) -> float:
    """``r_0``: the refine ratio just below ``r_c`` (so the base runs have the refine seeds)."""
    if d.refine == "bracket":
        br = bracketing(sweep_rows).get(dm)
        return br[0] if br else _round(rc[dm] / 1.5)
    return _round(rc[dm] * min(d.refine_factors))


def plan_controls(d: Design, sweep_rows: list[dict]) -> list[RunConfig]:
    """Stage 4 from the sweep rows (stage 1): base, ``factor`` x steps, matched, trivial and
    incompressible webs at ``r_0``, and a web-only run at ``factor`` x steps (stored bits ``M``)."""
    rc = estimate_critical(sweep_rows)
    if not rc:
        return []
    inc = engine_option("incompressible")
    sizes = {max(rc)} if d.control_sizes == "largest" else {min(rc), max(rc)}
    out = []
    for dm in sorted(sizes):
        r0 = control_ratio(dm, rc, sweep_rows, d)
        steps = cfg(d, dm, ratio=r0).steps
        out.append(cfg(d, dm, ratio=0.0, seed=0, steps=d.factor * steps))
        for s in d.control_seeds:
            out.append(cfg(d, dm, ratio=r0, seed=s))  # the base (main configuration)
            out.append(cfg(d, dm, ratio=r0, seed=s, steps=d.factor * steps))
            if d.matched and d.factor * r0 < 1:
                out.append(cfg(d, dm, ratio=_round(d.factor * r0), seed=s))
            if inc:
                out.append(cfg(d, dm, ratio=r0, seed=s, **inc))
        out += [cfg(d, dm, ratio=r0, seed=s, web_facts=d.trivial_facts) for s in d.trivial_seeds]
    return out


def cost(runs: list[RunConfig], unit_steps: int) -> float:
    """Run units of a plan: steps / ``unit_steps`` summed over distinct runs (size ignored)."""
    return sum(c.steps for c in {c.key(): c for c in runs}.values()) / unit_steps


def plan_groups(d: Design) -> list[RunConfig]:
    if not d.groups:
        return []
    return [cfg(d, dm, ratio=d.group_ratio, seed=s, n_people=d.group_people,
                bio_groups=d.n_groups, group_exponent=d.group_exponent)
            for dm in d_models(d) for s in d.seeds]  # fmt: skip


def plan_subsample(d: Design, rows: list[dict]) -> tuple[list[RunConfig], str]:
    """Stage 6 from the sweep and refine rows: ``(runs, why_not)``."""
    if not d.subsample:
        return [], "not run in this design"
    from mixphase.validate import subsampling as S
    from mixphase.validate.scaling import web_law_evidence
    from mixphase.validate.transitions import transition_records

    recs = [t for t in transition_records(rows, scatter=0.0) if t.critical is not None]
    recs = [t for t in recs if t.config == R.main_config(rows)]
    if not recs:
        return [], "no size with a fitted transition"
    web = web_law_evidence(rows)
    t = recs[-1]  # the largest size whose transition the fit located
    dm = t.rows[0]["d_model"]
    r0 = _round(t.critical.median / 2.5)  # the full set stays near zero (a ramp of w ~0.2)
    model = S.anchored_model(rows, web, t.params, t.critical.median)
    if model is None:
        return [], "no power-law web fit (web-only runs at >= 3 sizes)"
    from mixphase.theory.strategies import best_keep_fraction

    k = int(t.rows[0]["n_people"])
    best = float(best_keep_fraction(model, t.params, r0))
    k80 = S.keep_for(model, t.params, r0, t.width.median)
    keeps = {best * f for f in d.keep_factors} | ({k80} if math.isfinite(k80) else set())
    people = sorted({min(k - 1, max(1, round(x * k))) for x in keeps})
    out = []
    for n in people:  # engine 2: the first n people of the set, a subset of the original ones
        out += [cfg(d, dm, ratio=r0, seed=s, n_people=n) for s in d.subsample_seeds]
    out += [cfg(d, dm, ratio=r0, seed=s) for s in d.subsample_seeds]  # the full set at r0
    return out, ""


__all__ = [
    "ENGINE_FIELDS",
    "Design",
    "cfg",
    "design_for",
    "engine_option",
    "estimate_critical",
    "plan_controls",
    "plan_groups",
    "plan_length",
    "plan_refine",
    "plan_subsample",
    "plan_sweep",
    "rows_of",
]  # fmt: skip
