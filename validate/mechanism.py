"""Claims 3-4 (longer training does not help; freeing capacity lets the facts in) and the one
mechanism rule: is a transition capacity-limited (the knapsack) or partly exposure-limited?

Controls are found in the results themselves (:mod:`mixphase.runs`): a run whose configuration
differs from the main sweep's only in ``steps`` is a longer (or shorter) run; one with a ``facts=``
override is a trivial web; one whose configuration names an incompressible web (values redrawn at
every occurrence: nothing to store, the same gradient competition) is the incompressible control.
The **control point** of a size is the highest swept ratio whose base accuracy (main sweep, seed
mean) is below 0.5 and that has the control in question, at a size whose main sweep reaches 0.8
at some ratio (below a transition that exists; where nothing is learned at all a control says
nothing).

3. ``longer_training_does_not_help``: at each control point, per seed (a longer run paired with
   the base run of its seed, else the base mean), the share of the gap to full memorisation that
   ``k`` x steps closes, ``(acc_long - acc_base) / (1 - acc_base)``. Per size: held if >= 2 seeds
   all close < ``CLOSE_MAX = 0.25``; did not hold if >= 2 seeds all close >= 0.25; inconclusive
   otherwise (one seed, or seeds disagree). Where a training-length block exists (sweeps at
   several ``steps``), ``d ln r_c / d ln T`` must also be equivalent to 0 within
   ``MARGINS["ln_rc_per_ln_steps"] = ±0.1``. The matched-exposure run (``k`` x the ratio at the
   base steps) is reported, not judged: it is nearly automatic (``k r_0`` lies above a ratio that
   already learns).
4. ``capacity_freed_by_easy_web``: at each control point, a control web "frees" capacity if its
   accuracy is >= 0.8 and gains >= 0.5 over the base. The incompressible web decides (it frees
   capacity without removing the gradient competition); a trivial web alone that frees capacity
   gives inconclusive (it removes both at once); one that does not gives did not hold.

**Mechanism** (:func:`mechanism`): *capacity-limited* only if (a) the total stored bits of the
main sweep are conserved across ratios within ±10% at every size (web-only run included),
(b) the web-only runs' stored bits grow by < 10% over ~3x steps, (c) 3x longer training closes
< 25% of the gap on >= 2 seeds at every control point, and (d) the incompressible-web control, if
run, frees capacity. If any measured condition fails: *partly exposure-limited*; if none fails but
some were not measured: *undetermined*. Every number is in the result.
"""

from __future__ import annotations

import numpy as np

from mixphase import runs as R
from mixphase.validate import verdicts as V
from mixphase.validate.claims import BELOW, CLAIM_IDS, LEARNED, acc
from mixphase.validate.transitions import stored_bits

CLOSE_MAX = 0.25
FREED_GAIN = 0.5
CONSERVED = 0.10
WEB_GROWTH_MAX = 0.10


def arm_of(row: dict, main: str) -> tuple[str, float | None] | None:
    """``(kind, steps factor)`` of a control run relative to the main configuration, or None."""
    diff = R.differences(row, main)
    if not diff:
        return None
    if any("incompress" in (k + str(v[1])).lower() for k, v in diff.items()):
        return "incompressible_web", None
    if set(diff) == {"steps"}:
        a, b = diff["steps"]
        return ("longer" if float(b) > float(a) else "shorter"), float(b) / float(a)
    if set(diff) == {"facts"}:
        return "trivial_web", None
    return None


def control_points(rows: list[dict]) -> list[dict]:
    """Per (size, ratio) below the transition: the base runs and every control arm there."""
    main = R.main_config(rows)
    base: dict[tuple, list[dict]] = {}
    arms: dict[tuple, dict[str, list[dict]]] = {}
    for r in rows:
        if R.ratio_of(r) <= 0:
            continue
        key = (str(r["size"]), R.ratio_of(r))
        if R.config_id(r) == main:
            base.setdefault(key, []).append(r)
            continue
        a = arm_of(r, main)
        if a is not None:
            arms.setdefault(key, {}).setdefault(a[0], []).append(r)
    learned = {k[0] for k, b in base.items() if acc(b) >= LEARNED}  # sizes with a transition
    out = []
    for key, by_arm in arms.items():
        b = base.get(key)
        if b and acc(b) < BELOW and key[0] in learned:
            out.append({"size": key[0], "params": b[0]["params"], "ratio": key[1], "base": b,
                        "arms": by_arm})  # fmt: skip
    return sorted(out, key=lambda p: (p["params"], p["ratio"]))


