"""Plots a scientist can publish: axis labels from the data's columns, legends outside the data,
intervals drawn where numbers have them, no empty panels, accuracy within [0, 1], strip rows named
(readable in greyscale)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from mixphase.paper_figures import _style as st
from mixphase.paper_figures import figure_module, run_figures
from mixphase.records import Estimate


def _capture(monkeypatch, module, name):
    """Keep the figures ``module.name`` is given (it closes them) for inspection."""
    seen = []
    orig = getattr(module, name)

    def keep(fig, *a, **kw):
        fig.canvas.draw()  # lay out (and place the legends) before the figure is closed
        seen.append(fig)
        return orig(fig, *a, **kw)

    monkeypatch.setattr(module, name, keep)
    return seen


def _legends_clear_of_data(fig) -> int:
    """Every legend lies outside every axes' data area; returns how many legends there are."""
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    for leg in legends:
        lb = leg.get_window_extent(renderer)
        for ax in fig.axes:
            assert not lb.overlaps(ax.get_window_extent(renderer)), (leg, ax.get_title())
    return len(legends)


@pytest.mark.slow
def test_figure4_legends_outside(tmp_path, monkeypatch):
    figs = _capture(monkeypatch, st, "save")
    figure_module(4).make(out=tmp_path, quick=True)
    (fig,) = figs
    assert _legends_clear_of_data(fig) == 2
    assert fig.axes[0].get_ylim() == (0, 1.02)


