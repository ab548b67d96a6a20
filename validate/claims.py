"""Verdicts on the knapsack paper's claims (Gu et al. 2025, arXiv 2505.18091) from result rows.

Pure logic over the result dicts that :func:`mixphase.validate.train.train` writes (fields used:
``size``, ``params``, ``ratio``, ``seed``, ``bio_correct``, ``bio_total``,
``memorization_accuracy``, ``exposures_per_bio``, ``bits_per_param``, ``web_loss``; for claim 6
``bio_correct_by_person``, ``person_exposures``, ``n_attributes``). Fits go through
:mod:`mixphase.fit` and the comparison of :mod:`mixphase.validate.report`; Algorithm 1 and the
subsampling formulas come from :mod:`mixphase.theory` and :mod:`mixphase.advise`. Nothing here
trains. Every verdict is ``held``, ``did not hold`` or ``not tested`` and carries the numbers
behind it; ``held`` is never returned without them.

Thresholds (module constants, all on exact-match accuracy of the biography attributes)

- ``NEAR_ZERO = 0.1``: "accuracy stays near zero" means below 0.1.
- ``LEARNED = 0.8``: "learns" means accuracy at least 0.8 (the paper's SynBio target accuracy).
- ``SHARP_WIDTH = 0.5``: "rises sharply" means the upper end of the 90% interval of the fitted
  sigmoid width ``w`` (in ln x, :func:`mixphase.fit.fit_transition`) is below 0.5, i.e. the
  10%-90% rise (``4.39 w``) spans less than a factor ``e^2.2 = 9`` in ratio (or size).
- ``NO_HELP_GAIN = 0.25``: "training longer does not help" means the gain of the longer run over
  the base run is below 0.25, while the run with the same exposures at the higher ratio reaches
  ``LEARNED``.
- ``FREED_GAIN = 0.5``: "a trivial web frees capacity" means the trivial-web run reaches
  ``LEARNED`` and gains at least 0.5 over the base run.
- ``BELOW = 0.5``: a control point must sit below the transition (base accuracy < 0.5).

Claims (ids as in issue 10)

1. ``transition_in_ratio``: per size with the transition inside the swept ratios (fit succeeds):
   accuracy at the lowest ratio < NEAR_ZERO, at the highest >= LEARNED, width upper < SHARP_WIDTH.
   *Bracket rule*: where the fit cannot place the transition because it falls between two swept
   points, the size is still testable if accuracy goes from < NEAR_ZERO (last such point) to >=
   LEARNED (next such point) within a factor ``BRACKET = e^(4.39 SHARP_WIDTH) = 9`` in x (the
   10-90% rise is then narrower than the sharpness bound); the bracket is reported instead of a
   fitted critical point. Held if at least two sizes (or all, if fewer) were testable and every
   testable size passes.
2. ``transition_in_size``: the same against parameters at each ratio where the smallest size is
   < NEAR_ZERO and the largest >= LEARNED (at least 3 sizes; the fit, else the bracket rule).
   Held if at least one such ratio is sharp; not tested with fewer than 3 sizes.
3. ``longer_training_does_not_help``: per control size, at the highest swept ratio below the
   transition: longer (k x steps) gain < NO_HELP_GAIN and the matched-exposure run at k x the
   ratio (same steps, so the same expected exposures per biography) >= LEARNED. Held if every
   control size passes. Caveat recorded: the longer run stretches the cosine schedule.
4. ``capacity_freed_by_easy_web``: per control size, trivial-web accuracy >= LEARNED and gain >=
   FREED_GAIN. Held if every control size passes.
5. ``critical_ratio_power_law``: the comparison of :func:`mixphase.validate.report.compare`
   (critical ratio per size by ``fit_transition``; odds fitted by ``fit_power_law``; alpha from
   web-only runs). Needs at least 3 sizes with a located transition; held if the 90% intervals of
   the fitted and predicted ``-(alpha+1)`` exponents overlap. If the web loss is not a power law
   in parameters (largest log-residual of the fit > ``WEB_LAW_TOLERANCE = 0.1``), the report also
   gives what the theory then predicts: ``odds(r_c) ∝ -dL/dN``, the local slope of ``ln(-dL/dN)``.
6. ``threshold_frequency_power_law``: per size, Algorithm 1
   (:func:`mixphase.theory.threshold_popularity.threshold_popularity`, target 0.8, n_fail 5) on
   (person-attribute correct, person's expected exposures); censored sizes (nothing or everything
   learned) are left out. Held if at least 3 sizes remain, the fitted exponent's 90% interval lies
   below 0 (the threshold falls with size) and overlaps the predicted ``-(alpha+1)`` interval.
7. ``subsampling``: at a ratio below the transition, keeping ``advise``'s best keep fraction gives
   accuracy >= LEARNED on the kept set, and keeping more than ``collapse_at`` gives < BELOW.

Mechanism for the whole run: ``capacity-limited`` if claims 3 and 4 held; ``exposure-limited``
if at every control size the longer run closes at least half of the gap to 1 and the trivial web
gains less than NO_HELP_GAIN; ``unclear`` otherwise (including when the controls were not run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from mixphase.records import Estimate

NEAR_ZERO = 0.1
LEARNED = 0.8
SHARP_WIDTH = 0.5
NO_HELP_GAIN = 0.25
FREED_GAIN = 0.5
BELOW = 0.5
WEB_LAW_TOLERANCE = 0.1
BRACKET = math.exp(4.39 * SHARP_WIDTH)  # widest x-factor between near zero and learned (= 9.0)
HELD, NOT_HELD, NOT_TESTED = "held", "did not hold", "not tested"
CLAIM_IDS = (
    "transition_in_ratio",
    "transition_in_size",
    "longer_training_does_not_help",
    "capacity_freed_by_easy_web",
    "critical_ratio_power_law",
    "threshold_frequency_power_law",
    "subsampling",
)


@dataclass
class Claim:
    """One claim's verdict, the numbers behind it and a one-paragraph reading."""

    claim: str
    verdict: str
    numbers: dict = field(default_factory=dict)
    summary: str = ""

    def to_dict(self) -> dict:
        return {"claim": self.claim, "verdict": self.verdict, "numbers": self.numbers,
                "summary": self.summary}  # fmt: skip

    def __str__(self) -> str:
        return f"{self.claim}: {self.verdict.upper()} — {self.summary}"


