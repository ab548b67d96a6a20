"""Claims 1-2 of the knapsack paper (Gu et al. 2025): a sharp transition in ratio and in size.

Pure logic over the run dicts of :func:`mixphase.validate.train.train` and the transition
records of :mod:`mixphase.validate.transitions` (one sigmoid per size and configuration, every run
a point, seed scatter and clustered answers in the likelihood). Verdict rules and margins:
:mod:`mixphase.validate.verdicts`; claims 3-4 and the mechanism: :mod:`.mechanism`; claims 5-6:
:mod:`.scaling`; claim 7: :mod:`.subsampling`.

Thresholds (on exact-match accuracy of the biography attributes, seed means)

- ``NEAR_ZERO = 0.1``: "accuracy stays near zero" means below 0.1.
- ``LEARNED = 0.8``: "learns" means at least 0.8 (the paper's SynBio target accuracy).
- "sharp": the fitted width ``w`` (in ln x; the 10-90% rise spans ``4.39 w``) stays below
  ``MARGINS["sharp_width"] = 0.5`` over its whole 90% interval (rule ``at_most``): held if the
  interval lies below 0.5, did not hold if above, inconclusive if it straddles.

1. ``transition_in_ratio``: per size of the main sweep with a fitted transition: accuracy at the
   lowest ratio < NEAR_ZERO, at the highest >= LEARNED (else did not hold), and the width rule.
   Sizes the fit cannot place (the rise between two swept points, or at an edge) are reported with
   the bracket (``bracket``: from < NEAR_ZERO to >= LEARNED within a factor ``BRACKET = 9``) but
   never make the claim held. Held if >= 2 sizes were fitted and all held (``combine``).
2. ``transition_in_size``: the same against parameters at each ratio where the smallest size is
   < NEAR_ZERO and the largest >= LEARNED (>= 3 sizes, >= 4 runs; all ratios fitted with one seed
   scatter). Held if some ratio is held; inconclusive if none is but some straddles (or only
   brackets exist); did not hold otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from mixphase import runs as R
from mixphase.validate import verdicts as V

NEAR_ZERO = 0.1
LEARNED = 0.8
BELOW = 0.5
SHARP_WIDTH = V.MARGINS["sharp_width"].value
BRACKET = math.exp(4.39 * SHARP_WIDTH)  # widest x-factor between near zero and learned (= 9.0)
CLAIM_IDS = (
    "transition_in_ratio",
    "transition_in_size",
    "longer_training_does_not_help",
    "capacity_freed_by_easy_web",
    "critical_ratio_power_law",
    "threshold_frequency_power_law",
    "subsampling_best_keep",
    "subsampling_keep_for_80",
)


def acc(rows: list[dict]) -> float:
    """Mean accuracy of several runs (seeds): correct / total pooled."""
    c = sum(r["bio_correct"] for r in rows)
    t = sum(r["bio_total"] for r in rows)
    return c / t if t else float("nan")


def curve(rows: list[dict], x_of) -> tuple[np.ndarray, np.ndarray]:
    """Unique x and the mean accuracy over seeds at each."""
    xs = sorted({x_of(r) for r in rows})
    return np.asarray(xs, float), np.array([acc([r for r in rows if x_of(r) == x]) for x in xs])


def bracket(x, a) -> tuple[float, float] | None:
    """``(x_lo, x_hi)``: the last point with accuracy < NEAR_ZERO and the next one >= LEARNED,
    if the curve starts near zero, ends learned and they lie within a factor ``BRACKET``."""
    x, a = np.asarray(x, float), np.asarray(a, float)
    if len(x) < 2 or not (a[0] < NEAR_ZERO and a[-1] >= LEARNED):
        return None
    i = int(np.flatnonzero(a < NEAR_ZERO)[-1])
    after = np.flatnonzero((np.arange(len(x)) > i) & (a >= LEARNED))
    if not after.size:
        return None
    j = int(after[0])
    return (float(x[i]), float(x[j])) if x[j] / x[i] < BRACKET else None


def _sharp(width_draws, ends_ok: bool, ends: str) -> V.Judgement:
    if not ends_ok:
        return V.Judgement(V.NOT_HELD, None, None, ends)
    return V.at_most(width_draws, SHARP_WIDTH)


def transition_in_ratio(records: list, rows: list[dict]) -> V.Claim:
    """Claim 1 from the main sweep's transition records (module doc)."""
    cid = CLAIM_IDS[0]
    main = R.main_config(rows)
    per, verdicts, fitted = [], [], 0
    for t in [t for t in records if t.config == main]:
        x, a = curve(t.rows, R.ratio_of)
        row = {"size": t.size, "params": t.params, "ratios": x.tolist(), "accuracy": a.tolist(),
               "seeds": [p["seeds"] for p in t.points()]}  # fmt: skip
        if t.critical is not None:
            fitted += 1
            ok = bool(a[0] < NEAR_ZERO and a[-1] >= LEARNED)
            j = _sharp(np.exp(t.draws["log_w"]), ok, f"accuracy {a[0]:.2f} at the lowest ratio, "
                       f"{a[-1]:.2f} at the highest: not from < {NEAR_ZERO} to >= {LEARNED}")  # fmt: skip
            row.update(critical_ratio=t.critical, width_ln_ratio=t.width, floor=t.floor,
                       ceiling=t.ceiling, judgement=j, verdict=j.verdict)  # fmt: skip
            verdicts.append(j.verdict)
        else:
            br = bracket(x, a)
            row.update(fit=f"no transition located: {t.reason}", bracket=br)
            if br is not None:
                row["verdict"] = V.INCONCLUSIVE
                verdicts.append(V.INCONCLUSIVE)
        per.append(row)
    nums = {"per_size": per, "thresholds": {"near_zero": NEAR_ZERO, "learned": LEARNED},
            "margin": V.MARGINS["sharp_width"]}  # fmt: skip
    if not verdicts:
        return V.Claim(
            cid, V.NOT_TESTED, nums, "no size had its transition inside the swept ratios"
        )
    verdict = V.combine(verdicts)
    if verdict == V.HELD and fitted < 2:
        verdict = V.INCONCLUSIVE
    txt = "; ".join(
        f"{p['size']}: r_c {p['critical_ratio']}, w {p['width_ln_ratio']} -> {p['verdict']}"
        if "critical_ratio" in p else
        f"{p['size']}: not fitted, bracket {p.get('bracket')}" for p in per
        if "verdict" in p or p.get("bracket")
    )  # fmt: skip
    return V.Claim(cid, verdict, nums, f"{fitted} size(s) with a fitted transition; {txt}")


