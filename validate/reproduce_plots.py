"""Figures of ``mixphase validate reproduce`` (Okabe-Ito palette, labelled axes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]  # fmt: skip


def _odds(r):
    r = np.clip(np.asarray(r, float), 1e-9, 1 - 1e-9)
    return r / (1 - r)


def figures(rep, out) -> list[str]:
    """Write fig_ratio / fig_size / fig_controls / fig_scaling.png; return the names written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    claims = {c.claim: c for c in rep.claims}
    written = []

    fig, ax = plt.subplots(figsize=(5.5, 4))
    for i, p in enumerate(claims["transition_in_ratio"].numbers.get("per_size", [])):
        col = OKABE_ITO[i % 8]
        ax.plot(p["ratios"], p["accuracy"], "o-", color=col,
                label=f"{p['size']} ({p['params'] / 1e3:.1f}k)")  # fmt: skip
        if p.get("critical_ratio"):
            ax.axvline(p["critical_ratio"]["median"], color=col, ls=":", lw=1)
    ax.axhline(0.1, color="grey", lw=0.5)
    ax.axhline(0.8, color="grey", lw=0.5)
    ax.set(xscale="log", xlabel="mixing ratio r (token share of biographies)",
           ylabel="biography accuracy (exact match)", title="Claim 1: transition in ratio")  # fmt: skip
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "fig_ratio.png", dpi=110)
    plt.close(fig)
    written.append("fig_ratio.png")

    fig, ax = plt.subplots(figsize=(5.5, 4))
    for i, p in enumerate(claims["transition_in_size"].numbers.get("per_ratio", [])):
        ax.plot(p["params"], p["accuracy"], "o-", color=OKABE_ITO[i % 8], label=f"r={p['ratio']:g}")
    ax.set(xscale="log", xlabel="parameters", ylabel="biography accuracy (exact match)",
           title="Claim 2: transition in model size")  # fmt: skip
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "fig_size.png", dpi=110)
    plt.close(fig)
    written.append("fig_size.png")

    groups, labels, vals = [], [], []
    for p in claims["longer_training_does_not_help"].numbers.get("per_size", []) or \
            claims["capacity_freed_by_easy_web"].numbers.get("per_size", []):  # fmt: skip
        for name, k in (("base", "base"), (f"{p['factor']}x steps", "longer"),
                        (f"{p['factor']}x ratio\n(same exposures)", "matched_exposures_higher_ratio"),
                        ("trivial web", "trivial_web")):  # fmt: skip
            if p.get(k):
                groups.append(f"{p['size']}\nr={p['ratio']:g}")
                labels.append(name)
                vals.append(p[k]["accuracy"])
    for p in claims["subsampling"].numbers.get("per_size", []) or []:
        for name, k in (
            ("keep: advise", "keep_best"),
            ("keep >\ncollapse_at", "keep_above_collapse"),
        ):
            groups.append(f"{p['size']}\nr={p['ratio']:g}\n(claim 7)")
            labels.append(name)
            vals.append(p[k]["accuracy"])
    if vals:
        fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(vals)), 4.6))
        names = sorted(set(labels), key=labels.index)
        x = np.arange(len(vals))
        ax.bar(x, vals, color=[OKABE_ITO[names.index(lab) % 8] for lab in labels])
        ax.set_xticks(x, [f"{g}\n{lab}" for g, lab in zip(groups, labels, strict=True)],
                      fontsize=6)  # fmt: skip
        ax.axhline(0.8, color="grey", lw=0.5)
        ax.set(ylabel="biography accuracy (exact match)", ylim=(0, 1.05),
               title="Claims 3, 4, 7: controls below the transition")  # fmt: skip
        fig.tight_layout()
        fig.savefig(out / "fig_controls.png", dpi=110)
        plt.close(fig)
        written.append("fig_controls.png")

    c5, c6 = (
        claims["critical_ratio_power_law"].numbers,
        claims["threshold_frequency_power_law"].numbers,
    )
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    ax = axes[0]
    pts = c5.get("critical_ratios", [])
    if pts:
        n = np.array([p["params"] for p in pts], float)
        med = _odds([p["critical_ratio"]["median"] for p in pts])
        lo = _odds([p["critical_ratio"]["lower"] for p in pts])
        hi = _odds([p["critical_ratio"]["upper"] for p in pts])
        ax.errorbar(
            n, med, yerr=[med - lo, hi - med], fmt="o", color=OKABE_ITO[4], label="measured"
        )
        g = np.geomspace(n.min(), n.max(), 20)
        a0, n0 = np.exp(np.mean(np.log(med))), np.exp(np.mean(np.log(n)))
        if c5.get("fitted_exponent"):
            e = c5["fitted_exponent"]["median"]
            ax.plot(g, a0 * (g / n0) ** e, "-", color=OKABE_ITO[5], label=f"fit {e:.2f}")
        if c5.get("predicted_exponent"):
            e = c5["predicted_exponent"]["median"]
            ax.plot(g, a0 * (g / n0) ** e, "--", color=OKABE_ITO[7], label=f"-(alpha+1) = {e:.2f}")
        ax.legend(fontsize=7)
    ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="r_c / (1 - r_c)",
           title="Claim 5: critical ratio vs size")  # fmt: skip
    ax = axes[1]
    if c5.get("web_loss_by_params"):
        n, w = zip(*c5["web_loss_by_params"], strict=True)
        ax.plot(n, w, "o-", color=OKABE_ITO[2])
        if c5.get("alpha"):
            ax.set_title(f"web-only loss; alpha = {c5['alpha']['median']:.3f}")
    ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="web loss (nats / value token)")
    ax = axes[2]
    per = [p for p in c6.get("per_size", []) if not p["censored"]]
    if per:
        n = np.array([p["params"] for p in per], float)
        t = np.array([p["threshold_exposures"] for p in per])
        ax.plot(n, t, "o", color=OKABE_ITO[0], label="Algorithm 1")
        if c6.get("fitted_exponent"):
            g = np.geomspace(n.min(), n.max(), 20)
            a0, n0 = np.exp(np.mean(np.log(t))), np.exp(np.mean(np.log(n)))
            e = c6["fitted_exponent"]["median"]
            ax.plot(g, a0 * (g / n0) ** e, "-", color=OKABE_ITO[5], label=f"fit {e:.2f}")
            if c6.get("predicted_exponent"):
                e = c6["predicted_exponent"]["median"]
                ax.plot(
                    g, a0 * (g / n0) ** e, "--", color=OKABE_ITO[7], label=f"-(alpha+1) = {e:.2f}"
                )
        ax.legend(fontsize=7)
    ax.set(xscale="log", yscale="log", xlabel="parameters",
           ylabel="threshold frequency (expected exposures)",
           title="Claim 6: threshold frequency vs size")  # fmt: skip
    fig.tight_layout()
    fig.savefig(out / "fig_scaling.png", dpi=110)
    plt.close(fig)
    written.append("fig_scaling.png")
    return written
