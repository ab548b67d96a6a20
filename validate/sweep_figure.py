"""``sweep.png`` of a ``validate`` sweep report: only the panels the sweep has data for.

1. Memorisation accuracy against the mixing ratio, one line per model size (its own colour, marker
   and line style), each point (seeds pooled) with its 90% Jeffreys interval (``Beta(c + 1/2,
   n - c + 1/2)`` quantiles of ``correct``/``total``, both divided by the design effect: a person,
   not an answer, is the unit) and the fitted critical ratio with its credible interval (seed
   scatter included) at accuracy 0.5; the accuracy axis is [0, 1].
2. Critical-ratio odds against parameters, with the fitted power law and both predictions (from
   the web's marginal value at the stored bits, and ``-(alpha + 1)``).
3. Web-only loss against parameters.

Legends sit under the panels, outside the data.
"""

from __future__ import annotations

import os

import numpy as np

COLOURS = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), "-")
LEVEL = 0.9


def _style(i: int) -> dict:
    return {"color": COLOURS[i % len(COLOURS)], "marker": MARKERS[i % len(MARKERS)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)]}  # fmt: skip


def _odds(r):
    r = np.clip(np.asarray(r, dtype=float), 1e-9, 1 - 1e-9)
    return r / (1 - r)


def jeffreys(correct, total, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Central Jeffreys interval of a binomial proportion (0 / 1 at the ends)."""
    from scipy.stats import beta

    c, n = np.asarray(correct, dtype=float), np.asarray(total, dtype=float)
    q = (1 - level) / 2
    lo = np.where(c == 0, 0.0, beta.ppf(q, c + 0.5, n - c + 0.5))
    hi = np.where(c == n, 1.0, beta.ppf(1 - q, c + 0.5, n - c + 0.5))
    return lo, hi


def _log_axis(ax, axis: str = "x") -> None:
    from mixphase.fit.plots import log_axis

    log_axis(ax, axis)


def _below(ax, ncol: int) -> None:
    from matplotlib.transforms import ScaledTranslation

    shift = ax.transAxes + ScaledTranslation(0, -0.55, ax.figure.dpi_scale_trans)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=shift, ncol=ncol,
              frameon=False, fontsize=8)  # fmt: skip


def curve(t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ratios, accuracy, effective totals)`` of a transition record, seeds pooled per ratio."""
    by: dict[float, list[float]] = {}
    for r in t.rows:
        by.setdefault(float(r["ratio"]), [0.0, 0.0])
        by[float(r["ratio"])][0] += r["bio_correct"]
        by[float(r["ratio"])][1] += r["bio_total"]
    xs = sorted(by)
    c = np.array([by[x][0] for x in xs])
    n = np.array([by[x][1] for x in xs])
    return np.array(xs), c / n, n / max(float(t.design_effect or 1.0), 1.0)


def draw_sweep(report, path: str | os.PathLike) -> list[str]:
    """Write the figure of ``report`` (a :class:`mixphase.validate.report.SweepReport`); returns
    the panels drawn (``ratio``, ``critical``, ``web``), none when the sweep has no data."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    trans = [t for t in report.transitions if t.rows]
    pts = [t for t in trans if t.critical is not None]
    web = report.web_law.get("web_loss_by_params") or []
    panels = [p for p, has in (("ratio", trans), ("critical", pts), ("web", web)) if has]
    if not panels:
        return []
    fig, axes = plt.subplots(1, len(panels), figsize=(4.8 * len(panels), 4.6), squeeze=False)
    for ax, kind in zip(axes[0], panels, strict=True):
        {"ratio": _ratio_panel, "critical": _critical_panel, "web": _web_panel}[kind](
            ax, report, trans if kind == "ratio" else pts
        )
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return panels


def _ratio_panel(ax, report, trans) -> None:
    for i, t in enumerate(trans):
        s = _style(i)
        r, acc, totals = curve(t)
        label = f"{t.size} ({t.params / 1e3:.1f}k params)"
        lo, hi = jeffreys(acc * totals, totals)
        ax.errorbar(r, acc, yerr=[acc - lo, hi - acc], label=label, ms=4, elinewidth=0.8,
                    capsize=2, clip_on=False, **s)  # fmt: skip
        c = t.critical
        if c is not None:
            ax.errorbar([c.median], [0.5], xerr=[[c.median - c.lower], [c.upper - c.median]],
                        fmt=s["marker"], mfc="white", color=s["color"], ms=7, capsize=3,
                        elinewidth=1.4, zorder=4)  # fmt: skip
    _log_axis(ax)
    ax.set_ylim(0, 1)
    ax.axhline(0.5, color="0.6", lw=0.6, ls=":")
    ax.set(xlabel="mixing ratio r", title="transition in ratio",
           ylabel=f"bio memorisation accuracy\n(correct / total; bars: {LEVEL:.0%} interval)")  # fmt: skip
    ax.plot([], [], "o", mfc="white", color="0.3", label=f"critical ratio ({LEVEL:.0%} interval)")
    _below(ax, ncol=2)


def _critical_panel(ax, report, pts) -> None:
    n = np.array([t.params for t in pts], float)
    odds = _odds([t.critical.median for t in pts])
    lo, hi = _odds([t.critical.lower for t in pts]), _odds([t.critical.upper for t in pts])
    ax.errorbar(n, odds, yerr=[odds - lo, hi - odds], fmt="o", color=COLOURS[0], capsize=3,
                label=f"measured ({LEVEL:.0%} interval)")  # fmt: skip
    if n.size >= 2:
        grid = np.geomspace(n.min(), n.max(), 20)
        anchor = np.exp(np.mean(np.log(odds))), np.exp(np.mean(np.log(n)))
        wl = report.web_law
        lines = ((report.scaling.numbers.get("fitted_exponent"), "fit", "-", COLOURS[1]),
                 (wl.get("predicted_from_marginal_value"), "marginal value", "--", COLOURS[2]),
                 (wl.get("predicted_from_alpha"), "-(alpha+1)", ":", COLOURS[3]))  # fmt: skip
        for est, name, ls, col in lines:
            if est:
                ax.plot(grid, anchor[0] * (grid / anchor[1]) ** est.median, ls=ls, color=col,
                        label=f"{name}: exponent {est}")  # fmt: skip
    _log_axis(ax)
    _log_axis(ax, "y")
    ax.set(xlabel="parameters", ylabel="critical odds r_c / (1 - r_c)",
           title="critical ratio vs size")  # fmt: skip
    _below(ax, ncol=1)


def _web_panel(ax, report, _) -> None:
    pts = report.web_law["web_loss_by_params"]
    n, w = (np.asarray(v, dtype=float) for v in zip(*pts, strict=True))
    ax.plot(n, w, "o", color=COLOURS[0], label="web-only runs")
    _log_axis(ax)
    title = "web-only loss"
    if report.web_law.get("alpha"):
        title += f", alpha = {report.web_law['alpha']}"
    ax.set(xlabel="parameters", ylabel="web loss (nats per value token)", title=title)
    _below(ax, ncol=1)
