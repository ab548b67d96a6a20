"""Figure 3: critical mixing ratio vs model size: the theory's line and measured critical ratios.

Left: the knapsack model's onset ratio ``r_c(N)`` at Pythia sizes (:meth:`KnapsackModel.
critical_ratio`, the paper's web law) and its odds' exact slope ``-(alpha+1)``; nothing is fitted
to these noise-free points. Right (with ``--validate-results``): the critical ratios a
``mixphase validate`` run measured, read from the folder's ``report.json`` (written by ``validate
reproduce`` or ``validate report``): the 50% point of each size's fitted transition with its 90%
interval, which carries the seed scatter; the measured slope; and the slopes the theory predicts
for that run's own web (random key-value facts with Zipf frequencies), from the marginal value of
the web at the stored bits and from ``-(alpha+1)``, drawn through the measured points' geometric
mean (the theory fixes the slope, not the level), with the equivalence verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import FigureResult, main

NUMBER = 3
NAME = "fig3_critical_ratio_power_law"
TITLE = "Critical mixing ratio vs model size: theory and measured critical ratios"


def load_scaling(path) -> dict | None:
    """The ``critical_ratio_power_law`` claim of a validate folder's ``report.json`` (or None)."""
    if path is None:
        return None
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    rep = folder / "report.json"
    if not rep.exists():
        raise MixphaseInputError(f"{rep}: no report; run `mixphase validate report {folder}` "
                                 "(or `validate reproduce --report-only`) first")  # fmt: skip
    try:
        data = json.loads(rep.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise MixphaseInputError(f"cannot read {rep}: {exc}") from None
    if "critical_ratio_power_law" in data:
        return data["critical_ratio_power_law"]
    claim = next((c for c in data.get("claims", []) if c.get("claim") == "critical_ratio_power_law"),
                 None)  # fmt: skip
    if claim is None or "critical_ratios" not in claim.get("numbers", {}):
        raise MixphaseInputError(f"{rep}: an older report without measured critical ratios; "
                                 f"re-run `mixphase validate report {folder}`")  # fmt: skip
    return claim


def _odds(r):
    r = np.asarray(r, float)
    return r / (1 - r)


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    from mixphase.theory import KnapsackModel
    from mixphase.theory.predictions import DEFAULT_MODEL_SIZES

    model = KnapsackModel()
    predicted = float(model.ratio_exponent())
    sizes = np.asarray(DEFAULT_MODEL_SIZES)
    claim = load_scaling(validate_results)
    fig, axes = st.figure(ncols=2 if claim else 1, width=11.0 if claim else 5.6, height=4.2)
    ax = axes[0] if claim else axes
    dense = np.geomspace(sizes.min() / 1.5, sizes.max() * 1.5, 200)
    ax.plot(dense, model.critical_ratio(dense), color=st.color(0), lw=1.8,
            label="knapsack onset $r_c(N)$")  # fmt: skip
    rc = np.asarray(model.critical_ratio(sizes))
    ax.plot(sizes, rc, "o", color=st.color(0), label="at Pythia sizes")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("model size N (parameters)")
    ax.set_ylabel("critical mixing ratio $r_c$ (onset)")
    ax.set_title("Theory: paper's web law, SynBio-320k")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    st.note(ax, f"odds $r_c/(1-r_c) \\propto N^{{-(\\alpha+1)}}$\nexactly: slope {predicted:.3f}",
            loc="upper right")  # fmt: skip
    rows = [{"source": "theory", "model_size": float(n), "critical_ratio": float(r)}
            for n, r in zip(sizes, rc, strict=True)]  # fmt: skip
    summary: dict = {"predicted_exponent": predicted}
    if claim:
        summary.update(_measured_panel(axes[1], claim, rows))
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


def _measured_panel(ax, claim: dict, rows: list[dict]) -> dict:
    nums = claim.get("numbers", {})
    pts = [p for p in nums.get("critical_ratios", []) if p.get("critical_ratio")]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("model size N (parameters)")
    ax.set_ylabel("measured odds $r_c/(1-r_c)$")
    ax.set_title("Measured: validate runs, Zipf key-value web")
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: st.size_label(v)))
    ax.xaxis.set_minor_formatter(NullFormatter())
    if not pts:
        st.note(ax, "no size with a fitted transition", loc="center")
        return {"measured_critical_ratio": {}}
    n = np.array([p["params"] for p in pts], float)
    med = _odds([p["critical_ratio"]["median"] for p in pts])
    lo = _odds([p["critical_ratio"]["lower"] for p in pts])
    hi = _odds([p["critical_ratio"]["upper"] for p in pts])
    ax.errorbar(n, med, yerr=[med - lo, hi - med], fmt="s", color=st.color(0), capsize=3,
                label="50% point, 90% interval (seed scatter included)")  # fmt: skip
    g = np.geomspace(n.min() / 1.2, n.max() * 1.2, 50)
    a0, n0 = np.exp(np.mean(np.log(med))), np.exp(np.mean(np.log(n)))
    web = nums.get("web_law", {})
    summary = {"measured_critical_ratio": {int(p["params"]): p["critical_ratio"]["median"]
                                           for p in pts}, "verdict": claim.get("verdict")}  # fmt: skip
    lines = [("fitted_exponent", nums.get("fitted_exponent"), "measured slope", "-", 1),
             ("predicted_from_marginal_value", web.get("predicted_from_marginal_value"),
              "theory: marginal value at stored bits", "--", 2),
             ("predicted_from_alpha", web.get("predicted_from_alpha"), "theory: $-(\\alpha+1)$",
              ":", 3)]  # fmt: skip
    for key, e, label, ls, c in lines:
        if not e:
            continue
        ax.plot(g, a0 * (g / n0) ** e["median"], ls=ls, color=st.color(c), lw=1.8,
                label=f"{label}: {e['median']:.2f} [{e['lower']:.2f}, {e['upper']:.2f}]")  # fmt: skip
        summary[key] = [e["median"], e["lower"], e["upper"]]
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), fontsize=8, frameon=False)
    st.note(ax, f"verdict (±0.25): {claim.get('verdict')}", loc="lower left")
    rows += [{"source": "validate", "model_size": float(a), "critical_ratio": p["critical_ratio"]["median"],
              "lower": p["critical_ratio"]["lower"], "upper": p["critical_ratio"]["upper"]}
             for a, p in zip(n, pts, strict=True)]  # fmt: skip
    return summary


if __name__ == "__main__":
    raise SystemExit(main(make))
