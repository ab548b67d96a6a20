"""The Pareto plot of knowledge mixing: facts learned vs web-loss increase, and the ratio it takes.

matplotlib is imported inside the function; the figure is written atomically and not shown.
"""

from __future__ import annotations

import numpy as np

from mixphase.io import save_figure
from mixphase.theory import strategy_search as ss
from mixphase.theory.predictions import format_size


def plot_pareto(advice, path) -> None:
    """Two panels per advice record, one curve per model size (median calibrated model).

    Left: the front of facts learned vs web-loss increase (one curve per size: in the allocation
    model the cost depends only on the bits stored). Right: the ratio each point needs when keeping
    the best fraction vs keeping the whole set; the current ratio and ``max_ratio`` are marked.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = advice.calibration.median_model(advice.model)
    k = float(model.knowledge.n_facts)
    h = float(model.knowledge.bits_per_fact)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    for n in advice.sizes:
        front = _front(model, n, advice.settings.get("max_ratio"))
        line = ax0.plot(front["facts"] / k, front["web_loss_increase"], label=format_size(n))[0]
        ax1.plot(front["facts"] / k, front["ratio"], color=line.get_color(),
                 label=f"{format_size(n)}: best keep fraction")  # fmt: skip
        ax1.plot(front["facts"] / k, front["ratio_keep_all"], color=line.get_color(), ls="--",
                 label=f"{format_size(n)}: keep all")  # fmt: skip
        keep = float(np.ravel(ss.best_keep_fraction(model, n, advice.ratio))[0])
        facts_now = float(np.ravel(ss.expected_facts(model, n, advice.ratio, keep))[0])
        cost = float(np.ravel(ss.web_loss_increase(model, n, facts_now * h, advice.ratio))[0])
        ax0.plot([facts_now / k], [cost], "o", color=line.get_color())
    ax1.axhline(advice.ratio, color="k", lw=0.8, ls=":", label=f"current r={advice.ratio:g}")
    if advice.settings.get("max_ratio") is not None:
        ax1.axhline(advice.settings["max_ratio"], color="r", lw=0.8, ls=":", label="max ratio")
    if advice.settings.get("max_web_loss_increase") is not None:
        ax0.axhline(advice.settings["max_web_loss_increase"], color="r", lw=0.8, ls=":",
                    label="tolerated increase")  # fmt: skip
    unit = advice.calibration.web.draws.loss_unit
    ax0.set(xscale="log", yscale="log", xlabel="facts learned (share of the set)",
            ylabel=f"web-loss increase ({unit}/token)",
            title="Pareto front (dots: best keep fraction at the current r)")  # fmt: skip
    ax1.set(xscale="log", yscale="log", xlabel="facts learned (share of the set)",
            ylabel="mixing ratio needed", title="Ratio needed: subsample vs keep all")  # fmt: skip
    ax0.legend(fontsize=8)
    ax1.legend(fontsize=7)
    tag = "uncalibrated theory" if not advice.calibration.calibrated else "calibrated (median)"
    fig.suptitle(f"Knowledge mixing, {tag}", fontsize=10)
    save_figure(fig, path, dpi=130)
    plt.close(fig)


def _front(model, n: float, max_ratio=None, points: int = 120) -> dict:
    """Facts learned vs web-loss increase, and the ratio each point needs (best keep / keep all).

    Facts run from ``K/10^4`` to the most any ratio (or ``max_ratio``) can teach.
    """
    k = float(model.knowledge.n_facts)
    h = float(model.knowledge.bits_per_fact)
    f_max = min(k, 0.999 * float(model.capacity(n)) / h)
    if max_ratio is not None:
        f_max = min(f_max, float(np.ravel(ss.best_keep_fraction(model, n, max_ratio))[0]) * k)
    facts = np.geomspace(min(k * 1e-4, f_max / 10), f_max, points)
    with np.errstate(invalid="ignore"):
        keep_all = np.array([model.critical_ratio(n, min(f / k, 1.0)) for f in facts])
        best = np.ravel(ss.ratio_for_facts(model, n, facts))
    return {"facts": facts, "ratio": best, "ratio_keep_all": keep_all,
            "web_loss_increase": np.ravel(ss.web_loss_increase(model, n, facts * h))}  # fmt: skip
