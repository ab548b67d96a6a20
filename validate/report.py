"""Compare a sweep with the knapsack theory (Gu et al. 2025, Thm 4.3 and eqs. 4-6).

1. Per model size, the empirical critical ratio ``r_c``: a transition fitted to the memorisation
   accuracy (correct / total biography attributes) against the ratio
   (:func:`mixphase.fit.fit_transition`), with its credible interval.
2. alpha from the web-only runs (ratio 0): the synthetic web's value-token loss has floor 0 (a
   value is determined by its key), so ``web_loss = A * params^-alpha`` is fitted directly
   (:func:`mixphase.fit.fit_power_law`). With ``--web-data`` text the floor is unknown and alpha
   is not estimated.
3. The theory predicts ``r_c/(1-r_c) ~ params^-(alpha+1)``. The odds of the critical ratios are
   fitted as a power law of params; the prediction *held* if the fitted exponent's interval and
   the predicted exponent's interval (from alpha's) overlap.

If the fit layer is unavailable, a fallback is used and said so: the 0.5 crossing by log-linear
interpolation (no interval) and an ordinary least-squares line in log-log with a t interval.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mixphase.io import atomic_write
from mixphase.records import Estimate, dumps


@dataclass
class SizeTransition:
    size: str
    params: int
    ratios: list[float]
    accuracy: list[float]
    critical: Estimate | None
    in_range: bool
    method: str
    totals: list[int] | None = None  # scored answers per ratio (binomial intervals in the figure)

    def to_dict(self) -> dict:
        return {"size": self.size, "params": self.params, "ratios": self.ratios,
                "accuracy": self.accuracy, "critical_ratio": self.critical,
                "in_range": self.in_range, "method": self.method}  # fmt: skip


@dataclass
class SweepReport:
    transitions: list[SizeTransition]
    alpha: Estimate | None
    exponent: Estimate | None
    predicted_exponent: Estimate | None
    held: bool | None
    fit_method: str
    web_points: list[tuple[int, float]] = field(default_factory=list)
    controls: list[dict] = field(default_factory=list)
    control_verdict: str | None = None
    n_runs: int = 0

    def to_dict(self) -> dict:
        return {
            "n_runs": self.n_runs,
            "transitions": [t.to_dict() for t in self.transitions],
            "alpha": self.alpha,
            "critical_ratio_exponent": self.exponent,
            "predicted_exponent": self.predicted_exponent,
            "prediction_held": self.held,
            "fit_method": self.fit_method,
            "web_loss_by_params": self.web_points,
            "controls": self.controls,
            "control_verdict": self.control_verdict,
        }

    def __str__(self) -> str:
        lines = [f"Sweep comparison ({self.n_runs} runs; fits: {self.fit_method})", ""]
        lines.append("size            params   critical ratio (acc 0.5)   accuracy by ratio")
        for t in self.transitions:
            acc = " ".join(f"{r:g}:{a:.2f}" for r, a in zip(t.ratios, t.accuracy, strict=True))
            crit = str(t.critical) if t.critical is not None else "-"
            if not t.in_range:
                crit += " (outside the swept ratios)"
            lines.append(f"{t.size:<14} {t.params:>7}   {crit:<26} {acc}")
        lines.append("")
        lines.append(f"alpha (web-only runs): {self.alpha if self.alpha else 'not measured'}")
        lines.append(
            f"fitted exponent of r_c/(1-r_c) vs params: {self.exponent or 'not enough sizes'}"
        )
        lines.append(f"predicted exponent -(alpha+1): {self.predicted_exponent or 'n/a'}")
        if self.held is None:
            lines.append("Prediction: not testable from these runs.")
        else:
            lines.append("Prediction HELD: the intervals overlap." if self.held
                         else "Prediction did NOT hold: the intervals do not overlap.")  # fmt: skip
        if self.controls:
            lines.append("")
            lines.append("Controls (at the highest ratio below the transition):")
            for c in self.controls:
                lines.append(f"  {c['size']} r={c['ratio']:g}: base {c['base']:.3f}, 3x steps "
                             f"{c.get('longer', float('nan')):.3f}, 10-fact web "
                             f"{c.get('trivial_web', float('nan')):.3f}")  # fmt: skip
            lines.append(f"  verdict: {self.control_verdict}")
        return "\n".join(lines)

    def save(self, out: str | os.PathLike) -> None:
        out = Path(out)
        with atomic_write(out / "report.json") as fh:
            json.dump(json.loads(dumps(self)), fh, indent=1)
        with atomic_write(out / "report.txt") as fh:
            fh.write(str(self) + "\n")
        try:
            self.figure(out / "sweep.png")
        except Exception as exc:  # a figure is a bonus; never lose the report over it
            warnings.warn(f"figure not written: {exc}", stacklevel=2)

    def figure(self, path: str | os.PathLike) -> None:
        from mixphase.validate.sweep_figure import draw_sweep

        draw_sweep(self, path)


def _odds(r: float) -> float:
    r = min(max(r, 1e-9), 1 - 1e-9)
    return r / (1 - r)


def _fit_layer():
    try:
        from mixphase.fit import fit_power_law, fit_transition

        return fit_transition, fit_power_law
    except ImportError:
        return None


def _interp_critical(ratios: np.ndarray, acc: np.ndarray, level: float = 0.5) -> Estimate | None:
    """First crossing of ``level``, log-linear interpolation in r (fallback, no interval)."""
    for i in range(1, len(ratios)):
        if acc[i - 1] < level <= acc[i]:
            x0, x1 = math.log(ratios[i - 1]), math.log(ratios[i])
            f = (level - acc[i - 1]) / (acc[i] - acc[i - 1])
            return Estimate.point(math.exp(x0 + f * (x1 - x0)))
    return None


def _ols_power_law(x, y, ci: float = 0.9) -> Estimate | None:
    from scipy import stats

    lx, ly = np.log(np.asarray(x, float)), np.log(np.asarray(y, float))
    if len(lx) < 3:
        if len(lx) == 2:
            return Estimate.point((ly[1] - ly[0]) / (lx[1] - lx[0]))
        return None
    res = stats.linregress(lx, ly)
    t = stats.t.ppf((1 + ci) / 2, len(lx) - 2)
    return Estimate(res.slope, res.slope - t * res.stderr, res.slope + t * res.stderr, ci)


def main_sweep_rows(rows: list[dict]) -> list[dict]:
    """Rows of a ``validate sweep`` results file that belong to the sweep itself.

    Such files (rows with ``key`` and ``steps``) also hold web-only runs (ratio 0) and the control
    runs (3x longer, or a 10-fact web): keep the positive ratios of the most common (steps, web)
    configuration. Other files pass through unchanged.
    """
    if not all("key" in r and "steps" in r for r in rows):
        return rows

    def config(r):
        return (r["steps"], json.dumps((r.get("data") or {}).get("web"), sort_keys=True))

    rows = [r for r in rows if r.get("ratio") not in (0, 0.0, "0")]
    if not rows:
        return rows
    configs = [config(r) for r in rows]
    main = max(set(configs), key=configs.count)
    return [r for r, c in zip(rows, configs, strict=True) if c == main]


def compare(results: list[dict], *, keys: set[str] | None = None, ci: float = 0.9,
            seed: int = 0) -> SweepReport:  # fmt: skip
    """Critical ratio per size, alpha from web-only runs, fitted vs predicted exponent."""
    main = [r for r in results if keys is None or r["key"] in keys]
    fitters = _fit_layer()
    method = (
        "mixphase.fit" if fitters else "fallback (interpolation / OLS): mixphase.fit unavailable"
    )
    by_size: dict[str, list[dict]] = {}
    for r in main:
        by_size.setdefault(r["size"], []).append(r)
    transitions = []
    for size, rs in sorted(by_size.items(), key=lambda kv: kv[1][0]["params"]):
        rs = sorted((r for r in rs if r["ratio"] > 0), key=lambda r: r["ratio"])
        if not rs:
            continue
        ratios = np.array([r["ratio"] for r in rs])
        # average seeds at the same ratio
        ur = np.unique(ratios)
        correct = np.array([sum(r["bio_correct"] for r in rs if r["ratio"] == u) for u in ur])
        total = np.array([sum(r["bio_total"] for r in rs if r["ratio"] == u) for u in ur])
        uacc = correct / total
        in_range = bool(uacc.min() < 0.5 <= uacc.max())
        crit, how = None, "interpolation"
        if fitters and len(ur) >= 3 and in_range:
            try:
                tf = fitters[0](ur, correct=correct, total=total, ci=ci, seed=seed)
                crit, how = tf.critical, "fit_transition"
            except Exception as exc:  # keep the report; say why
                how = f"interpolation (fit_transition failed: {exc})"
        if crit is None and in_range:
            crit = _interp_critical(ur, uacc)
        transitions.append(SizeTransition(size, int(rs[0]["params"]), ur.tolist(), uacc.tolist(),
                                          crit, in_range, how, total.astype(int).tolist()))  # fmt: skip
    # alpha from web-only runs (synthetic web only: the floor is 0)
    web = sorted((r["params"], r["web_loss"]) for r in main
                 if r["ratio"] == 0 and r.get("data", {}).get("kind", "synthetic") == "synthetic")  # fmt: skip
    alpha = None
    if len({n for n, _ in web}) >= 2:
        n, w = map(np.asarray, zip(*web, strict=True))
        e = _power_law(fitters, n, w, ci=ci, seed=seed)
        if e is not None:
            alpha = Estimate(-e.median, -e.upper, -e.lower, e.level)
    pts = [t for t in transitions if t.critical is not None and t.in_range]
    exponent = predicted = held = None
    if len(pts) >= 2:
        n = np.array([t.params for t in pts], float)
        odds = np.array([_odds(t.critical.median) for t in pts])
        lo = np.array([_odds(t.critical.lower) for t in pts])
        hi = np.array([_odds(t.critical.upper) for t in pts])
        pe = -(alpha.median + 1) if alpha else None
        exponent = _power_law(fitters, n, odds, lo, hi, ci=ci, seed=seed, predicted=pe)
    if alpha is not None:
        predicted = Estimate(
            -(alpha.median + 1), -(alpha.upper + 1), -(alpha.lower + 1), alpha.level
        )
        if exponent is not None:
            held = bool(exponent.lower <= predicted.upper and predicted.lower <= exponent.upper)
    rep = SweepReport(transitions, alpha, exponent, predicted, held, method, web,
                      n_runs=len(main))  # fmt: skip
    rep.controls, rep.control_verdict = _controls(results, main)
    return rep


def _power_law(fitters, x, y, lo=None, hi=None, *, ci, seed, predicted=None) -> Estimate | None:
    if fitters and len(x) >= 3:
        try:
            kw = {"predicted_exponent": predicted} if predicted is not None else {}
            pl = fitters[1](x, y, y_lower=lo, y_upper=hi, ci=ci, seed=seed, **kw)
            return pl.exponent
        except Exception:
            pass
    return _ols_power_law(x, y, ci)


def _controls(results: list[dict], main: list[dict]) -> tuple[list[dict], str | None]:
    """Pair each control run (3x steps, or 10-fact web) with its base run."""
    base_by = {(r["size"], r["ratio"], r["seed"]): r for r in main}
    main_keys = {r["key"] for r in main}
    rows: dict[tuple, dict] = {}
    for r in results:
        if r["key"] in main_keys or r["ratio"] == 0:
            continue
        b = base_by.get((r["size"], r["ratio"], r["seed"]))
        if b is None:
            continue
        row = rows.setdefault((r["size"], r["ratio"]), {"size": r["size"], "ratio": r["ratio"],
                                                       "base": b["memorization_accuracy"]})  # fmt: skip
        if r["steps"] > b["steps"]:
            row["longer"] = r["memorization_accuracy"]
        elif "facts=" in r["key"]:
            row["trivial_web"] = r["memorization_accuracy"]
    ctl = list(rows.values())
    if not ctl:
        return [], None
    cap = [c for c in ctl if "longer" in c and "trivial_web" in c]
    if not cap:
        return ctl, "incomplete"
    capacity = all(c["longer"] - c["base"] < 0.5 * (1 - c["base"]) and c["trivial_web"] >= 0.9
                   for c in cap)  # fmt: skip
    exposure = any(c["longer"] >= 0.9 for c in cap)
    verdict = ("capacity-limited (knapsack): 3x longer training does not close the gap, "
               "a trivial web lets the biographies in" if capacity else
               "exposure-limited: longer training learns the biographies" if exposure else
               "mixed: see the table")  # fmt: skip
    return ctl, verdict
