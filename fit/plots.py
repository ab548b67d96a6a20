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


def short_number(v: float, _pos=None) -> str:
    """``0.02``, ``5k``, ``1.2M``: tick labels short enough not to collide."""
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            return f"{v / div:g}{unit}"
    return f"{v:g}"


def log_axis(ax, axis: str = "x") -> None:
    """Log scale labelled at 1, 2 and 5 times each power of ten (more under one decade) in short
    numbers, minor ticks unlabelled: no colliding ``3x10^-2 4x10^-2`` labels."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    getattr(ax, f"set_{axis}scale")("log")
    a = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
    if hi / lo > 1e4:  # many decades: matplotlib's own decade labels read best
        return
    narrow = hi / lo < 10
    a.set_major_locator(
        LogLocator(subs=(1.0, 1.5, 2.0, 3.0, 5.0, 7.0) if narrow else (1.0, 2.0, 5.0))
    )
    a.set_major_formatter(FuncFormatter(short_number))
    a.set_minor_formatter(NullFormatter())


def _grid(x, n=300, log=True):
    lo, hi = float(np.min(x)), float(np.max(x))
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


def _finish(ax, title, xlabel, ylabel, legend):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="best", fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_breakpoints(fit, ax=None, title=None, xlabel="x", ylabel="y", legend=True):
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
    ymin, ymax = ax.get_ylim()
    ax.set_ylim(ymin, ymax * (ymax / ymin) ** 0.15)  # room for the phase labels
    log_axis(ax)
    log_axis(ax, "y")
    return _finish(ax, title, xlabel, ylabel, legend)


def plot_transition(fit, ax=None, title=None, xlabel="x", ylabel=None, legend=True):
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
    total = fit.data.get("total")
    if total is not None:  # counts: a Jeffreys interval per point (Beta(k + 1/2, n - k + 1/2))
        from scipy.stats import beta

        k = np.round(y * total)
        q = (1 - fit.ci) / 2
        lo_p = np.where(k == 0, 0.0, beta.ppf(q, k + 0.5, total - k + 0.5))
        hi_p = np.where(k == total, 1.0, beta.ppf(1 - q, k + 0.5, total - k + 0.5))
        ax.errorbar(x, y, yerr=[y - lo_p, hi_p - y], fmt="o", ms=3.5, color="k", elinewidth=0.7,
                    zorder=3, clip_on=False, label=f"data ({fit.ci:.0%} binomial interval)")  # fmt: skip
    else:
        ax.plot(x, y, "o", ms=3.5, color="k", zorder=3, label="data")
    ax.annotate(f"$x_c$ = {c.median:.3g}", xy=(c.median, 0.5), xycoords=("data", "axes fraction"),
                xytext=(4, 0), textcoords="offset points", fontsize=8)  # fmt: skip
    log_axis(ax)
    if ylabel is None:
        ylabel = "accuracy (correct / total)" if fit.likelihood == "binomial" else "y"
    if fit.likelihood == "binomial":
        ax.set_ylim(0, 1)
    return _finish(ax, title, xlabel, ylabel, legend)


def plot_power_law(fit, ax=None, title=None, xlabel="x", ylabel="y", legend=True):
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
    log_axis(ax)
    log_axis(ax, "y")
    return _finish(ax, title, xlabel, ylabel, legend)


def save_figure(ax, path) -> None:
    """Save the figure holding ``ax`` atomically (:func:`mixphase.io.save_figure`)."""
    from mixphase.io import save_figure as save

    save(ax.figure, path, dpi=200)
