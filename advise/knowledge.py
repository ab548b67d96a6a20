"""Knowledge-mixing advice: what a ratio does for given model sizes, and what to change.

Every number is computed per draw of the model (:mod:`mixphase.advise.calibration`: the priors,
or the posterior given your runs) from :class:`mixphase.theory.KnapsackModel`, the accuracy model
(:mod:`mixphase.theory.accuracy`) and the strategy searches (:mod:`mixphase.theory.strategy_search`),
and reported as ``{median, lower, upper}``. ``accuracy`` is what a new run would measure (its
seed effect included); ``learned_fraction`` is the knapsack's share of the set memorised.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixphase.records import Estimate
from mixphase.tables import table_lines
from mixphase.theory import strategy_search as ss
from mixphase.theory.predictions import assumption_lines, assumptions, format_size

from .calibration import Calibration, extrapolation_warnings, uncalibrated

#: Tokens of a compact rephrasing of one SynBio biography (name + 5 values as a tuple): our estimate.
COMPACT_TOKENS_PER_FACT = 20.0
#: Below this many exposures the exposure curve extrapolates far below Allen-Zhu & Li's data.
EXPOSURES_MIN = 10.0


@dataclass(frozen=True)
class KnowledgeAdvice:
    """The advice for one ratio and several model sizes (``rows``), ready to print or dump."""

    calibration: Calibration
    ratio: float
    sizes: np.ndarray
    rows: list[dict]
    min_model_size: Estimate
    settings: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def model(self):
        return self.calibration.draws.base

    def to_dict(self) -> dict:
        return {"ratio": self.ratio, "calibrated": self.calibration.calibrated,
                "calibration": self.calibration.to_dict(), "predictions": self.rows,
                "min_model_size": self.min_model_size, "settings": self.settings,
                "assumptions": assumptions(self.model), "warnings": self.warnings}  # fmt: skip

    def __str__(self) -> str:
        s, k = self.settings, self.model.knowledge
        lines = [f"Mixing advice for the knowledge set at ratio r={self.ratio:g} "
                 "(knapsack model, Gu et al. 2025; finite training and accuracy ramp: ours)",
                 *assumption_lines(self.model, web=self.calibration.web),
                 *self.calibration.lines(), ""]  # fmt: skip
        lines += table_lines(self.rows, [
            ("model size", lambda r: format_size(r["model_size"])),
            ("r_crit onset", lambda r: r["critical_ratio"]),
            ("r at 50% acc.", lambda r: r["critical_ratio_50"]),
            ("learned", lambda r: r["learned_fraction"]),
            ("accuracy (new run)", lambda r: r["accuracy"]),
            ("P(learns)", lambda r: f"{r['learns_probability']:.0%}")])  # fmt: skip
        lines += ["", "  Random subsampling (keep a fraction of the facts):"]
        lines += table_lines(self.rows, [
            ("model size", lambda r: format_size(r["model_size"])),
            ("best keep", lambda r: r["subsample"]["keep_fraction"]),
            ("facts there", lambda r: r["subsample"]["expected_facts"]),
            ("collapse_at", lambda r: r["subsample"]["collapse_at"])])  # fmt: skip
        lines += ["", f"  Compact rephrasings ({s['compact_tokens_per_fact']:g} tokens instead of "
                      f"{float(k.tokens_per_fact):g} per fact, inside the same ratio):"]  # fmt: skip
        lines += table_lines(self.rows, [
            ("model size", lambda r: format_size(r["model_size"])),
            ("x freq (onset)", lambda r: r["ckm"]["multiplier"]),
            ("compact share", lambda r: r["ckm"]["compact_token_share"]),
            ("x freq (all)", lambda r: r["ckm"]["multiplier_all"]),
            ("compact share (all)", lambda r: r["ckm"]["compact_token_share_all"])])  # fmt: skip
        unit = f"{self.calibration.web.draws.loss_unit}/token"
        lines += ["", f"  To learn {s['target_share']:.0%} of the set (keeping all of it); "
                      f"web-loss increase in {unit}:"]  # fmt: skip
        lines += table_lines(self.rows, [
            ("model size", lambda r: format_size(r["model_size"])),
            ("ratio needed", lambda r: r["target"]["ratio"]),
            ("web loss +", lambda r: r["target"]["web_loss_increase"]),
            ("web loss + at r now", lambda r: r["web_loss_increase"])])  # fmt: skip
        if "budget" in self.rows[0]:
            lines += ["", f"  Best plan within the budget (max ratio {s.get('max_ratio')}, max "
                          f"web-loss increase {s.get('max_web_loss_increase')} {unit}):"]  # fmt: skip
            lines += table_lines(self.rows, [
                ("model size", lambda r: format_size(r["model_size"])),
                ("ratio", lambda r: r["budget"]["ratio"]),
                ("keep", lambda r: r["budget"]["keep_fraction"]),
                ("facts", lambda r: r["budget"]["expected_facts"]),
                ("web loss +", lambda r: r["budget"]["web_loss_increase"])])  # fmt: skip
        m = self.min_model_size
        lines += ["", f"  Smallest model that learns anything at r={self.ratio:g}: "
                      f"{format_size(m.median)} [{format_size(m.lower)}, {format_size(m.upper)}] "
                      "parameters"]  # fmt: skip
        e = self.rows[0]["exposures"]["per_fact"]
        lines.append("  Exposures per fact r*T/S1: " + ("give --training-tokens (without it the "
                     "model is fully trained)" if e is None else f"{e:.4g}"))  # fmt: skip
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _draws_per_size(d, n: np.ndarray, r: float, target: float, c_tokens: float, max_ratio,
                    max_dloss) -> dict[str, np.ndarray]:  # fmt: skip
    """Every advised quantity as a ``(D, P)`` array (draws x sizes)."""
    m = d.model
    k = m.knowledge
    row = n[None, :]
    keep = ss.best_keep_fraction(m, row, r)
    mult = ss.frequency_multiplier(m, row, r, 0.0)
    mult_all = ss.frequency_multiplier(m, row, r, 1.0)
    gain = float(k.tokens_per_fact) / c_tokens - 1.0
    share = lambda mu: np.where(mu <= 1, 0.0, (mu - 1) / gain if gain > 0 else np.inf)  # noqa: E731
    phi = np.asarray(m.learned_fraction(row, r))
    out = {
        "critical_ratio": d.critical_ratio(n),
        "critical_ratio_50": d.ratio_at_accuracy(n, 0.5),
        "learned_fraction": phi,
        "accuracy": d.accuracy(n, r, predictive=True),
        "keep_fraction": keep,
        "expected_facts": ss.expected_facts(m, row, r, keep),
        "collapse_at": ss.collapse_keep_fraction(m, row, r),
        "multiplier": mult,
        "multiplier_all": mult_all,
        "compact_token_share": np.where(share(mult) > 1, np.inf, share(mult)),
        "compact_token_share_all": np.where(share(mult_all) > 1, np.inf, share(mult_all)),
        "target_ratio": d.critical_ratio(n, target),
        "web_loss_increase": ss.web_loss_increase(m, row, phi * k.total_bits, r),
    }
    with np.errstate(invalid="ignore"):
        tr = np.where(np.isnan(out["target_ratio"]), 0.5, out["target_ratio"])
        out["target_web_loss_increase"] = np.where(
            np.isnan(out["target_ratio"]), np.inf,
            ss.web_loss_increase(m, row, target * k.total_bits, tr))  # fmt: skip
    if max_ratio is not None or max_dloss is not None:
        out.update(_budget(m, row, r, max_ratio, max_dloss))
    return out


def _budget(m, row, r, max_ratio, max_dloss) -> dict[str, np.ndarray]:
    """Most facts with ratio <= max_ratio and web-loss increase <= max_dloss (costs at the
    effective size of the ratio the plan is capped at)."""
    k = m.knowledge
    r_cap = r if max_ratio is None else max_ratio
    facts = np.broadcast_to(np.asarray(k.n_facts, dtype=float), np.broadcast_shapes(
        row.shape, np.shape(m.bits_per_param))).copy()  # fmt: skip
    if max_ratio is not None:
        facts = np.minimum(facts, ss.best_keep_fraction(m, row, max_ratio) * k.n_facts)
    if max_dloss is not None:
        bits = ss.knowledge_bits_for_web_loss(m, row, max_dloss, r_cap)
        facts = np.minimum(facts, bits / k.bits_per_fact)
    facts = np.maximum(facts, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(facts > 0, ss.ratio_for_facts(m, row, np.maximum(facts, 1e-300)), np.nan)
    return {"budget_keep": facts / k.n_facts, "budget_ratio": ratio, "budget_facts": facts,
            "budget_dloss": ss.web_loss_increase(m, row, facts * k.bits_per_fact, r_cap)}  # fmt: skip


def advise_knowledge(model, sizes, ratio: float, *, calibration: Calibration | None = None,
                     target_share: float = 0.9,
                     compact_tokens_per_fact: float = COMPACT_TOKENS_PER_FACT,
                     max_ratio: float | None = None,
                     max_web_loss_increase: float | None = None) -> KnowledgeAdvice:  # fmt: skip
    """The advice record for ``ratio`` at each of ``sizes`` (inputs checked by the caller/CLI).

    ``model`` is the target configuration (knowledge set, training length, web law);
    ``calibration`` defaults to the uncalibrated priors.
    """
    cal = calibration or uncalibrated(model)
    d = cal.draws.at(knowledge=model.knowledge, training_tokens=model.training_tokens)
    n = np.atleast_1d(np.asarray(sizes, dtype=float))
    r = float(ratio)
    v = _draws_per_size(d, n, r, target_share, compact_tokens_per_fact, max_ratio,
                        max_web_loss_increase)  # fmt: skip
    summ = d.summary
    per_fact = d.model.exposures(r)
    per_fact = None if model.training_tokens is None else float(np.asarray(per_fact).ravel()[0])
    rows = []
    for i, size in enumerate(n):
        col = {key: np.broadcast_to(val, (d.size, n.size))[:, i] for key, val in v.items()}
        row = {
            "model_size": float(size),
            "critical_ratio": summ(col["critical_ratio"]),
            "critical_ratio_50": summ(col["critical_ratio_50"]),
            "learns": bool(np.median(col["learned_fraction"]) > 0),
            "learns_probability": float(np.mean(col["learned_fraction"] > 0)),
            "learned_fraction": summ(col["learned_fraction"]),
            "accuracy": summ(col["accuracy"]),
            "subsample": {"keep_fraction": summ(col["keep_fraction"]),
                          "expected_facts": summ(col["expected_facts"]),
                          "collapse_at": summ(col["collapse_at"])},
            "ckm": {k2: summ(col[k2]) for k2 in ("multiplier", "compact_token_share",
                                                 "multiplier_all", "compact_token_share_all")},
            "target": {"share": target_share, "ratio": summ(col["target_ratio"]),
                       "web_loss_increase": summ(col["target_web_loss_increase"])},
            "web_loss_increase": summ(col["web_loss_increase"]),
            "exposures": {"per_fact": per_fact, "per_kept_fact": None if per_fact is None
                          else summ(per_fact / np.maximum(col["keep_fraction"], 1e-300))},
        }  # fmt: skip
        if "budget_keep" in col:
            row["budget"] = {"ratio": summ(col["budget_ratio"]),
                             "keep_fraction": summ(col["budget_keep"]),
                             "expected_facts": summ(col["budget_facts"]),
                             "web_loss_increase": summ(col["budget_dloss"])}  # fmt: skip
        rows.append(row)
    warnings = extrapolation_warnings(cal, n, r)
    if per_fact is not None and per_fact < EXPOSURES_MIN:
        warnings.append(f"each fact is seen only {per_fact:.3g} times: far below the ~100 "
                        "exposures where Allen-Zhu & Li measured capacity; the exposure curve "
                        "extrapolates")  # fmt: skip
    settings = {"target_share": target_share, "compact_tokens_per_fact": compact_tokens_per_fact,
                "max_ratio": max_ratio, "max_web_loss_increase": max_web_loss_increase,
                "training_tokens": model.training_tokens, "credible_level": cal.level}  # fmt: skip
    min_size = summ(np.asarray(d.critical_size(r)).ravel())
    return KnowledgeAdvice(cal, r, n, rows, min_size, settings, warnings)


__all__ = ["COMPACT_TOKENS_PER_FACT", "KnowledgeAdvice", "advise_knowledge"]
