"""Per-(size, configuration) transition records: the data that claims and predictions read.

For every model size of every configuration with a ratio sweep (at least 3 ratios and 4 runs), the
critical ratio ``r_c`` (the 50% point of the fitted sigmoid in ``ln r``) with a 90% interval that
carries the seed scatter, the ramp width, exposures per fact at ``r_c``, stored bits and bits per
parameter. All sweeps of one results file are fitted together (:func:`mixphase.fit.scatter.
fit_transitions`): one seed scatter ``tau`` (sd of ``ln r_c`` between runs that differ only in
their seeds), fitted from every curve at once, and one design effect (answers per independent
unit; :func:`design_effect`). Every run is its own point (seeds are not pooled into one count).

**The record** (``report.json["transitions"]``, schema :data:`SCHEMA`; one JSON object each):

- ``config`` (configuration id, :func:`mixphase.runs.config_id`), ``size``, ``params``, ``steps``,
  ``schedule`` (``"cosine"`` unless the runs say otherwise), ``training_tokens`` (per run),
  ``n_people`` (= ``facts``: one biography is one fact of the knowledge set), ``bits_per_fact``
  (bits of one biography), ``tokens_per_fact`` (tokens of one biography document), ``n_runs``,
  ``seeds`` (the replicate seeds present);
- ``critical_ratio``, ``width_ln_ratio``, ``floor``, ``ceiling``: ``{median, lower, upper}`` (90%)
  or ``null``; ``method``: ``"fit"`` or ``"none"`` with ``reason``;
- ``scatter_ln_ratio`` (the pooled ``tau``), ``design_effect``;
- ``exposures_per_fact_at_critical``: expected exposures of one biography at ``r_c`` (exposures
  are proportional to ``r`` at fixed steps), ``{median, lower, upper}``;
- ``marginal_web_fact_exposures``, ``marginal_web_rank``: means over the runs (if the runs record
  them: the rank where web accuracy falls below 1/2 and its expected occurrences), else ``null``;
- ``stored_bits``: ``{total, web, bio}`` means over the runs, ``stored_bits_spread``: the largest
  relative deviation of a ratio's mean total from the mean over ratios (the knapsack's
  conservation); ``bits_per_param``: mean;
- ``web_only``: the same configuration and size at ratio 0 (``stored_bits_web``, ``web_loss``,
  ``web_facts_learned``) or ``null``;
- ``points``: ``[{ratio, seeds, accuracy (mean), accuracies}]``.

``report.json["training_length"]``: per size, ``d ln r_c / d ln T`` across configurations that
differ only in ``steps`` (draws of each ``r_c``; least squares per draw). ``report.json
["web_only"]``: stored web bits ``M(N, T)``, web loss, bits per parameter and the marginal web
fact's rank and exposures of every ratio-0 run (:func:`web_only_record`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mixphase import runs as R
from mixphase.records import Estimate

SCHEMA = "mixphase.transition_record/1"
#: Fewest runs and distinct ratios a curve needs to be fitted.
MIN_RUNS, MIN_RATIOS = 4, 3


def stored_bits(row: dict) -> dict[str, float]:
    """``{total, web, bio}`` bits stored by a run (exact-match counting).

    Uses the run's own ``bits_stored_web`` / ``bits_stored_bio`` when present (engine 2); else web
    facts learned x bits per web fact, and bio accuracy x people x bits per biography.
    """
    web = row.get("bits_stored_web", row.get("stored_bits_web"))
    if web is None:
        web = float(row.get("web_facts_learned", 0.0) or 0.0) * float(
            row.get("bits_per_web_fact", 0.0) or 0.0
        )
    bio = row.get("bits_stored_bio", row.get("stored_bits_bio"))
    if bio is None:
        bio = (
            float(row.get("memorization_accuracy", 0.0))
            * float(row.get("n_people", 0))
            * float(row.get("bits_per_bio", 0.0))
        )
    return {"total": float(web) + float(bio), "web": float(web), "bio": float(bio)}


def training_tokens(row: dict) -> float | None:
    v = row.get("training_tokens", row.get("tokens"))
    return None if v is None else float(v)


def schedule(row: dict) -> str:
    return str(row.get("schedule") or "cosine")


def tokens_per_fact(row: dict) -> int | None:
    """Tokens of one biography document (the data description's ``doc_len``)."""
    data = row.get("data")
    v = data.get("doc_len") if isinstance(data, dict) else None
    return None if v is None else int(v)


def _mean_of(rows: list[dict], name: str) -> float | None:
    vals = [float(r[name]) for r in rows if r.get(name) is not None]
    return float(np.mean(vals)) if vals else None


def n_attributes(row: dict) -> int:
    """Scored answers per person: attributes x templates (engine 2), else attributes."""
    if row.get("bio_prompts_per_person"):
        return int(row["bio_prompts_per_person"])
    if row.get("n_attributes"):
        return int(row["n_attributes"])
    per = row.get("per_attribute")
    if isinstance(per, dict) and per:
        return len(per)
    n = row.get("n_people")
    return round(row["bio_total"] / n) if n else 1


def design_effect(rows: list[dict]) -> dict:
    """Answers per independent unit, ``1 + (m - 1) icc`` (Kish), and where it came from.

    ``icc`` (intra-person correlation of a person's ``m`` answers) is estimated by moments from
    runs that record per-person correctness (``bio_correct_by_person``) without frequency groups
    (whose unequal exposures would inflate it), using runs with accuracy in (0.05, 0.95):
    ``icc = (sum var_obs - sum var_bin) / ((m - 1) sum var_bin)``. Without such runs every person
    counts as one unit (``m``): conservative (our grouped runs gave icc 0.02-0.27).
    """
    obs = vb = 0.0
    used, m = 0, None
    for r in rows:
        c = r.get("bio_correct_by_person")
        if not c or (r.get("person_exposures") is not None and "groups=" in str(r.get("key", ""))):
            continue
        c = np.asarray(c, float)
        m = n_attributes(r)
        p = c.mean() / m
        if not 0.05 < p < 0.95 or c.size < 5:
            continue
        obs += float(c.var(ddof=1))
        vb += m * p * (1 - p)
        used += 1
    if used and m and m > 1 and vb > 0:
        icc = min(max((obs - vb) / ((m - 1) * vb), 0.0), 1.0)
        return {"value": 1 + (m - 1) * icc, "icc": icc, "source": f"per-person correctness of "
                f"{used} runs"}  # fmt: skip
    m = max((n_attributes(r) for r in rows), default=1) if rows else 1
    return {"value": float(m), "icc": None, "source": "no per-person correctness recorded: each "
            "person counts as one unit (its answers fully correlated; conservative)"}  # fmt: skip


@dataclass
class TransitionRecord:
    config: str
    size: str
    params: int
    rows: list[dict] = field(repr=False)
    critical: Estimate | None = None
    width: Estimate | None = None
    floor: Estimate | None = None
    ceiling: Estimate | None = None
    reason: str = ""
    scatter: Estimate | None = None
    design_effect: float = 1.0
    draws: dict = field(default_factory=dict, repr=False)  # u_c and log_w draws of the fit
    web_only: dict | None = None

    @property
    def steps(self) -> int | None:
        return self.rows[0].get("steps")

    def exposures_at_critical(self) -> Estimate | None:
        """Expected exposures of one fact at ``r_c`` (exposures ∝ r at fixed steps)."""
        per = [r["exposures_per_bio"] / r["ratio"] for r in self.rows if r.get("exposures_per_bio")]
        if self.critical is None or not per:
            return None
        e = float(np.mean(per))
        return Estimate(e * self.critical.median, e * self.critical.lower,
                        e * self.critical.upper, self.critical.level)  # fmt: skip

    def points(self) -> list[dict]:
        out = []
        for ratio in sorted({R.ratio_of(r) for r in self.rows}):
            acc = [r["memorization_accuracy"] for r in self.rows if R.ratio_of(r) == ratio]
            out.append({"ratio": ratio, "seeds": len(acc), "accuracy": float(np.mean(acc)),
                        "accuracies": acc})  # fmt: skip
        return out

    def bits(self) -> tuple[dict, float]:
        """Mean stored bits and the largest relative deviation of a ratio's mean from the mean."""
        by_ratio: dict[float, list[float]] = {}
        for r in self.rows:
            by_ratio.setdefault(R.ratio_of(r), []).append(stored_bits(r)["total"])
        means = np.array([np.mean(v) for v in by_ratio.values()])
        allb = [stored_bits(r) for r in self.rows]
        mean = {k: float(np.mean([b[k] for b in allb])) for k in ("total", "web", "bio")}
        spread = float(np.max(np.abs(means / means.mean() - 1))) if means.mean() > 0 else math.nan
        return mean, spread

    def to_dict(self) -> dict:
        r0 = self.rows[0]
        mean_bits, spread = self.bits()
        return {
            "schema": SCHEMA,
            "config": self.config,
            "size": self.size,
            "params": self.params,
            "steps": self.steps,
            "schedule": schedule(r0),
            "training_tokens": training_tokens(r0),
            "n_people": r0.get("n_people"),
            "bits_per_fact": r0.get("bits_per_bio"),
            "tokens_per_fact": tokens_per_fact(r0),
            "n_runs": len(self.rows),
            "seeds": sorted({str(R.replicate_id(r)[0]) for r in self.rows}),
            "critical_ratio": self.critical,
            "width_ln_ratio": self.width,
            "floor": self.floor,
            "ceiling": self.ceiling,
            "method": "fit" if self.critical is not None else "none",
            "reason": self.reason,
            "scatter_ln_ratio": self.scatter,
            "design_effect": self.design_effect,
            "exposures_per_fact_at_critical": self.exposures_at_critical(),
            "marginal_web_fact_exposures": _mean_of(self.rows, "marginal_web_fact_exposures"),
            "marginal_web_rank": _mean_of(self.rows, "marginal_web_rank"),
            "stored_bits": mean_bits,
            "stored_bits_spread": spread,
            "bits_per_param": float(
                np.mean([r.get("bits_per_param", math.nan) for r in self.rows])
            ),
            "web_only": self.web_only,
            "points": self.points(),
        }


def web_only_record(row: dict) -> dict:
    b = stored_bits(row)
    return {"size": row.get("size"), "params": row.get("params"), "steps": row.get("steps"),
            "schedule": schedule(row), "training_tokens": training_tokens(row),
            "config": R.config_id(row), "stored_bits_web": b["web"],
            "web_loss": row.get("web_loss"), "web_facts_learned": row.get("web_facts_learned"),
            "bits_per_param": row.get("bits_per_param"), "seed": row.get("seed"),
            "marginal_web_rank": row.get("marginal_web_rank"),
            "marginal_web_fact_exposures": row.get("marginal_web_fact_exposures")}  # fmt: skip


def transition_records(rows: list[dict], *, seed: int = 0, scatter: float | str = "fit",
                       ci: float = 0.9) -> list[TransitionRecord]:  # fmt: skip
    """One record per (configuration, size) with a ratio sweep; all fitted with one ``tau``."""
    from mixphase.fit.scatter import fit_transitions

    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if R.ratio_of(r) > 0 and "bio_correct" in r and "bio_total" in r:
            groups.setdefault((R.config_id(r), str(r.get("size", r.get("params")))), []).append(r)
    web = {(R.config_id(r), str(r.get("size"))): r for r in rows if R.ratio_of(r) == 0}
    recs = []
    for (cid, size), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1][0]["params"])):
        rs = sorted(rs, key=R.ratio_of)
        rec = TransitionRecord(cid, size, int(rs[0]["params"]), rs)
        w = web.get((cid, size))
        rec.web_only = web_only_record(w) if w else None
        recs.append(rec)
    fit_recs = [t for t in recs if len(t.rows) >= MIN_RUNS
                and len({R.ratio_of(r) for r in t.rows}) >= MIN_RATIOS]  # fmt: skip
    for t in recs:
        if t not in fit_recs:
            t.reason = f"fewer than {MIN_RUNS} runs or {MIN_RATIOS} ratios"
    if not fit_recs:
        return recs
    deff = design_effect(rows)["value"]
    curves = [{"x": [R.ratio_of(r) for r in t.rows], "correct": [r["bio_correct"] for r in t.rows],
               "total": [r["bio_total"] for r in t.rows]} for t in fit_recs]  # fmt: skip
    pooled = fit_transitions(curves, scatter=scatter, design_effect=deff, ci=ci, seed=seed)
    for t, f, err in zip(fit_recs, pooled.fits, pooled.errors, strict=True):
        t.scatter, t.design_effect = pooled.scatter, deff
        if f is None:
            t.reason = err
            continue
        t.critical, t.width, t.floor, t.ceiling = f.critical, f.width, f.floor, f.ceiling
        t.draws = {"u_c": f.draws["u_c"], "log_w": f.draws["log_w"]}
    return recs


