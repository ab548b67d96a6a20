"""Figure 3: critical mixing ratio vs model size (log-log), fitted power law, predicted exponent.

Theory: the onset ratio ``r_c(N)`` (:meth:`KnapsackModel.critical_ratio`) at Pythia sizes. Its
odds follow ``N^-(alpha+1)`` exactly; ``r_c`` itself does once ``r_c << 1``, so the fit uses the
sizes with ``r_c <= FIT_MAX_RATIO`` (the power-law regime; smaller models bend the curve, docs/
theory.md §1.3). The fit is ``mixphase.fit.fit_power_law`` (Bayesian, with an interval) when that
layer is installed, else an ordinary least-squares line in log-log (stated on the figure). With
``--validate-results`` a second panel fits the critical ratios a ``mixphase validate`` sweep
measured (the smallest ratio reaching 50 % memorisation, interpolated in log ratio).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import FigureResult, group_mean, load_validate_results, main

NUMBER = 3
NAME = "fig3_critical_ratio_power_law"
TITLE = "Critical mixing ratio vs model size: power law and predicted exponent"

#: Fit only where r_c is small enough for the power law (odds ~ ratio) to hold.
FIT_MAX_RATIO = 0.2
#: Memorisation level that defines the measured critical ratio.
MEASURED_LEVEL = 0.5


def fit_power(x, y, predicted: float | None, seed: int = 0) -> dict:
    """Exponent (median, interval) and a line to draw: Bayesian when available, else OLS."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    grid = np.geomspace(x.min(), x.max(), 50)
    try:
        from mixphase.fit import fit_power_law
    except ImportError:
        fit_power_law = None
    if fit_power_law is not None:
        fit = fit_power_law(x, y, ci=0.9, seed=seed, predicted_exponent=predicted)
        e = fit.exponent
        if hasattr(fit, "band"):
            lo, med, hi = fit.band(grid)
        else:  # pragma: no cover - older fit layer
            med = np.exp(np.polyval(np.polyfit(np.log(x), np.log(y), 1), np.log(grid)))
            lo = hi = med
        return {"method": "mixphase.fit.fit_power_law (90% interval)", "exponent": e.median,
                "lower": e.lower, "upper": e.upper, "grid": grid, "line": med, "lo": lo, "hi": hi}  # fmt: skip
    slope, icpt = np.polyfit(np.log(x), np.log(y), 1)
    line = np.exp(icpt + slope * np.log(grid))
    return {"method": "least squares in log-log (mixphase.fit not available)", "exponent": slope,
            "lower": np.nan, "upper": np.nan, "grid": grid, "line": line, "lo": line, "hi": line}  # fmt: skip