def _point_for(points: list[dict], arm: str) -> dict[str, dict]:
    """Per size, the highest-ratio control point that has ``arm``."""
    out: dict[str, dict] = {}
    for p in points:
        if arm in p["arms"]:
            out[p["size"]] = p  # sorted by ratio: the last wins
    return out


def _part(rows: list[dict]) -> dict:
    return {"accuracy": acc(rows), "seeds": [r["seed"] for r in rows],
            "per_seed": [r["memorization_accuracy"] for r in rows],
            "steps": rows[0]["steps"], "ratio": rows[0]["ratio"],
            "exposures_per_bio": float(np.mean([r.get("exposures_per_bio", np.nan) for r in rows])),
            "stored_bits": float(np.mean([stored_bits(r)["total"] for r in rows]))}  # fmt: skip


def closures(point: dict) -> list[float]:
    """Per longer run: the share of the gap to 1 it closes over its seed's base (or the mean)."""
    by_rep = {R.replicate_id(r): r["memorization_accuracy"] for r in point["base"]}
    mean = acc(point["base"])
    out = []
    for r in point["arms"]["longer"]:
        b = by_rep.get(R.replicate_id(r), mean)
        out.append((r["memorization_accuracy"] - b) / (1 - b) if b < 1 else 0.0)
    return out


def _closure_verdict(cl: list[float]) -> str:
    if len(cl) < 2:
        return V.INCONCLUSIVE
    if all(c < CLOSE_MAX for c in cl):
        return V.HELD
    if all(c >= CLOSE_MAX for c in cl):
        return V.NOT_HELD
    return V.INCONCLUSIVE


def longer_training(rows: list[dict], slopes: list[dict] | None = None) -> V.Claim:
    cid = CLAIM_IDS[2]
    per, verdicts = [], []
    for size, p in _point_for(control_points(rows), "longer").items():
        cl = closures(p)
        v = _closure_verdict(cl)
        longer = p["arms"]["longer"]
        k = longer[0]["steps"] / p["base"][0]["steps"]
        matched = [r for r in R.main_sweep_rows(rows) if str(r["size"]) == size
                   and abs(R.ratio_of(r) - k * p["ratio"]) < 1e-9 * k]  # fmt: skip
        per.append({"size": size, "params": p["params"], "ratio": p["ratio"], "factor": k,
                    "base": _part(p["base"]), "longer": _part(longer),
                    "matched_exposures_higher_ratio": _part(matched) if matched else None,
                    "gap_closed_per_seed": cl, "verdict": v})  # fmt: skip
        verdicts.append(v)
    tl = []
    for s in slopes or []:
        j = V.equivalence(s["draws"], V.MARGINS["ln_rc_per_ln_steps"].value)
        tl.append({"size": s["size"], "params": s["params"], "steps": s["steps"],
                   "d_ln_rc_d_ln_T": s["d_ln_rc_d_ln_T"], "judgement": j})  # fmt: skip
        verdicts.append(j.verdict)
    nums = {"per_size": per, "training_length": tl, "close_max": CLOSE_MAX,
            "margin": V.MARGINS["ln_rc_per_ln_steps"],
            "caveat": "a longer cosine run stretches its schedule; the matched-exposure run "
                      "is reported, not judged"}  # fmt: skip
    if not verdicts:
        return V.not_tested(cid, "no longer-training run at a ratio below the transition")
    txt = "; ".join(
        f"{p['size']} r={p['ratio']:g}: base {p['base']['accuracy']:.3f} -> "
        f"{p['factor']:g}x steps {p['longer']['accuracy']:.3f}, gap closed "
        f"{', '.join(f'{c:.2f}' for c in p['gap_closed_per_seed'])} "
        f"({len(p['gap_closed_per_seed'])} seed(s)) -> {p['verdict']}"
        for p in per
    )
    txt += "".join(f"; {t['size']} d ln r_c/d ln T {t['d_ln_rc_d_ln_T']} -> "
                   f"{t['judgement'].verdict}" for t in tl)  # fmt: skip
    return V.Claim(cid, V.combine(verdicts), nums, txt)