def transition_in_size(rows: list[dict], seed: int = 0, scatter: float | str = "fit") -> V.Claim:
    """Claim 2: sigmoids in ln(params) at each ratio of the main sweep (module doc)."""
    from mixphase.fit.scatter import fit_transitions
    from mixphase.validate.transitions import design_effect

    cid = CLAIM_IDS[1]
    main = R.main_sweep_rows(rows)
    if len({r["size"] for r in main}) < 3:
        return V.not_tested(cid, f"needs at least 3 sizes, have {len({r['size'] for r in main})}")
    if not any(r["memorization_accuracy"] >= LEARNED for r in main):
        return V.not_tested(cid, f"no run of the main sweep reaches {LEARNED}: nothing learned")
    per, todo = [], []
    for ratio in sorted({R.ratio_of(r) for r in main}):
        rs = sorted([r for r in main if R.ratio_of(r) == ratio], key=lambda r: r["params"])
        x, a = curve(rs, lambda r: float(r["params"]))
        if len(x) < 3:
            continue
        row = {"ratio": ratio, "params": x.tolist(), "accuracy": a.tolist()}
        per.append(row)
        if not (a[0] < NEAR_ZERO and a[-1] >= LEARNED):
            row["verdict"] = V.NOT_HELD
            continue
        if len(rs) >= 4:
            todo.append((row, rs))
        else:
            row.update(bracket=bracket(x, a), verdict=V.INCONCLUSIVE, fit="fewer than 4 runs")
    if todo:
        curves = [{"x": [r["params"] for r in rs], "correct": [r["bio_correct"] for r in rs],
                   "total": [r["bio_total"] for r in rs]} for _, rs in todo]  # fmt: skip
        pooled = fit_transitions(curves, scatter=scatter, design_effect=design_effect(rows)["value"],
                                 seed=seed)  # fmt: skip
        for (row, _), f, err in zip(todo, pooled.fits, pooled.errors, strict=True):
            if f is None:
                x, a = np.asarray(row["params"]), np.asarray(row["accuracy"])
                row.update(fit=f"failed: {err}", bracket=bracket(x, a), verdict=V.INCONCLUSIVE)
                continue
            j = V.at_most(np.exp(f.draws["log_w"]), SHARP_WIDTH)
            row.update(critical_params=f.critical, width_ln_params=f.width, judgement=j,
                       verdict=j.verdict, scatter_ln_params=f.scatter)  # fmt: skip
    nums = {"per_ratio": per, "margin": V.MARGINS["sharp_width"]}
    vs = [p.get("verdict") for p in per if p.get("verdict")]
    best = next((p for p in per if p.get("verdict") == V.HELD), None)
    if best is not None:
        return V.Claim(cid, V.HELD, nums,
                       f"at r={best['ratio']:g} accuracy rises from {best['accuracy'][0]:.2f} to "
                       f"{best['accuracy'][-1]:.2f} across sizes; critical size "
                       f"{best['critical_params']} params, width {best['width_ln_params']} in "
                       f"ln params ({best['judgement'].reason})")  # fmt: skip
    if V.INCONCLUSIVE in vs:
        return V.Claim(cid, V.INCONCLUSIVE, nums, "no ratio with a fitted sharp rise across sizes "
                       "over its whole interval; some straddle the bound or are only bracketed")  # fmt: skip
    if not vs:
        return V.Claim(cid, V.NOT_TESTED, nums, "no ratio with 3 or more sizes")
    return V.Claim(cid, V.NOT_HELD, nums, "no ratio where accuracy goes from near zero (smallest "
                   "size) to learned (largest) with a sharp fitted rise")  # fmt: skip


__all__ = ["BRACKET", "CLAIM_IDS", "LEARNED", "NEAR_ZERO", "acc", "bracket", "curve",
           "transition_in_ratio", "transition_in_size"]  # fmt: skip