def test_figure6_legend_outside_and_bootstrap_intervals(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    truth = {f"c{i}": float(v) for i, v in enumerate(rng.random(12))}
    good = {k: v + 0.1 * rng.standard_normal() for k, v in truth.items()}
    noise = {k: float(rng.random()) for k in truth}
    bench = {"task": "longtail", "ground_truth": {"values": truth},
             "scores": {"mixphase": good, "random": noise},
             "methods": {"mixphase": {"pearson": 0.95, "spearman": 0.93, "seconds": 1.0},
                         "random": {"pearson": 0.1, "spearman": 0.05, "seconds": 0.01}}}  # fmt: skip
    fig6 = figure_module(6)
    monkeypatch.setattr(fig6, "benchmark", lambda task, quick, seed=0: bench)
    figs = _capture(monkeypatch, st, "save")
    (result,) = run_figures(tmp_path, quick=True, only=[6], keep_going=False)
    assert result.status == "ok"
    assert _legends_clear_of_data(figs[0]) == 1
    with open(tmp_path / f"{result.name}.csv") as fh:
        rows = {r["method"]: r for r in csv.DictReader(fh)}
    for m in ("mixphase", "random"):
        for k in ("pearson", "spearman"):
            lo, hi = float(rows[m][f"{k}_lower"]), float(rows[m][f"{k}_upper"])
            assert -1 <= lo < hi <= 1
    # the good method's interval sits high and is narrow; the random one's spans zero
    assert float(rows["mixphase"]["pearson_lower"]) > 0.6
    assert float(rows["random"]["pearson_lower"]) < 0 < float(rows["random"]["pearson_upper"])


@pytest.mark.slow
def test_figure5_strip_rows_are_named(tmp_path, monkeypatch):
    pytest.importorskip("mixphase.simulate")
    fig5 = figure_module(5)
    specs = []
    real = fig5.run_curves

    def small(spec, n_items, reps, n_sizes, seed):  # two curves per panel keep the test quick
        specs.append(spec)
        return real(spec[:2], 5000, 4, 16, seed)

    monkeypatch.setattr(fig5, "run_curves", small)
    figs = _capture(monkeypatch, fig5.st, "save")
    fig5.make(out=tmp_path, quick=True)
    (fig,) = figs
    strips = [ax for ax in fig.axes if ax.get_xlabel().startswith("training-set size")]
    assert len(strips) == 2
    for ax in strips:
        names = [t.get_text() for t in ax.get_yticklabels()]
        assert all(names) and len(set(names)) == len(names)  # every row named, no colour needed
    assert _legends_clear_of_data(fig) == 3


# -- validate's sweep.png ------------------------------------------------------------------------
def _report(n_sizes=1, web=False):
    from mixphase.validate import verdicts as V
    from mixphase.validate.report import SweepReport
    from mixphase.validate.transitions import TransitionRecord

    def rows(n):
        return [{"ratio": r, "bio_correct": round(100 * a), "bio_total": 100, "params": n}
                for r, a in zip([0.01, 0.02, 0.04, 0.08], [0.0, 0.1, 0.7, 1.0], strict=True)]  # fmt: skip

    trans = [TransitionRecord("c", f"L1-d{16 * (i + 1)}", 6000 * (i + 1), rows(6000 * (i + 1)),
                              critical=Estimate(0.03, 0.025, 0.036)) for i in range(n_sizes)]  # fmt: skip
    web_law = {"web_loss_by_params": [(6000, 2.6), (12000, 2.3)] if web else []}
    return SweepReport(trans, web_law, V.Claim("critical_ratio_power_law", V.NOT_TESTED), ("", ""),
                       4 * n_sizes)  # fmt: skip


def test_sweep_png_small_sweep_has_no_empty_panels(tmp_path):
    from mixphase.validate.sweep_figure import draw_sweep

    assert draw_sweep(_report(1), tmp_path / "a.png") == ["ratio", "critical"]
    assert draw_sweep(_report(1, web=True), tmp_path / "b.png") == ["ratio", "critical", "web"]
    r = _report(1)
    r.transitions[0].critical = None
    assert draw_sweep(r, tmp_path / "c.png") == ["ratio"]
    from PIL import Image

    w, h = Image.open(tmp_path / "c.png").size
    assert w < 1.6 * h  # one panel, not three with two empty


def test_sweep_png_accuracy_axis_legends_and_intervals(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    from mixphase.validate import sweep_figure as sf

    figs = _capture(monkeypatch, plt.Figure, "savefig")
    sf.draw_sweep(_report(3, web=True), tmp_path / "s.png")
    (fig,) = figs
    ratio_ax = fig.axes[0]
    assert ratio_ax.get_ylim() == (0.0, 1.0)
    assert _legends_clear_of_data(fig) == 3
    # binomial error bars on every point (Jeffreys, 90%): 100 scored answers, 10 right
    lo, hi = sf.jeffreys([10], [100])
    assert lo[0] < 0.1 < hi[0] and 0.05 < hi[0] - lo[0] < 0.2
    assert sf.jeffreys([0], [100])[0][0] == 0.0 and sf.jeffreys([100], [100])[1][0] == 1.0
    assert any(type(c).__name__ == "ErrorbarContainer" for c in ratio_ax.containers)


# -- fit --plot ----------------------------------------------------------------------------------
def test_fit_plot_axis_labels_from_columns(tmp_path, monkeypatch, capsys):
    from mixphase.cli import main
    from mixphase.fit import plots

    axes = []
    real = plots.save_figure
    monkeypatch.setattr(plots, "save_figure", lambda ax, path: (axes.append(ax), real(ax, path)))
    rng = np.random.default_rng(0)
    n = np.geomspace(1e6, 1e9, 8)
    f = tmp_path / "runs.csv"
    f.write_text("model_size,critical_ratio,run\n" + "".join(
        f"{a},{2e3 * a**-0.6 * np.exp(0.02 * rng.standard_normal())},{r}\n"
        for r in ("a", "b") for a in n))  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main(["fit", "power-law", str(f), "--x-col", "model_size", "--y-col", "critical_ratio",
              "--plot", str(tmp_path / "p.png")])  # fmt: skip
    assert exc.value.code == 0
    fig = axes[-1].figure
    assert [ax.get_xlabel() for ax in fig.axes] == ["model_size"] * 2
    assert [ax.get_ylabel() for ax in fig.axes] == ["critical_ratio"] * 2
    assert all(ax.get_legend() is None for ax in fig.axes) and len(fig.legends) == 1
    # counts: an accuracy axis within [0, 1], binomial intervals, labels given by the user
    r = np.geomspace(0.01, 0.5, 12)
    p = 0.05 + 0.9 / (1 + np.exp(-(np.log(r) - np.log(0.08)) / 0.25))
    g = tmp_path / "t.jsonl"
    g.write_text("".join(json.dumps({"ratio": float(a), "correct": int(c), "total": 200}) + "\n"
                         for a, c in zip(r, rng.binomial(200, p), strict=True)))  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main(["fit", "transition", str(g), "--x-col", "ratio", "--x-label", "mixing ratio r",
              "--plot", str(tmp_path / "t.png")])  # fmt: skip
    assert exc.value.code == 0
    ax = axes[-1]
    assert ax.get_xlabel() == "mixing ratio r" and ax.get_ylabel() == "accuracy (correct / total)"
    assert ax.get_ylim() == (0.0, 1.0)
    assert any(type(c).__name__ == "ErrorbarContainer" for c in ax.containers)
    capsys.readouterr()