def _frees(point: dict, arm: str) -> tuple[bool, dict]:
    base, ctl = acc(point["base"]), acc(point["arms"][arm])
    n = _part(point["arms"][arm])
    n["gain"] = ctl - base
    return bool(ctl >= LEARNED and ctl - base >= FREED_GAIN), n


def capacity_freed(rows: list[dict]) -> V.Claim:
    cid = CLAIM_IDS[3]
    pts = control_points(rows)
    triv, inc = _point_for(pts, "trivial_web"), _point_for(pts, "incompressible_web")
    per, verdicts = [], []
    for size in sorted(set(triv) | set(inc), key=lambda s: (triv.get(s) or inc[s])["params"]):
        row = {"size": size}
        if size in inc:
            ok, n = _frees(inc[size], "incompressible_web")
            row.update(ratio=inc[size]["ratio"], base=_part(inc[size]["base"]),
                       incompressible_web=n)  # fmt: skip
            v = V.HELD if ok else V.NOT_HELD
        if size in triv:
            ok_t, n_t = _frees(triv[size], "trivial_web")
            row.setdefault("ratio", triv[size]["ratio"])
            row.setdefault("base", _part(triv[size]["base"]))
            row["trivial_web"] = n_t
            if size not in inc:
                v = V.INCONCLUSIVE if ok_t else V.NOT_HELD
        row["verdict"] = v
        per.append(row)
        verdicts.append(v)
    nums = {"per_size": per, "thresholds": {"learned": LEARNED, "freed_gain": FREED_GAIN}}
    if not per:
        return V.not_tested(cid, "no trivial- or incompressible-web control below the transition")
    txt = "; ".join(
        f"{p['size']} r={p['ratio']:g}: base {p['base']['accuracy']:.2f}"
        + (f" -> trivial web {p['trivial_web']['accuracy']:.2f}" if "trivial_web" in p else "")
        + (f" -> incompressible web {p['incompressible_web']['accuracy']:.2f}"
           if "incompressible_web" in p else " (no incompressible-web control: a trivial web "
           "removes capacity demand and gradient competition together)")
        + f" -> {p['verdict']}" for p in per
    )  # fmt: skip
    return V.Claim(cid, V.combine(verdicts), nums, txt)


def conservation(records: list, rows: list[dict]) -> list[dict]:
    """Per size of the main sweep: the largest relative deviation of a ratio's stored bits."""
    main = R.main_config(rows)
    web = {str(r["size"]): stored_bits(r)["total"] for r in R.web_only_rows(rows)}
    out = []
    for t in records:
        if t.config != main or len({R.ratio_of(r) for r in t.rows}) < 3:
            continue
        by_r: dict[float, list[float]] = {}
        for r in t.rows:
            by_r.setdefault(R.ratio_of(r), []).append(stored_bits(r)["total"])
        if t.size in web:
            by_r[0.0] = [web[t.size]]
        means = np.array([np.mean(v) for _, v in sorted(by_r.items())])
        if not means.mean() > 0:
            continue  # nothing stored at all: conservation says nothing
        spread = float(np.max(np.abs(means / means.mean() - 1)))
        out.append({"size": t.size, "params": t.params, "ratios": sorted(by_r),
                    "stored_bits": means.round(1).tolist(), "spread": spread,
                    "conserved": spread <= CONSERVED})  # fmt: skip
    return out