def not_tested(claim: str, why: str) -> Claim:
    return Claim(claim, NOT_TESTED, {"reason": why}, why)


def _acc(rows: list[dict]) -> float:
    """Pooled accuracy of several runs (seeds): correct / total."""
    c = sum(r["bio_correct"] for r in rows)
    t = sum(r["bio_total"] for r in rows)
    return c / t if t else float("nan")


def _est(e) -> dict | None:
    return None if e is None else {"median": e.median, "lower": e.lower, "upper": e.upper,
                                   "level": e.level}  # fmt: skip


def _curve(rows: list[dict], x_of) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique x, pooled correct and total over seeds."""
    xs = sorted({x_of(r) for r in rows})
    correct = np.array([sum(r["bio_correct"] for r in rows if x_of(r) == x) for x in xs])
    total = np.array([sum(r["bio_total"] for r in rows if x_of(r) == x) for x in xs])
    return np.asarray(xs, float), correct, total


def _fit(x, correct, total, seed: int = 0):
    """``fit_transition`` or ``(None, reason)``."""
    from mixphase.fit import fit_transition

    try:
        return fit_transition(x, correct=correct, total=total, seed=seed), ""
    except Exception as exc:  # no transition / at the edge: a reason, not a crash
        return None, str(exc)


def bracket(x, acc) -> tuple[float, float] | None:
    """``(x_lo, x_hi)``: the last point with accuracy < NEAR_ZERO and the next one >= LEARNED,
    if the curve starts near zero, ends learned and they lie within a factor ``BRACKET``."""
    x, acc = np.asarray(x, float), np.asarray(acc, float)
    if len(x) < 2 or not (acc[0] < NEAR_ZERO and acc[-1] >= LEARNED):
        return None
    i = int(np.flatnonzero(acc < NEAR_ZERO)[-1])
    after = np.flatnonzero((np.arange(len(x)) > i) & (acc >= LEARNED))
    if not after.size:
        return None
    j = int(after[0])
    return (float(x[i]), float(x[j])) if x[j] / x[i] < BRACKET else None


def by_size(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["params"], r["ratio"])):
        out.setdefault(r["size"], []).append(r)
    return out


# ---------------------------------------------------------------------------------------------
# Claim 1


def transition_in_ratio(main: list[dict]) -> Claim:
    """Claim 1 from the main grid (ratio > 0 rows; seeds pooled)."""
    cid = CLAIM_IDS[0]
    per, tested = [], []
    for size, rs in by_size([r for r in main if r["ratio"] > 0]).items():
        x, c, t = _curve(rs, lambda r: r["ratio"])
        acc = c / t
        row = {"size": size, "params": rs[0]["params"], "ratios": x.tolist(),
               "accuracy": acc.tolist(), "seeds": len({r["seed"] for r in rs})}  # fmt: skip
        fit, why = _fit(x, c, t) if len(x) >= 3 else (None, "fewer than 3 ratios")
        br = bracket(x, acc) if fit is None else None
        if fit is None and br is not None:
            row.update(fit=f"no transition located: {why}", bracket=br, passes=True)
            tested.append(True)
        elif fit is None:
            row["fit"] = f"no transition located: {why}"
        else:
            ok = bool(acc[0] < NEAR_ZERO and acc[-1] >= LEARNED and fit.width.upper < SHARP_WIDTH)
            row.update(critical_ratio=_est(fit.critical), width_ln_ratio=_est(fit.width),
                       floor=_est(fit.floor), ceiling=_est(fit.ceiling), passes=ok)  # fmt: skip
            tested.append(ok)
        per.append(row)
    nums = {"per_size": per, "thresholds": {"near_zero": NEAR_ZERO, "learned": LEARNED,
                                            "sharp_width_ln": SHARP_WIDTH}}  # fmt: skip
    if not tested:
        return Claim(cid, NOT_TESTED, nums, "no size had its transition inside the swept ratios")
    need = min(2, len(per))
    if len(tested) >= need and all(tested):
        crit = ", ".join(f"{p['size']} r_c={p['critical_ratio']['median']:.3g} "
                         f"[{p['critical_ratio']['lower']:.3g}, {p['critical_ratio']['upper']:.3g}]"
                         f" w<={p['width_ln_ratio']['upper']:.2f}" if "critical_ratio" in p else
                         f"{p['size']} rise from <{NEAR_ZERO:g} at r={p['bracket'][0]:g} to "
                         f">={LEARNED:g} at r={p['bracket'][1]:g}"
                         for p in per if p.get("passes"))  # fmt: skip
        return Claim(cid, HELD, nums, f"near-zero accuracy below and a sharp rise above: {crit}")
    bad = [p["size"] for p in per if p.get("passes") is False]
    why = (f"sizes {bad} fail the near-zero / learned / sharpness criteria" if bad
           else f"only {len(tested)} size(s) testable")  # fmt: skip
    return Claim(cid, NOT_HELD, nums, why)


# ---------------------------------------------------------------------------------------------
# Claim 2


def transition_in_size(main: list[dict]) -> Claim:
    cid = CLAIM_IDS[1]
    rows = [r for r in main if r["ratio"] > 0]
    sizes = {r["size"] for r in rows}
    if len(sizes) < 3:
        return not_tested(cid, f"needs at least 3 sizes, have {len(sizes)}")
    per, best, fallback = [], None, None  # a fitted sharp ratio first, else a bracket
    for ratio in sorted({r["ratio"] for r in rows}):
        rs = [r for r in rows if r["ratio"] == ratio]
        x, c, t = _curve(rs, lambda r: r["params"])
        if len(x) < 3:
            continue
        acc = c / t
        row = {"ratio": ratio, "params": x.tolist(), "accuracy": acc.tolist()}
        if acc[0] < NEAR_ZERO and acc[-1] >= LEARNED:
            fit, why = _fit(x, c, t)
            br = bracket(x, acc) if fit is None else None
            if fit is None and br is not None:
                row.update(fit=f"failed: {why}", bracket=br, passes=True)
                fallback = fallback or row
            elif fit is None:
                row["fit"] = f"failed: {why}"
            else:
                row.update(critical_params=_est(fit.critical), width_ln_params=_est(fit.width),
                           passes=bool(fit.width.upper < SHARP_WIDTH))  # fmt: skip
                if row["passes"] and best is None:
                    best = row
        per.append(row)
    nums = {"per_ratio": per}
    best = best or fallback
    if best is not None and "critical_params" not in best:
        return Claim(cid, HELD, nums,
                     f"at r={best['ratio']:g} accuracy rises from {best['accuracy'][0]:.2f} to "
                     f"{best['accuracy'][-1]:.2f} across sizes, from <{NEAR_ZERO:g} at "
                     f"{best['bracket'][0]:.0f} to >={LEARNED:g} at {best['bracket'][1]:.0f} "
                     f"params (bracket rule: the fit cannot place a transition between two "
                     f"sizes)")  # fmt: skip
    if best is not None:
        cp = best["critical_params"]
        return Claim(cid, HELD, nums,
                     f"at r={best['ratio']:g} accuracy rises from {best['accuracy'][0]:.2f} to "
                     f"{best['accuracy'][-1]:.2f} across sizes; critical size {cp['median']:.3g} "
                     f"[{cp['lower']:.3g}, {cp['upper']:.3g}] params, width <= "
                     f"{best['width_ln_params']['upper']:.2f} in ln params")  # fmt: skip
    return Claim(cid, NOT_HELD, nums,
                 "no ratio where accuracy goes from near zero (smallest size) to learned (largest)"
                 " with a sharp fitted rise")  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Claims 3-4 and the mechanism


@dataclass
class ControlSet:
    """Runs at one size and a ratio below its transition (lists: one run per seed)."""

    size: str
    params: int
    ratio: float
    base: list[dict]
    longer: list[dict] = field(default_factory=list)
    matched: list[dict] = field(default_factory=list)  # same steps, factor x ratio
    trivial: list[dict] = field(default_factory=list)  # trivial web, same ratio and steps
    factor: int = 3

    def numbers(self) -> dict:
        def part(rows):
            if not rows:
                return None
            return {"accuracy": _acc(rows), "seeds": [r["seed"] for r in rows],
                    "per_seed": [r["memorization_accuracy"] for r in rows],
                    "exposures_per_bio": float(np.mean([r["exposures_per_bio"] for r in rows])),
                    "steps": rows[0]["steps"], "ratio": rows[0]["ratio"],
                    "bits_per_param": float(np.mean([r["bits_per_param"] for r in rows]))}  # fmt: skip

        return {"size": self.size, "params": self.params, "ratio": self.ratio,
                "factor": self.factor, "base": part(self.base), "longer": part(self.longer),
                "matched_exposures_higher_ratio": part(self.matched),
                "trivial_web": part(self.trivial)}  # fmt: skip


def longer_training(controls: list[ControlSet]) -> Claim:
    cid = CLAIM_IDS[2]
    usable = [c for c in controls if c.base and c.longer and c.matched]
    if not usable:
        return not_tested(cid, "no control point below the transition with longer and "
                               "matched-exposure runs")  # fmt: skip
    per, oks = [], []
    for c in usable:
        base, longer, matched = _acc(c.base), _acc(c.longer), _acc(c.matched)
        n = c.numbers()
        ok = bool(base < BELOW and longer - base < NO_HELP_GAIN and matched >= LEARNED)
        n.update(gain_longer=longer - base, passes=ok)
        per.append(n)
        oks.append(ok)
    nums = {"per_size": per, "caveat": "the longer run stretches the cosine learning-rate "
            "schedule over k x steps; the matched run keeps the base schedule",
            "thresholds": {"no_help_gain": NO_HELP_GAIN, "learned": LEARNED}}  # fmt: skip
    txt = "; ".join(
        f"{p['size']} r={p['ratio']:g}: base {p['base']['accuracy']:.2f} -> {p['factor']}x steps "
        f"{p['longer']['accuracy']:.2f} ({p['longer']['exposures_per_bio']:.0f} exposures/bio) vs "
        f"{p['factor']}x ratio {p['matched_exposures_higher_ratio']['accuracy']:.2f} "
        f"({p['matched_exposures_higher_ratio']['exposures_per_bio']:.0f})"
        for p in per
    )
    if all(oks):
        return Claim(cid, HELD, nums, "at matched exposures the higher ratio learns and the "
                     "longer run does not: " + txt)  # fmt: skip
    return Claim(cid, NOT_HELD, nums, "longer training helped, or the matched higher-ratio run "
                 "did not learn: " + txt)  # fmt: skip


def capacity_freed(controls: list[ControlSet]) -> Claim:
    cid = CLAIM_IDS[3]
    usable = [c for c in controls if c.base and c.trivial]
    if not usable:
        return not_tested(cid, "no trivial-web control below the transition")
    per, oks = [], []
    for c in usable:
        base, triv = _acc(c.base), _acc(c.trivial)
        n = c.numbers()
        ok = bool(base < BELOW and triv >= LEARNED and triv - base >= FREED_GAIN)
        n.update(gain_trivial_web=triv - base, passes=ok)
        per.append(n)
        oks.append(ok)
    txt = "; ".join(f"{p['size']} r={p['ratio']:g}: base {p['base']['accuracy']:.2f} -> "
                    f"trivial web {p['trivial_web']['accuracy']:.2f}" for p in per)  # fmt: skip
    nums = {"per_size": per, "thresholds": {"freed_gain": FREED_GAIN, "learned": LEARNED}}
    if all(oks):
        return Claim(cid, HELD, nums, "a web that needs almost no capacity lets the biographies "
                     "in at the same ratio and budget: " + txt)  # fmt: skip
    return Claim(cid, NOT_HELD, nums, "the trivial web did not free enough: " + txt)


def mechanism(c3: Claim, c4: Claim, controls: list[ControlSet]) -> tuple[str, str]:
    """``(verdict, reason)``: capacity-limited, exposure-limited or unclear (see module doc)."""
    if c3.verdict == HELD and c4.verdict == HELD:
        return "capacity-limited", "longer training does not help at matched exposures, and " \
               "freeing capacity lets the biographies in (claims 3 and 4 held)"  # fmt: skip
    usable = [c for c in controls if c.base and c.longer and c.trivial]
    if usable and all(
        _acc(c.longer) - _acc(c.base) >= 0.5 * (1 - _acc(c.base))
        and _acc(c.trivial) - _acc(c.base) < NO_HELP_GAIN
        for c in usable
    ):
        return "exposure-limited", "longer training closes most of the gap while a trivial " \
               "web does not help: too few exposures, not capacity"  # fmt: skip
    if not usable:
        return "unclear", "the controls (claims 3-4) were not run"
    return "unclear", f"claims 3/4: {c3.verdict} / {c4.verdict}; the controls point both ways"


# ---------------------------------------------------------------------------------------------
# Claim 5


def web_law_check(web: list[tuple[float, float]]) -> dict:
    """Is the web-only loss a power law in parameters? And what the theory predicts if not.

    The knapsack optimum sets ``odds(r_c) ∝ -dL/dN`` (Thm 4.3 with a general web law), which is
    ``∝ N^-(alpha+1)`` for a power law; here the local slopes of ``ln(-dL/dN)`` between sizes.
    """
    if len(web) < 3:
        return {"power_law": None, "reason": "fewer than 3 sizes"}
    n, w = (np.asarray(v, float) for v in zip(*sorted(web), strict=True))
    ln, lw = np.log(n), np.log(w)
    slope, icpt = np.polyfit(ln, lw, 1)
    resid = lw - (slope * ln + icpt)
    out = {"log_residual_max": float(np.abs(resid).max()), "tolerance": WEB_LAW_TOLERANCE,
           "power_law": bool(np.abs(resid).max() <= WEB_LAW_TOLERANCE)}  # fmt: skip
    d = -np.diff(w) / np.diff(n)
    mid = np.sqrt(n[1:] * n[:-1])
    if np.all(d > 0) and len(d) >= 2:
        out["predicted_local_exponents"] = np.diff(np.log(d)) / np.diff(np.log(mid))
        out["predicted_local_exponents"] = out["predicted_local_exponents"].tolist()
        out["local_alpha"] = (-np.diff(lw) / np.diff(ln)).tolist()
    return out


def critical_ratio_power_law(main: list[dict]) -> Claim:
    cid = CLAIM_IDS[4]
    from mixphase.validate.report import compare

    rep = compare(main)
    pts = [t for t in rep.transitions if t.critical is not None and t.in_range]
    nums = {"critical_ratios": [{"size": t.size, "params": t.params,
                                 "critical_ratio": _est(t.critical), "method": t.method}
                                for t in pts],
            "alpha": _est(rep.alpha), "fitted_exponent": _est(rep.exponent),
            "predicted_exponent": _est(rep.predicted_exponent),
            "web_loss_by_params": rep.web_points,
            "web_law": web_law_check(rep.web_points)}  # fmt: skip
    located = [t for t in pts if t.method == "fit_transition"]
    nums["sizes_with_fitted_transition"] = len(located)
    if len(pts) < 3 or rep.exponent is None or rep.predicted_exponent is None:
        return Claim(cid, NOT_TESTED, nums, f"needs >= 3 sizes with a located transition and "
                     f"web-only runs; have {len(pts)} sizes")  # fmt: skip
    e, p = rep.exponent, rep.predicted_exponent
    txt = (f"fitted exponent of r_c/(1-r_c) vs params {e.median:.2f} [{e.lower:.2f}, "
           f"{e.upper:.2f}] over {len(pts)} sizes ({nums['critical_ratios'][0]['params']}-"
           f"{nums['critical_ratios'][-1]['params']} params); -(alpha+1) = {p.median:.2f} "
           f"[{p.lower:.2f}, {p.upper:.2f}] (alpha {rep.alpha.median:.3f})")  # fmt: skip
    if not nums["web_law"].get("power_law", True):
        loc = nums["web_law"].get("predicted_local_exponents")
        txt += ("; the web loss is not a power law (max log residual "
                f"{nums['web_law']['log_residual_max']:.2f}); the theory then predicts "
                f"local exponents {loc}")  # fmt: skip
    if rep.held:
        return Claim(cid, HELD, nums, "intervals overlap: " + txt)
    return Claim(cid, NOT_HELD, nums, "intervals do not overlap: " + txt)


# ---------------------------------------------------------------------------------------------
# Claim 6


def threshold_frequency(grouped: list[dict], alpha: Estimate | None, target: float = 0.8,
                        n_fail: int = 5) -> Claim:  # fmt: skip
    """Algorithm 1 per size on the power-law-frequency runs; power law of the threshold."""
    cid = CLAIM_IDS[5]
    from mixphase.theory.threshold_popularity import threshold_popularity

    per, pts = [], []
    for size, rs in by_size([r for r in grouped if "bio_correct_by_person" in r]).items():
        items_x, items_y = [], []
        for r in rs:  # seeds: all items pooled
            a = r.get("bio_prompts_per_person", r["n_attributes"])  # attributes x templates
            for k, e in zip(r["bio_correct_by_person"], r["person_exposures"], strict=True):
                items_x += [e] * a
                items_y += [1] * k + [0] * (a - k)
        x, y = np.asarray(items_x), np.asarray(items_y)
        thr = threshold_popularity(x, y, target=target, n_fail=n_fail)
        censored = bool(thr >= x.max() or thr <= x.min())
        per.append({"size": size, "params": rs[0]["params"], "ratio": rs[0]["ratio"],
                    "threshold_exposures": thr, "accuracy": float(y.mean()),
                    "censored": censored})  # fmt: skip
        if not censored:
            pts.append((rs[0]["params"], thr))
    nums = {"per_size": per, "algorithm_1": {"target": target, "n_fail": n_fail},
            "alpha": _est(alpha)}  # fmt: skip
    if len(pts) < 3:
        return Claim(cid, NOT_TESTED, nums, f"needs >= 3 sizes with an uncensored threshold, "
                     f"have {len(pts)}")  # fmt: skip
    from mixphase.fit import fit_power_law

    pred = None if alpha is None else -(alpha.median + 1)
    n, t = zip(*pts, strict=True)
    fit = fit_power_law(np.asarray(n, float), np.asarray(t, float), predicted_exponent=pred)
    e = fit.exponent
    nums["fitted_exponent"] = _est(e)
    txt = f"threshold exposures ∝ params^{e.median:.2f} [{e.lower:.2f}, {e.upper:.2f}]"
    if alpha is None:
        nums["predicted_exponent"] = None
        ok = e.upper < 0
        return Claim(cid, NOT_HELD if not ok else NOT_TESTED, nums,
                     txt + "; no alpha measured, so the slope cannot be compared")  # fmt: skip
    p = Estimate(-(alpha.median + 1), -(alpha.upper + 1), -(alpha.lower + 1), alpha.level)
    nums["predicted_exponent"] = _est(p)
    falls = e.upper < 0
    overlap = e.lower <= p.upper and p.lower <= e.upper
    txt += f" vs -(alpha+1) = {p.median:.2f} [{p.lower:.2f}, {p.upper:.2f}]"
    if falls and overlap:
        return Claim(cid, HELD, nums, "the threshold frequency falls with size and its slope "
                     "matches: " + txt)  # fmt: skip
    why = "does not fall with size" if not falls else "falls, but the slope differs"
    return Claim(cid, NOT_HELD, nums, f"the threshold {why}: " + txt)


# ---------------------------------------------------------------------------------------------
# Claim 7


@dataclass
class SubsampleTest:
    size: str
    params: int
    ratio: float
    critical_ratio: float
    best_keep: float  # advise's best keep fraction
    collapse_at: float  # advise's collapse_at (uncapped)
    n_people: int
    kept_best: list[dict] = field(default_factory=list)
    kept_above: list[dict] = field(default_factory=list)  # keep > collapse_at

    def numbers(self) -> dict:
        def part(rows):
            if not rows:
                return None
            k = rows[0]["n_people"]
            return {"people_kept": k, "keep_fraction": k / self.n_people,
                    "accuracy": _acc(rows), "facts_learned": _acc(rows) * k,
                    "seeds": [r["seed"] for r in rows]}  # fmt: skip

        return {"size": self.size, "params": self.params, "ratio": self.ratio,
                "critical_ratio": self.critical_ratio, "advise_best_keep": self.best_keep,
                "advise_collapse_at": self.collapse_at, "n_people": self.n_people,
                "keep_best": part(self.kept_best), "keep_above_collapse": part(self.kept_above)}  # fmt: skip


def subsampling(tests: list[SubsampleTest], why_not: str = "") -> Claim:
    cid = CLAIM_IDS[6]
    usable = [t for t in tests if t.kept_best and t.kept_above]
    if not usable:
        return not_tested(cid, why_not or "no subsampling runs")
    per, oks = [], []
    for t in usable:
        n = t.numbers()
        ok = bool(n["keep_best"]["accuracy"] >= LEARNED
                  and n["keep_above_collapse"]["accuracy"] < BELOW)  # fmt: skip
        n["passes"] = ok
        per.append(n)
        oks.append(ok)
    txt = "; ".join(
        f"{p['size']} r={p['ratio']:g} (r_c {p['critical_ratio']:.3g}): keep "
        f"{p['keep_best']['keep_fraction']:.2f} (advise {p['advise_best_keep']:.2f}) -> acc "
        f"{p['keep_best']['accuracy']:.2f}; keep {p['keep_above_collapse']['keep_fraction']:.2f} "
        f"(> collapse_at {p['advise_collapse_at']:.2f}) -> acc "
        f"{p['keep_above_collapse']['accuracy']:.2f}"
        for p in per
    )
    nums = {"per_size": per, "thresholds": {"learned": LEARNED, "below": BELOW}}
    return Claim(cid, HELD if all(oks) else NOT_HELD, nums, txt)


def finite(x) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(x)
