"""Figure 1: memorisation vs mixing ratio for several model sizes (transition in the ratio).

Theory (knapsack model, Gu et al. 2025 Thm 4.3, :meth:`KnapsackModel.learned_fraction`): the
fraction of the knowledge set stored jumps from 0 to 1 over a narrow band of ratios around the
critical ratio ``r_c(N)``; larger models jump at smaller ratios. Dashed: the expected accuracy of
the accuracy model (:mod:`mixphase.theory.accuracy`), the same model ``predict`` and ``advise``
use (uncalibrated: the priors' medians). With ``--validate-results`` a
second panel shows the memorisation accuracy measured by a ``mixphase validate`` sweep.
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

NUMBER = 1
NAME = "fig1_memorisation_vs_ratio"
TITLE = "Memorisation vs mixing ratio for several model sizes"

SIZES = (31e6, 70e6, 160e6, 410e6, 1e9)


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    from mixphase.theory.accuracy import accuracy

    model, width = uncalibrated_model()
    ratios = np.geomspace(1e-4, 0.95, 300 if quick else 1500)
    measured = load_validate_results(validate_results)
    fig, axes = st.figure(ncols=2 if measured else 1)
    ax = axes[0] if measured else axes
    rows, onsets = [], {}
    for i, n in enumerate(SIZES):
        phi = np.asarray(model.learned_fraction(n, ratios))
        s = st.style(i)
        rc = float(model.critical_ratio(n))
        onsets[st.size_label(n)] = rc
        # solid lines (the flat parts of all sizes coincide); the marker sits at the onset r_c
        xs = np.insert(ratios, np.searchsorted(ratios, rc), rc)
        ys = np.asarray(model.learned_fraction(n, xs))
        ax.plot(xs, ys, color=s["color"], marker=s["marker"], markevery=[int(np.argmin(abs(xs - rc)))],
                label=st.size_label(n), clip_on=False, zorder=3 + i)  # fmt: skip
        acc = np.asarray(accuracy(model, n, ratios, width))
        ax.plot(ratios, acc, color=s["color"], ls="--", lw=1.0, zorder=2 + i)
        rows += [{"source": "theory", "model_size": n, "ratio": float(r), "memorised": float(f),
                  "accuracy": float(a)} for r, f, a in zip(ratios, phi, acc, strict=True)]  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("mixing ratio r of the knowledge set (token share)")
    ax.set_ylabel("fraction of knowledge set memorised")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(1e-4, 1)
    ax.set_title(
        "Theory: knapsack model, SynBio-320k + web law\n"
        f"(solid: learned fraction; dashed: expected accuracy, ramp w={width:g})"
    )
    ax.legend(title="model size\n(marker: onset $r_c$)", loc="center left")
    summary = {"onset_ratio": onsets}
    if measured:
        measured_accuracy_panel(
            axes[1],
            measured,
            rows,
            "params",
            "mixing ratio r of the knowledge set (token share)",
            "model size (params)",
            st.size_label,
        )
        summary["validate_rows"] = len(measured)
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


if __name__ == "__main__":
    raise SystemExit(main(make))
