"""Figures of ``mixphase validate reproduce`` (Okabe-Ito palette, labelled axes, legends outside
the data): every run as a point, fitted critical points with their 90% intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000",
             "#F0E442")  # fmt: skip
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


class _St:
    """The few drawing helpers these figures need (same palette as the paper figures)."""

    @staticmethod
    def color(i: int) -> str:
        return OKABE_ITO[i % len(OKABE_ITO)]

    @staticmethod
    def style(i: int) -> dict:
        return {"color": OKABE_ITO[i % 8], "marker": MARKERS[i % 8],
                "linestyle": ("-", "--", "-.", ":")[i % 4]}  # fmt: skip

    @staticmethod
    def figure(ncols: int = 1, width: float = 6.0, height: float = 4.0):
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        return plt.subplots(1, ncols, figsize=(width, height))

    @staticmethod
    def params_axis(ax, axis: str = "x") -> None:
        """Readable log ticks for parameter counts: 1-2-5 steps, labelled 6k, 20k, 100k."""
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        a = ax.xaxis if axis == "x" else ax.yaxis
        a.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        a.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e3:g}k" if v >= 1e3 else f"{v:g}"))
        a.set_minor_formatter(NullFormatter())

    @staticmethod
    def save(fig, out: Path, stem: str) -> None:
        import matplotlib.pyplot as plt

        fig.savefig(out / f"{stem}.png", dpi=110, bbox_inches="tight")
        plt.close(fig)


def _odds(r):
    r = np.clip(np.asarray(r, float), 1e-9, 1 - 1e-9)
    return r / (1 - r)


def _e(d, k="median"):
    d = d.to_dict() if hasattr(d, "to_dict") else d
    return d[k]


def figures(rep, out) -> list[str]:
    """Write fig_ratio / fig_size / fig_controls / fig_scaling.png; return the names written."""
    from mixphase import runs as R

    st = _St

    out = Path(out)
    claims = {c.claim: c for c in rep.claims}
    written = []
    main = [t for t in rep.judged.transitions if t.rows and R.ratio_of(t.rows[0]) > 0]
    main_cfg = R.main_config([r for t in main for r in t.rows]) if main else None

    fig, ax = st.figure(width=7.0, height=4.0)
    i = 0
    for t in main:
        if t.config != main_cfg:
            continue
        x = [R.ratio_of(r) for r in t.rows]
        y = [r["memorization_accuracy"] for r in t.rows]
        s = st.style(i)
        ax.plot(x, y, ls="none", marker=s["marker"], color=s["color"], alpha=0.7,
                label=f"{t.size} ({t.params / 1e3:.1f}k)")  # fmt: skip
        pts = t.points()
        ax.plot([p["ratio"] for p in pts], [p["accuracy"] for p in pts], color=s["color"], lw=1)
        if t.critical is not None:
            ax.errorbar([t.critical.median], [0.5], xerr=[[t.critical.median - t.critical.lower],
                        [t.critical.upper - t.critical.median]], color=s["color"], capsize=3)  # fmt: skip
        i += 1
    ax.axhline(0.1, color="grey", lw=0.5)
    ax.axhline(0.8, color="grey", lw=0.5)
    ax.set(xscale="log", xlabel="mixing ratio r (token share of biographies)",
           ylabel="biography accuracy (exact match)",
           title="Claim 1: transition in ratio (points: runs; bars: r_c, 90%)")  # fmt: skip
    if ax.lines:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    st.save(fig, out, "fig_ratio")
    written.append("fig_ratio.png")

    fig, ax = st.figure(width=7.0, height=4.0)
    for i, p in enumerate(claims["transition_in_size"].numbers.get("per_ratio", [])):
        ax.plot(p["params"], p["accuracy"], label=f"r={p['ratio']:g}", **st.style(i))
    ax.set(xscale="log", xlabel="parameters", ylabel="biography accuracy (exact match)",
           title="Claim 2: transition in model size (seed means)")  # fmt: skip
    st.params_axis(ax)
    if ax.lines:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    st.save(fig, out, "fig_size")
    written.append("fig_size.png")

    labels, vals = [], []
    for p in claims["longer_training_does_not_help"].numbers.get("per_size", []):
        for name, k in (("base", "base"), (f"{p['factor']:g}x steps", "longer"),
                        (f"{p['factor']:g}x ratio", "matched_exposures_higher_ratio")):  # fmt: skip
            if p.get(k):
                labels.append(f"{p['size']}\nr={p['ratio']:g}\n{name}")
                vals.append(p[k]["per_seed"])
    for p in claims["capacity_freed_by_easy_web"].numbers.get("per_size", []):
        for name, k in (("trivial\nweb", "trivial_web"), ("incompr.\nweb", "incompressible_web")):
            if p.get(k):
                labels.append(f"{p['size']}\nr={p['ratio']:g}\n{name}")
                vals.append(p[k]["per_seed"])
    for p in claims["subsampling_best_keep"].numbers.get("grid", []):
        labels.append(f"keep\n{p['keep']:.2f}")
        vals.append([p["accuracy"]])
    if vals:
        fig, ax = st.figure(width=max(6.0, 0.75 * len(vals)), height=4.2)
        x = np.arange(len(vals))
        ax.bar(x, [np.mean(v) for v in vals], color=[st.color(i % 3) for i in range(len(vals))],
               alpha=0.6)  # fmt: skip
        for xi, v in zip(x, vals, strict=True):
            ax.plot([xi] * len(v), v, "k.", ms=4)
        ax.set_xticks(x, labels, fontsize=7)
        ax.axhline(0.8, color="grey", lw=0.5)
        ax.set(ylabel="biography accuracy (bars: mean; dots: seeds)", ylim=(0, 1.05),
               title="Claims 3, 4, 7: controls and subsampling")  # fmt: skip
        st.save(fig, out, "fig_controls")
        written.append("fig_controls.png")

    c5 = claims["critical_ratio_power_law"].numbers
    c6 = claims["threshold_frequency_power_law"].numbers
    fig, axes = st.figure(ncols=3, width=15.0, height=4.2)
    ax = axes[0]
    pts = [p for p in c5.get("critical_ratios", []) if p.get("critical_ratio")]
    if pts:
        n = np.array([p["params"] for p in pts], float)
        med = _odds([_e(p["critical_ratio"]) for p in pts])
        lo = _odds([_e(p["critical_ratio"], "lower") for p in pts])
        hi = _odds([_e(p["critical_ratio"], "upper") for p in pts])
        ax.errorbar(n, med, yerr=[med - lo, hi - med], fmt="o", color=st.color(0), capsize=3,
                    label="measured (90%)")  # fmt: skip
        g = np.geomspace(n.min(), n.max(), 20)
        a0, n0 = np.exp(np.mean(np.log(med))), np.exp(np.mean(np.log(n)))
        lines = (("fitted_exponent", "fit", "-"),)
        web = c5.get("web_law", {})
        lines += (("predicted_from_marginal_value", "marginal value", "--"),
                  ("predicted_from_alpha", "-(alpha+1)", ":"))  # fmt: skip
        for i, (k, name, ls) in enumerate(lines):
            e = c5.get(k) if k == "fitted_exponent" else web.get(k)
            if e:
                ax.plot(g, a0 * (g / n0) ** _e(e), ls=ls, color=st.color(i + 1),
                        label=f"{name}: {_e(e):.2f}")  # fmt: skip
        ax.legend(loc="lower left", fontsize=7)
    ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="r_c / (1 - r_c)",
           title="Claim 5: critical ratio vs size")  # fmt: skip
    st.params_axis(ax)
    ax = axes[1]
    wl = c5.get("web_law", {}).get("web_loss_by_params")
    if wl:
        n, w = zip(*wl, strict=True)
        ax.plot(n, w, "o", color=st.color(2))
        ch = c5["web_law"].get("law_vs_params", {}).get("choice")
        if ch:
            ax.set_title(f"web-only loss (chosen law: {ch})")
    ax.set(xscale="log", xlabel="parameters", ylabel="web loss (nats / value token)")
    st.params_axis(ax)
    ax = axes[2]
    per = [p for p in c6.get("per_size", []) if not p["censored"]]
    if per:
        n = np.array([p["params"] for p in per], float)
        t = np.array([p["threshold_exposures"] for p in per])
        ax.plot(n, t, "o", color=st.color(3), label="Algorithm 1")
        if c6.get("fitted_exponent"):
            g = np.geomspace(n.min(), n.max(), 20)
            a0, n0 = np.exp(np.mean(np.log(t))), np.exp(np.mean(np.log(n)))
            e = _e(c6["fitted_exponent"])
            ax.plot(g, a0 * (g / n0) ** e, "-", color=st.color(1), label=f"fit {e:.2f}")
        ax.legend(loc="lower left", fontsize=7)
    ax.set(xscale="log", yscale="log", xlabel="parameters",
           ylabel="threshold frequency (expected exposures)",
           title="Claim 6: threshold frequency vs size")  # fmt: skip
    st.params_axis(ax)
    st.save(fig, out, "fig_scaling")
    written.append("fig_scaling.png")
    return written
