"""Paper-ready plots of fits: data, posterior median, credible band, intervals shaded.

Each function draws into ``ax`` (a new figure when None) and returns the ``Axes``; nothing is
drawn into pyplot's global state beyond creating a figure when asked to.
"""

from __future__ import annotations

import numpy as np

PHASE_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"]


def _axes(ax):
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.0, 4.0), layout="constrained")
        ax = fig.add_subplot()
    return ax


def _grid(x, n=300, log=True):
    lo, hi = float(np.min(x)), float(np.max(x))
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


def plot_breakpoints(fit, ax=None, title=None):
    ax = _axes(ax)
    p = fit.problem
    xs = _grid(p.x)
    lo, med, hi = fit.band(xs)
    ax.set_xscale("log")
    ax.set_yscale("log")
    edges = [p.x.min()] + [b.median for b in fit.breakpoints] + [p.x.max()]
    for j, b in enumerate(fit.breakpoints):
        ax.axvspan(b.lower, b.upper, color="0.85", zorder=0, lw=0,
                   label=f"breakpoint {fit.ci:.0%} interval" if j == 0 else None)  # fmt: skip
        ax.axvline(b.median, color="0.4", ls="--", lw=0.8, zorder=1)
    ax.fill_between(xs, lo, hi, color="C0", alpha=0.3, lw=0,
                    label=f"{fit.ci:.0%} credible band")  # fmt: skip
    ax.plot(xs, med, color="C0", lw=1.8, label="posterior median")
    ax.plot(p.x, p.y, "o", ms=3.5, color="k", zorder=3, label="data")
    if p.y_err is not None:
        ax.errorbar(p.x, p.y, yerr=p.y_err, fmt="none", ecolor="k", elinewidth=0.6, zorder=3)
    # phase labels: at the geometric centre of each phase, on top of the axes
    for j in range(len(edges) - 1):
        xc = float(np.sqrt(edges[j] * edges[j + 1]))
        s = fit.slopes[j]
        ax.annotate(f"phase {j + 1}\nslope {s.median:.2f}", xy=(xc, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(0, -4),
                    textcoords="offset points", ha="center", va="top", fontsize=8,
                    color=PHASE_COLOURS[j % len(PHASE_COLOURS)])  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ymin, ymax = ax.get_ylim()
    ax.set_ylim(ymin, ymax * (ymax / ymin) ** 0.15)  # room for the phase labels
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_transition(fit, ax=None, title=None):
    ax = _axes(ax)
    x, y = fit.data["x"], fit.data["y"]
    xs = _grid(x)
    lo, med, hi = fit.band(xs)
    ax.set_xscale("log")
    c = fit.critical
    ax.axvspan(c.lower, c.upper, color="0.85", zorder=0, lw=0,
               label=f"critical point {fit.ci:.0%} interval")  # fmt: skip
    ax.axvline(c.median, color="0.4", ls="--", lw=0.8)
    ax.fill_between(xs, lo, hi, color="C1", alpha=0.3, lw=0, label=f"{fit.ci:.0%} credible band")
    ax.plot(xs, med, color="C1", lw=1.8, label="posterior median")
    ax.plot(x, y, "o", ms=3.5, color="k", zorder=3, label="data")
    ax.annotate(f"$x_c$ = {c.median:.3g}", xy=(c.median, 0.5), xycoords=("data", "axes fraction"),
                xytext=(4, 0), textcoords="offset points", fontsize=8)  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("accuracy" if fit.likelihood == "binomial" else "y")
    ax.legend(loc="best", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_power_law(fit, ax=None, title=None):
    ax = _axes(ax)
    x, y = fit.data["x"], fit.data["y"]
    xs = _grid(x)
    lo, med, hi = fit.band(xs)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.fill_between(xs, lo, hi, color="C2", alpha=0.3, lw=0, label=f"{fit.ci:.0%} credible band")
    e = fit.exponent
    ax.plot(xs, med, color="C2", lw=1.8, label=f"fit: exponent {e.median:.3g} "
            f"[{e.lower:.3g}, {e.upper:.3g}]")  # fmt: skip
    if fit.data.get("y_lower") is not None:
        yerr = np.stack([y - fit.data["y_lower"], fit.data["y_upper"] - y])
        ax.errorbar(x, y, yerr=yerr, fmt="o", ms=3.5, color="k", elinewidth=0.8, label="data")
    else:
        ax.plot(x, y, "o", ms=3.5, color="k", label="data")
    if fit.predicted_exponent is not None:
        # the prediction drawn through the fitted curve's value at the geometric centre
        xc = float(np.exp(np.mean(np.log(x))))
        yc = float(fit.predict(xc)[0])
        ax.plot(xs, yc * (xs / xc) ** fit.predicted_exponent, "--", color="0.3",
                label=f"predicted exponent {fit.predicted_exponent:.3g}")  # fmt: skip
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="best", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def save_figure(ax, path) -> None:
    """Save the figure holding ``ax`` atomically (:func:`mixphase.io.save_figure`)."""
    from mixphase.io import save_figure as save

    save(ax.figure, path, dpi=200)