def training_length(records: list[TransitionRecord]) -> list[dict]:
    """Per size: ``d ln r_c / d ln T`` across configurations differing only in ``steps``."""
    fams: dict[tuple[str, str], list[TransitionRecord]] = {}
    for t in records:
        if t.critical is None or not t.draws:
            continue
        base = "|".join(p for p in t.config.split("|") if not p.startswith("steps="))
        fams.setdefault((base, t.size), []).append(t)
    out = []
    for (base, size), ts in fams.items():
        ts = sorted(ts, key=lambda t: t.steps or 0)
        if len({t.steps for t in ts}) < 2:
            continue
        tok = np.log([training_tokens(t.rows[0]) or t.steps for t in ts])
        n = min(t.draws["u_c"].size for t in ts)
        u = np.stack([t.draws["u_c"][:n] for t in ts])  # (k, n)
        x = tok - tok.mean()
        slope = (x[:, None] * (u - u.mean(0))).sum(0) / (x**2).sum()
        out.append({"config": base, "size": size, "params": ts[0].params,
                    "steps": [t.steps for t in ts],
                    "critical_ratio": [t.critical for t in ts],
                    "d_ln_rc_d_ln_T": Estimate.from_samples(slope, 0.9),
                    "draws": slope})  # fmt: skip
    return out


__all__ = ["SCHEMA", "TransitionRecord", "design_effect", "stored_bits", "training_length",
           "transition_records", "web_only_record"]  # fmt: skip