def web_growth(rows: list[dict]) -> list[dict]:
    """Per size and schedule: growth of the web-only runs' stored bits over ~3x steps.

    Web-only runs are grouped by configuration without ``steps`` (so the WSD length block and
    cosine 3x runs each compare within their own schedule); every pair of lengths whose ratio is
    2-4.5 counts, preferring pairs that start at the main sweep's steps.
    """
    main_steps = next((r["steps"] for r in R.main_sweep_rows(rows)), None)
    fams: dict[tuple[str, str], dict[int, list[float]]] = {}
    for r in rows:
        if R.ratio_of(r) != 0:
            continue
        base = "|".join(p for p in R.config_id(r).split("|") if not p.startswith("steps="))
        fams.setdefault((base, str(r["size"])), {}).setdefault(int(r["steps"]), []).append(
            stored_bits(r)["web"]
        )
    out = []
    for (base, size), by_steps in fams.items():
        steps = sorted(by_steps)
        for i, t0 in enumerate(steps):
            for t1 in steps[i + 1 :]:
                if not 2.0 <= t1 / t0 <= 4.5:
                    continue
                b0, b1 = float(np.mean(by_steps[t0])), float(np.mean(by_steps[t1]))
                g = b1 / b0 - 1 if b0 > 0 else float("inf")
                out.append({"size": size, "config": base, "steps": [t0, t1], "factor": t1 / t0,
                            "stored_bits_web": [b0, b1], "growth": g,
                            "from_main_steps": t0 == main_steps, "small": g < WEB_GROWTH_MAX})  # fmt: skip
    if any(g["from_main_steps"] for g in out):
        out = [g for g in out if g["from_main_steps"]]
    return out


def _closes_little(clos: list[tuple[str, list[float]]]) -> bool | None:
    """False if any seed closes >= CLOSE_MAX; True if every size has >= 2 seeds all below;
    None (not enough seeds) otherwise."""
    if any(x >= CLOSE_MAX for _, c in clos for x in c):
        return False
    if clos and all(len(c) >= 2 for _, c in clos):
        return True
    return None


def mechanism(records: list, rows: list[dict], c3: V.Claim, c4: V.Claim) -> tuple[str, str, dict]:
    """``(verdict, reason, numbers)``: the one mechanism rule (module doc)."""
    cons = conservation(records, rows)
    grow = web_growth(rows)
    clos = [(p["size"], p["gap_closed_per_seed"]) for p in c3.numbers.get("per_size", [])]
    inc = [p for p in c4.numbers.get("per_size", []) if "incompressible_web" in p]
    cond = {
        "a_bits_conserved": None if not cons else all(c["conserved"] for c in cons),
        "b_web_bits_saturated": None if not grow else all(g["small"] for g in grow),
        "c_longer_training_closes_little": _closes_little(clos),
        "d_incompressible_web_frees": None if not inc else all(
            p["verdict"] == V.HELD for p in inc),
    }  # fmt: skip
    nums = {"conditions": cond, "stored_bits_by_ratio": cons, "web_only_growth": grow,
            "gap_closed": dict(clos), "thresholds": {"conserved": CONSERVED,
            "web_growth_max": WEB_GROWTH_MAX, "close_max": CLOSE_MAX}}  # fmt: skip
    parts = []
    if cons:
        parts.append("stored bits vary across ratios by up to " + ", ".join(
            f"{c['spread']:.0%} ({c['size']})" for c in cons))  # fmt: skip
    parts.append("web-only stored bits grow " + (", ".join(
        f"{g['growth']:+.0%} over {g['factor']:g}x steps ({g['size']})" for g in grow)
        if grow else "(not measured: no longer web-only runs)"))  # fmt: skip
    if clos:
        parts.append("longer training closes " + "; ".join(
            f"{', '.join(f'{x:.0%}' for x in c)} of the gap ({s})" for s, c in clos))  # fmt: skip
    else:
        parts.append("longer training: not run")
    parts.append("incompressible web: " + ("; ".join(
        f"{p['incompressible_web']['accuracy']:.2f} ({p['size']})" for p in inc) if inc else
        "not run"))  # fmt: skip
    reason = "; ".join(parts)
    failed = [k for k, v in cond.items() if v is False]
    missing = [k for k, v in cond.items() if v is None and k != "d_incompressible_web_frees"]
    if failed:
        return "partly exposure-limited", f"fails {', '.join(failed)}: {reason}", nums
    if missing:
        return "undetermined", f"not measured: {', '.join(missing)}: {reason}", nums
    return "capacity-limited", f"all conditions hold: {reason}", nums


__all__ = ["capacity_freed", "closures", "control_points", "longer_training", "mechanism"]
