"""Knowledge-mixing advice: what a mixing ratio does for given model sizes, and what to change.

Everything is computed from :class:`mixphase.theory.KnapsackModel` (Gu et al. 2025, arXiv
2505.18091) and the strategies in :mod:`mixphase.theory.strategies`, once per posterior draw of
the calibrated scale (:mod:`mixphase.advise.calibration`): a number where the scale is a point
(uncalibrated theory, or an anchor), a ``{"median", "lower", "upper"}`` record where it has a
posterior.

Exposures. The theory assumes a sufficiently trained model. mixphase warns below
:data:`EXPOSURES_MIN` = 100 exposures per fact: small CPU runs needed ~100-150 exposures to learn a
random fact at all (``shared/notes/validation.md``), and Allen-Zhu & Li (2024, Physics of LMs 3.3)
measure ~1 bit/parameter at 100 exposures; below that, learning is exposure-limited and the
capacity model does not apply. Between 100 and :data:`EXPOSURES_FULL` = 1000 it notes that the
~2 bits/parameter capacity is reached only at ~1000 exposures (Allen-Zhu & Li), so the default
``--bits-per-param 2`` is optimistic there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixphase.records import Estimate
from mixphase.theory import strategies as st
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.predictions import assumption_lines, assumptions, format_size

from .calibration import Calibration, uncalibrated

EXPOSURES_MIN = 100.0
EXPOSURES_FULL = 1000.0
#: Tokens of a compact rephrasing of one SynBio biography (name + 5 values as a tuple): our estimate.
COMPACT_TOKENS_PER_FACT = 20.0

UNCALIBRATED_NOTE = (
    "UNCALIBRATED THEORY: the scale (bits per parameter x per-token exposure) is the paper's "
    "assumption, not measured on your setup; numbers may be off by a large constant factor. "
    "Give --critical-ratio (one measured critical ratio) or --calibrate FILE (your runs)."
)


@dataclass(frozen=True)
class KnowledgeAdvice:
    """The advice for one ratio and several model sizes (``rows``), ready to print or dump."""

    model: KnapsackModel  # the input model (before calibration)
    calibration: Calibration
    ratio: float
    sizes: np.ndarray
    rows: list[dict]
    min_model_size: float | Estimate
    settings: dict
    warnings: list[str] = field(default_factory=list)
    web_fit: object | None = None

    def to_dict(self) -> dict:
        out = {
            "ratio": self.ratio,
            "calibrated": self.calibration.calibrated,
            "calibration": self.calibration.to_dict(),
            "predictions": self.rows,
            "min_model_size": self.min_model_size,
            "settings": self.settings,
            "assumptions": assumptions(self.model),
            "warnings": self.warnings,
        }
        if self.web_fit is not None:
            out["web_fit"] = self.web_fit.to_dict()
        return out

    def __str__(self) -> str:
        cal, s = self.calibration, self.settings
        lines = [
            f"Mixing advice for the knowledge set at ratio r={self.ratio:g} "
            "(knapsack model, Gu et al. 2025)",
            *assumption_lines(self.model),
        ]
        if self.web_fit is not None:
            wf = self.web_fit
            lines.append(f"  web law fitted to {wf.points} web runs (E={wf.E:g} fixed): "
                         f"alpha={wf.alpha}, A={wf.A}")  # fmt: skip
        if not cal.calibrated:
            lines.append(f"  {UNCALIBRATED_NOTE}")
        elif cal.method == "anchor":
            d = cal.details
            lines.append(
                f"  calibrated on your critical ratio {d['anchor_critical_ratio']:g} at "
                f"{format_size(d['anchor_size'])}: effective {_f(cal.to_dict()['bits_per_param'])} "
                "bits/param (a point: no interval)"
            )
        else:
            lines.append(
                f"  calibrated on {cal.details['points']} runs: effective bits/param "
                f"{_f(cal.to_dict()['bits_per_param'])}; [ ] = {cal.level:.0%} credible intervals"
            )
        lines += ["", f"  {'model size':>10}  {'r_crit':>22}  {'learns':>6}  {'learned':>22}  "
                      f"{'best keep':>22}  {'facts there':>22}  {'collapse_at':>22}"]  # fmt: skip
        for row in self.rows:
            sub = row["subsample"]
            learns = "yes" if row["learns"] else "no"
            if "learns_probability" in row:
                learns = f"{row['learns_probability']:.0%}"
            lines.append(
                f"  {format_size(row['model_size']):>10}  {_f(row['critical_ratio']):>22}  {learns:>6}"
                f"  {_f(row['learned_fraction']):>22}  {_f(sub['keep_fraction']):>22}"
                f"  {_f(sub['expected_facts']):>22}  {_f(sub['collapse_at']):>22}"
            )
        lines += [
            "",
            f"  Compact rephrasings ({s['compact_tokens_per_fact']:g} tokens instead of "
            f"{self.model.knowledge.tokens_per_fact:g} per fact, inside the same ratio):",
            f"  {'model size':>10}  {'x freq (onset)':>22}  {'compact share':>22}  "
            f"{'x freq (all)':>22}  {'compact share':>22}",
        ]
        for row in self.rows:
            c = row["ckm"]
            lines.append(
                f"  {format_size(row['model_size']):>10}  {_f(c['multiplier']):>22}  "
                f"{_f(c['compact_token_share']):>22}  {_f(c['multiplier_all']):>22}  "
                f"{_f(c['compact_token_share_all']):>22}"
            )
        unit = f"{self.model.web.loss_unit}/token"
        lines += [
            "",
            f"  To learn {s['target_share']:.0%} of the set (keeping all of it); web-loss increase "
            f"in {unit} under the allocation model:",
            f"  {'model size':>10}  {'ratio needed':>22}  {'web loss +':>22}  "
            f"{'web loss + at r now':>22}",
        ]
        for row in self.rows:
            t = row["target"]
            lines.append(
                f"  {format_size(row['model_size']):>10}  {_f(t['ratio']):>22}  "
                f"{_f(t['web_loss_increase']):>22}  {_f(row['web_loss_increase']):>22}"
            )
        if any("budget" in row for row in self.rows):
            lines += [
                "",
                f"  Best plan within the budget (max ratio {s.get('max_ratio')}, max web-loss "
                f"increase {s.get('max_web_loss_increase')} {unit}):",
                f"  {'model size':>10}  {'ratio':>22}  {'keep':>22}  {'facts':>22}  {'web loss +':>22}",
            ]
            for row in self.rows:
                b = row["budget"]
                lines.append(
                    f"  {format_size(row['model_size']):>10}  {_f(b['ratio']):>22}  "
                    f"{_f(b['keep_fraction']):>22}  {_f(b['expected_facts']):>22}  "
                    f"{_f(b['web_loss_increase']):>22}"
                )
        lines.append("")
        lines.append(f"  Smallest model that learns anything at r={self.ratio:g}: "
                     f"{_f(self.min_model_size, size=True)} parameters")  # fmt: skip
        exp = self.rows[0]["exposures"]
        if exp["per_fact"] is None:
            lines.append("  Exposures per fact: give --training-tokens to check them.")
        else:
            per_kept = ", ".join(
                f"{format_size(r['model_size'])}: {_f(r['exposures']['per_kept_fact'])}"
                for r in self.rows
            )
            lines.append(f"  Exposures per fact r*T/S1 = {exp['per_fact']:.4g}; per kept fact at the "
                         f"best keep fraction: {per_kept}")  # fmt: skip
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _f(v, size: bool = False) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, Estimate):
        if not np.isfinite(v.lower):
            return "never"
        if size:
            return f"{format_size(v.median)} [{format_size(v.lower)}, {format_size(v.upper)}]"
        return str(v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    v = float(v)
    if not np.isfinite(v):
        return "never"
    return format_size(v) if size else f"{v:.4g}"


def _per_model(m: KnapsackModel, n: np.ndarray, r: float, target: float, c_tokens: float,
               max_ratio, max_dloss) -> dict[str, np.ndarray]:  # fmt: skip
    """Every advised quantity for one (calibrated) model, one value per model size."""
    k = m.knowledge
    keep = np.atleast_1d(st.best_keep_fraction(m, n, r))
    mult = np.atleast_1d(st.compact_multiplier(m, n, r))
    with np.errstate(invalid="ignore"):
        mult_all = np.atleast_1d(st.compact_multiplier(m, n, r, 1.0))
    out = {
        "critical_ratio": np.atleast_1d(m.critical_ratio(n)),
        "learned_fraction": np.atleast_1d(m.learned_fraction(n, r)),
        "keep_fraction": keep,
        "expected_facts": np.array(
            [st.expected_facts(m, ni, r, ki) for ni, ki in zip(n, keep, strict=True)]
        ),
        "collapse_at": np.minimum(np.atleast_1d(st.collapse_keep_fraction(m, n, r)), 1.0),
        "multiplier": mult,
        "multiplier_all": np.where(np.isnan(mult_all), np.inf, mult_all),
        "compact_token_share": st.compact_token_share(mult, k.tokens_per_fact, c_tokens),
        "compact_token_share_all": st.compact_token_share(mult_all, k.tokens_per_fact, c_tokens),
        "target_ratio": np.atleast_1d(m.critical_ratio(n, target)),
        "target_web_loss_increase": np.atleast_1d(
            st.web_loss_increase(m, n, target * k.total_bits)
        ),
        "web_loss_increase": np.atleast_1d(
            st.web_loss_increase(m, n, m.stored_knowledge_bits(n, r))
        ),
        "min_model_size": np.array([m.critical_size(r)]),
    }
    if max_ratio is not None or max_dloss is not None:
        plans = np.array([st.best_plan(m, ni, max_ratio, max_dloss) for ni in n])
        for j, name in enumerate(("budget_keep", "budget_ratio", "budget_facts", "budget_dloss")):
            out[name] = plans[:, j]
    return out


def advise_knowledge(
    model: KnapsackModel,
    sizes,
    ratio: float,
    *,
    training_tokens: float | None = None,
    calibration: Calibration | None = None,
    target_share: float = 0.9,
    compact_tokens_per_fact: float = COMPACT_TOKENS_PER_FACT,
    max_ratio: float | None = None,
    max_web_loss_increase: float | None = None,
    web_fit=None,
) -> KnowledgeAdvice:
    """The advice record for ``ratio`` at each of ``sizes`` (inputs checked by the caller/CLI)."""
    cal = calibration or uncalibrated(model)
    n = np.atleast_1d(np.asarray(sizes, dtype=float))
    r = float(ratio)
    per = [_per_model(m, n, r, target_share, compact_tokens_per_fact, max_ratio, max_web_loss_increase)
           for m in cal.models(model)]  # fmt: skip
    min_size = np.array([p.pop("min_model_size")[0] for p in per])
    draws = {key: np.stack([p[key] for p in per]) for key in per[0]}  # (draws, sizes)
    summ = cal.summary
    k = model.knowledge
    per_fact = None if training_tokens is None else r * training_tokens / k.tokens
    rows, warnings = [], []
    for i, size in enumerate(n):
        col = {key: v[:, i] for key, v in draws.items()}
        learns = col["learned_fraction"] > 0
        row = {
            "model_size": float(size),
            "critical_ratio": summ(col["critical_ratio"]),
            "learns": bool(np.median(col["learned_fraction"]) > 0),
            "learned_fraction": summ(col["learned_fraction"]),
            "subsample": {
                "keep_fraction": summ(col["keep_fraction"]),
                "expected_facts": summ(col["expected_facts"]),
                "collapse_at": summ(col["collapse_at"]),
            },
            "ckm": {
                "multiplier": summ(col["multiplier"]),
                "compact_token_share": summ(col["compact_token_share"]),
                "multiplier_all": summ(col["multiplier_all"]),
                "compact_token_share_all": summ(col["compact_token_share_all"]),
            },
            "target": {
                "share": target_share,
                "ratio": summ(col["target_ratio"]),
                "web_loss_increase": summ(col["target_web_loss_increase"]),
            },
            "web_loss_increase": summ(col["web_loss_increase"]),
            "exposures": {
                "per_fact": per_fact,
                "per_kept_fact": None
                if per_fact is None
                else summ(per_fact / col["keep_fraction"]),
            },
        }
        if cal.has_interval:
            row["learns_probability"] = float(np.mean(learns))
        if "budget_keep" in col:
            row["budget"] = {
                "ratio": summ(col["budget_ratio"]),
                "keep_fraction": summ(col["budget_keep"]),
                "expected_facts": summ(col["budget_facts"]),
                "web_loss_increase": summ(col["budget_dloss"]),
            }
        rows.append(row)
    if per_fact is not None:
        warnings += _exposure_warnings(per_fact, cal.calibrated)
    if not cal.calibrated:
        warnings.append(UNCALIBRATED_NOTE)
    if cal.method == "sweep" and cal.details.get("draws") == "approximate":
        warnings.append(
            "the fit exposed no posterior draws: intervals use a log-normal approximation"
        )
    settings = {
        "target_share": target_share,
        "compact_tokens_per_fact": compact_tokens_per_fact,
        "max_ratio": max_ratio,
        "max_web_loss_increase": max_web_loss_increase,
        "training_tokens": training_tokens,
        "credible_level": cal.level if cal.has_interval else None,
        "exposure_cutoffs": {"min": EXPOSURES_MIN, "full_capacity": EXPOSURES_FULL},
    }
    return KnowledgeAdvice(model, cal, r, n, rows, summ(min_size), settings,
                           warnings, web_fit)  # fmt: skip


def _exposure_warnings(per_fact: float, calibrated: bool) -> list[str]:
    if per_fact < EXPOSURES_MIN:
        return [
            f"each fact is seen only {per_fact:.3g} times (r*T/S1) in training: below ~{EXPOSURES_MIN:g} "
            "exposures a random fact is not learned at all (small CPU runs, shared/notes/"
            "validation.md; Allen-Zhu & Li 2024, ~1 bit/param at 100 exposures), so learning is "
            "exposure-limited and the capacity model's 'sufficiently trained' assumption fails"
        ]
    if per_fact < EXPOSURES_FULL and not calibrated:  # a calibration measures the capacity
        return [
            f"each fact is seen {per_fact:.3g} times: the ~2 bits/param capacity needs ~"
            f"{EXPOSURES_FULL:g} exposures (Allen-Zhu & Li 2024), so uncalibrated numbers are "
            "optimistic (effective capacity nearer 1 bit/param)"
        ]
    return []
