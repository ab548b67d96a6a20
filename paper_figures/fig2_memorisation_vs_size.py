"""Figure 2: memorisation vs model size for several mixing ratios (transition in size).

Theory (knapsack model, :meth:`KnapsackModel.learned_fraction`): at a fixed ratio a model below
the critical size ``N_c(r)`` memorises nothing; a slightly larger one memorises everything.
Dashed: the expected accuracy (:mod:`mixphase.theory.accuracy`), the model ``predict`` and
``advise`` use (uncalibrated: the priors' medians).
With ``--validate-results`` a second panel shows what a ``mixphase validate`` sweep measured.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import (
    FigureResult,
    load_validate_results,
    main,
    measured_accuracy_panel,
    uncalibrated_model,
)

NUMBER = 2
NAME = "fig2_memorisation_vs_size"
TITLE = "Memorisation vs model size for several mixing ratios"

RATIOS = (0.3, 0.1, 0.03, 0.01, 0.003)


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    from mixphase.theory.accuracy import accuracy

    model, width = uncalibrated_model()
    sizes = np.geomspace(1e7, 1e10, 300 if quick else 1500)
    measured = load_validate_results(validate_results)
    fig, axes = st.figure(ncols=2 if measured else 1)
    ax = axes[0] if measured else axes
    rows, crit = [], {}
    for i, r in enumerate(RATIOS):
        s = st.style(i)
        nc = float(model.critical_size(r))
        crit[f"r={r:g}"] = nc
        xs = np.insert(sizes, np.searchsorted(sizes, nc), nc)
        phi = np.asarray(model.learned_fraction(xs, r))
        ax.plot(xs, phi, color=s["color"], marker=s["marker"],
                markevery=[int(np.argmin(abs(xs - nc)))], label=f"{r:g}", clip_on=False)  # fmt: skip
        acc = np.asarray(accuracy(model, xs, r, width))
        ax.plot(xs, acc, color=s["color"], ls="--", lw=1.0)
        rows += [{"source": "theory", "ratio": r, "model_size": float(n), "memorised": float(f),
                  "accuracy": float(a)} for n, f, a in zip(xs, phi, acc, strict=True)]  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlim(sizes[0], sizes[-1])
    ax.set_xlabel("model size N (parameters)")
    ax.set_ylabel("fraction of knowledge set memorised")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(
        "Theory: knapsack model, SynBio-320k + web law\n"
        f"(solid: learned fraction; dashed: expected accuracy, ramp w={width:g})"
    )
    ax.legend(title="mixing ratio r\n(marker: $N_c(r)$)", loc="center right")
    summary = {"critical_size": crit}
    if measured:
        measured_accuracy_panel(
            axes[1],
            measured,
            rows,
            "ratio",
            "model size N (parameters)",
            "mixing ratio r",
            lambda r: f"{r:g}",
            reverse=True,
        )
        summary["validate_rows"] = len(measured)
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


if __name__ == "__main__":
    raise SystemExit(main(make))
