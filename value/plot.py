"""Bar chart of a value benchmark: held-out Spearman per target and seconds, per method."""

from __future__ import annotations

import numpy as np

from mixphase.value.protocol import MG, SA


def plot_suite(suite, path) -> None:
    """One row of panels per task: Spearman vs each target (mean ± sd over seeds), seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mixphase.io import save_figure

    tasks = suite.tasks()
    fig, axes = plt.subplots(len(tasks), 2, figsize=(13, 3.6 * len(tasks)), squeeze=False,
                             gridspec_kw={"width_ratios": [2.2, 1]})  # fmt: skip
    for row, task in zip(axes, tasks, strict=True):
        run = next(r for r in suite.runs if r.task == task)
        methods = list(run.scores)
        x = np.arange(len(methods))
        tg = [t for t in (SA, MG) if t in run.targets]
        w = 0.8 / len(tg)
        for j, t in enumerate(tg):
            mu = [suite.stat(task, m, f"spearman_{t}")[0] for m in methods]
            sd = [suite.stat(task, m, f"spearman_{t}")[1] for m in methods]
            row[0].bar(x - 0.4 + w * (j + 0.5), mu, w, yerr=sd, capsize=2,
                       label=f"{t.replace('_', '-')} target")  # fmt: skip
        row[0].axhline(0, color="k", lw=0.8)
        row[0].set_ylim(-1, 1)
        row[0].set_xticks(x, methods, rotation=40, ha="right")
        row[0].set_ylabel("held-out Spearman")
        row[0].set_title(f"{task}: agreement with the retrained targets (mean ± sd over seeds)")
        row[0].legend(loc="lower left")
        secs = [max(suite.stat(task, m, "seconds")[0], 1e-3) for m in methods]
        row[1].bar(x, secs, color="gray")
        for t, style in ((SA, "--"), (MG, ":")):
            if t in run.targets:
                ref = np.mean([r.targets[t].seconds_one_seed for r in suite.runs if r.task == task])
                row[1].axhline(ref, ls=style, color="k", label=f"{t.replace('_', '-')} truth, once")
        row[1].set_yscale("log")
        row[1].set_xticks(x, methods, rotation=40, ha="right")
        row[1].set_ylabel("wall time [s]")
        row[1].legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    plt.close(fig)
