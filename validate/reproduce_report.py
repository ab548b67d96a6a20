"""``report.md`` of ``validate reproduce``: verdicts, the numbers behind them, and every run."""

from __future__ import annotations

import json

from mixphase.records import dumps
from mixphase.validate import verdicts as V

FIGURE = {"transition_in_ratio": "fig_ratio.png", "transition_in_size": "fig_size.png",
          "longer_training_does_not_help": "fig_controls.png",
          "capacity_freed_by_easy_web": "fig_controls.png",
          "critical_ratio_power_law": "fig_scaling.png",
          "threshold_frequency_power_law": "fig_scaling.png",
          "subsampling_best_keep": "fig_controls.png",
          "subsampling_keep_for_80": "fig_controls.png"}  # fmt: skip


def _e(est) -> str:
    if est is None:
        return "-"
    d = est.to_dict() if hasattr(est, "to_dict") else est
    return f"{d['median']:.3g} [{d['lower']:.3g}, {d['upper']:.3g}]"


def _short(cfg: str) -> str:
    parts = [p for p in cfg.split("|") if not p.startswith(("preset=", "bs=", "lr="))]
    return "|".join(parts)


def markdown(rep) -> str:
    j = rep.judged
    d = rep.design
    out = ["# Reproducing the knapsack paper's claims (`mixphase validate reproduce`)", "",
           f"Preset `{d.get('preset')}`; {len(rep.runs)} runs; wall time of this invocation "
           f"{rep.wall_seconds:.0f} s (with `--report-only` nothing is trained). Verdict rules and "
           "margins: `mixphase.validate.verdicts` (held = the 90% interval lies inside the margin; "
           "did not hold = entirely outside; inconclusive otherwise).", "",
           f"**Mechanism: {j.mechanism}** — {j.mechanism_reason}.", "",
           "| condition for capacity-limited | met |", "|---|---|"]  # fmt: skip
    for k, v in j.mechanism_numbers["conditions"].items():
        out.append(f"| {k} | {'not measured' if v is None else v} |")
    out += ["", "| claim | verdict | basis |", "|---|---|---|"]
    for c in j.claims:
        s = c.summary.replace("|", "/")
        out.append(f"| `{c.claim}` | **{c.verdict}** | {s[:300]}{'…' if len(s) > 300 else ''} |")
    out += ["", "Margins: " + "; ".join(f"{k} ±{m.value:.3g} ({m.unit})"
                                         for k, m in V.MARGINS.items()) + ".",
            f"Design effect (answers per independent unit): {j.design_effect['value']:.3g} "
            f"({j.design_effect['source']})."]  # fmt: skip
    for c in j.claims:
        out += ["", f"## `{c.claim}`: {c.verdict}", "", c.summary, ""]
        if c.verdict != V.NOT_TESTED and FIGURE.get(c.claim) in rep.figures:
            out += [f"![{c.claim}]({FIGURE[c.claim]})", ""]
        body = json.dumps(json.loads(dumps(c.numbers)), indent=1)
        out.append("<details><summary>numbers</summary>\n\n```json\n" + body[:5000]
                   + ("\n... (truncated; full numbers in report.json)" if len(body) > 5000 else "")
                   + "\n```\n</details>")  # fmt: skip
    out += ["", "## Transition records (per size and configuration; `report.json[\"transitions\"]`)",
            "", "| configuration | size | params | steps | schedule | r_c (90%) | width ln r | "
            "seed scatter | exposures/fact at r_c | stored bits | spread | bits/param | runs |",
            "|---|---|---:|---:|---|---|---|---|---|---:|---:|---:|---:|"]  # fmt: skip
    for t in j.transitions:
        r = t.to_dict()
        if r["critical_ratio"] is None and r["n_runs"] < 4:
            continue
        out.append(f"| `{_short(r['config'])}` | {r['size']} | {r['params']} | {r['steps']} | "
                   f"{r['schedule']} | {_e(r['critical_ratio']) if r['critical_ratio'] else '- (' + r['reason'][:40] + ')'} | "
                   f"{_e(r['width_ln_ratio'])} | {_e(r['scatter_ln_ratio'])} | "
                   f"{_e(r['exposures_per_fact_at_critical'])} | {r['stored_bits']['total']:.0f} | "
                   f"{r['stored_bits_spread']:.0%} | {r['bits_per_param']:.3f} | {r['n_runs']} |")  # fmt: skip
    if j.training_length:
        out += ["", "## Training length: d ln r_c / d ln T", "",
                "| size | params | steps | r_c | d ln r_c / d ln T |", "|---|---:|---|---|---|"]  # fmt: skip
        for s in j.training_length:
            out.append(f"| {s['size']} | {s['params']} | {s['steps']} | "
                       f"{', '.join(_e(c) for c in s['critical_ratio'])} | "
                       f"{_e(s['d_ln_rc_d_ln_T'])} |")  # fmt: skip
    out += ["", "## Web-only runs: stored bits M(N, T) and web loss", "",
            "| size | params | steps | schedule | web facts | stored web bits | web loss | "
            "marginal web fact: rank, exposures |", "|---|---:|---:|---|---:|---:|---:|---|"]  # fmt: skip
    for w in j.web_only:
        marg = ("-" if w.get("marginal_web_rank") is None else
                f"{w['marginal_web_rank']:.0f}, {w.get('marginal_web_fact_exposures') or 0:.0f}")  # fmt: skip
        out.append(f"| {w['size']} | {w['params']} | {w['steps']} | {w['schedule']} | "
                   f"{w['web_facts_learned'] or 0:.0f} | {w['stored_bits_web']:.0f} | "
                   f"{w['web_loss']:.3f} | {marg} |")  # fmt: skip
    out += ["", "## Every run", "", "| run | params | ratio | steps | accuracy | exposures/bio | "
            "web facts | bits/param |", "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for r in sorted(rep.runs, key=lambda r: r["key"]):
        out.append(f"| `{r['key']}` | {r['params']} | {r['ratio']:g} | {r['steps']} | "
                   f"{r['memorization_accuracy']:.3f} | {r.get('exposures_per_bio', 0):.0f} | "
                   f"{r.get('web_facts_learned') or 0:.0f} | {r.get('bits_per_param', 0):.3f} |")  # fmt: skip
    return "\n".join(out) + "\n"


__all__ = ["markdown"]