def _label(f: dict) -> str:
    if np.isfinite(f["lower"]):
        return f"fit: exponent {f['exponent']:.3f} [{f['lower']:.3f}, {f['upper']:.3f}]"
    return f"fit: exponent {f['exponent']:.3f} (least squares)"


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    from mixphase.theory import KnapsackModel
    from mixphase.theory.predictions import DEFAULT_MODEL_SIZES

    model = KnapsackModel()
    predicted = float(model.ratio_exponent())
    sizes = np.asarray(DEFAULT_MODEL_SIZES)
    rc = np.asarray(model.critical_ratio(sizes))
    in_fit = rc <= FIT_MAX_RATIO
    f = fit_power(sizes[in_fit], rc[in_fit], predicted, seed)
    measured = load_validate_results(validate_results)
    fig, axes = st.figure(ncols=2 if measured else 1)
    ax = axes[0] if measured else axes

    dense = np.geomspace(sizes.min() / 1.5, sizes.max() * 1.5, 200)
    ax.plot(dense, model.critical_ratio(dense), color="0.6", lw=1.2, label="theory $r_c(N)$")
    ax.plot(sizes[in_fit], rc[in_fit], "o", color=st.color(0), label="theory, fitted points")
    ax.plot(sizes[~in_fit], rc[~in_fit], "o", mfc="white", color=st.color(0),
            label=f"theory, $r_c > {FIT_MAX_RATIO:g}$ (not fitted)")  # fmt: skip
    ax.fill_between(f["grid"], f["lo"], f["hi"], color=st.color(1), alpha=0.25, lw=0)
    ax.plot(f["grid"], f["line"], color=st.color(1), ls="--", label=_label(f))
    anchor_n, anchor_r = sizes[-1], rc[-1]
    ax.plot(dense, anchor_r * (dense / anchor_n) ** predicted, color=st.color(2), ls=":",
            lw=2.2, label=f"predicted slope $-(\\alpha+1)$ = {predicted:.3f}")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("model size N (parameters)")
    ax.set_ylabel("critical mixing ratio $r_c$ (onset)")
    ax.set_title("Critical ratio: power law in model size")
    ax.legend(loc="lower left")
    st.note(ax, "odds $r_c/(1-r_c)$ follow $N^{-(\\alpha+1)}$ exactly;\n"
            "$r_c$ itself bends where $r_c \\gtrsim 0.1$", loc="upper right")  # fmt: skip
    rows = [{"source": "theory", "model_size": float(n), "critical_ratio": float(r),
             "fitted": bool(b)} for n, r, b in zip(sizes, rc, in_fit, strict=True)]  # fmt: skip
    rows += [{"source": "fit", "model_size": float(n), "critical_ratio": float(v)}
             for n, v in zip(f["grid"], f["line"], strict=True)]  # fmt: skip
    summary = {"predicted_exponent": predicted, "fitted_exponent": float(f["exponent"]),
               "fitted_interval": [float(f["lower"]), float(f["upper"])], "fit_method": f["method"]}  # fmt: skip
    if measured:
        summary.update(_measured_panel(axes[1], measured, predicted, rows, seed))
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


def measured_critical_ratios(measured: list[dict], level: float = MEASURED_LEVEL) -> dict:
    """``{size: ratio}``: where mean memorisation first reaches ``level`` (log interpolation)."""
    mean = group_mean(measured, ("params", "ratio"), "memorization_accuracy")
    out = {}
    for n in sorted({k[0] for k in mean}):
        rs = np.array(sorted(r for (nn, r) in mean if nn == n))
        acc = np.array([mean[(n, r)] for r in rs])
        above = np.flatnonzero(acc >= level)
        if above.size == 0 or above[0] == 0:
            continue  # never reached, or already reached at the smallest ratio: not bracketed
        j = above[0]
        a0, a1 = acc[j - 1], acc[j]
        w = (level - a0) / (a1 - a0)
        out[float(n)] = float(np.exp((1 - w) * np.log(rs[j - 1]) + w * np.log(rs[j])))
    return out


def _measured_panel(ax, measured, predicted, rows, seed) -> dict:
    crit = measured_critical_ratios(measured)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("model size N (parameters)")
    ax.set_ylabel(f"measured critical ratio ({MEASURED_LEVEL:.0%} memorised)")
    ax.set_title("Measured: mixphase validate")
    if len(crit) < 2:
        st.note(ax, "fewer than 2 sizes with a bracketed\ncritical ratio: no fit", loc="center")
        return {"measured_critical_ratio": crit}
    n, r = np.array(list(crit)), np.array(list(crit.values()))
    ax.plot(n, r, "s", color=st.color(0), label="validate sweep")
    summary = {"measured_critical_ratio": crit}
    if len(crit) >= 3:
        f = fit_power(n, r, predicted, seed)
        ax.fill_between(f["grid"], f["lo"], f["hi"], color=st.color(1), alpha=0.25, lw=0)
        ax.plot(f["grid"], f["line"], color=st.color(1), ls="--", label=_label(f))
        summary["measured_exponent"] = float(f["exponent"])
        summary["measured_interval"] = [float(f["lower"]), float(f["upper"])]
    ax.plot(n, r[-1] * (n / n[-1]) ** predicted, color=st.color(2), ls=":", lw=2.2,
            label=f"slope {predicted:.3f} (paper's web law)")  # fmt: skip
    ax.legend(loc="lower left")
    rows += [{"source": "validate", "model_size": float(a), "critical_ratio": float(b)}
             for a, b in crit.items()]  # fmt: skip
    return summary


if __name__ == "__main__":
    raise SystemExit(main(make))
