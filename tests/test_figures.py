"""Paper figures: each writes PNG, PDF and CSV; the runner, the CLI and the optional inputs."""

from __future__ import annotations

import csv
import importlib.util
import json

import pytest

from mixphase.errors import MixphaseInputError
from mixphase.paper_figures import FIGURES, figure_module, run_figures
from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import load_validate_results


def _check_outputs(result, out):
    assert result.status == "ok", result
    names = {p.name for p in result.files}
    for ext in ("png", "pdf", "csv"):
        path = out / f"{result.name}.{ext}"
        assert (path.name in names and path.stat().st_size > 1000) or ext == "csv"
    with open(out / f"{result.name}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 5
    assert (out / f"{result.name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_theory_figures_quick(number, tmp_path):
    (result,) = run_figures(tmp_path, quick=True, only=[number], keep_going=False)
    _check_outputs(result, tmp_path)


def test_figure3_draws_the_theory_without_fitting_it(tmp_path):
    # issue 14: the figure fitted a power law to the theory's own noise-free points
    s = figure_module(3).make(out=tmp_path, quick=True).summary
    assert s["predicted_exponent"] == pytest.approx(-1.283)
    assert not any("fitted" in k for k in s)


def test_figure3_shows_measured_critical_ratios_from_a_report(tmp_path):
    import validate_rows as VR

    from mixphase.validate.report import compare

    rows = VR.sweep(sizes=VR.SIZES[:4])
    (tmp_path / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(MixphaseInputError, match="no report"):
        figure_module(3).make(out=tmp_path / "f", quick=True, validate_results=tmp_path)
    compare(rows, scatter=0.1).save(tmp_path)
    s = figure_module(3).make(out=tmp_path / "f", quick=True, validate_results=tmp_path).summary
    assert len(s["measured_critical_ratio"]) >= 3
    assert s["verdict"] in ("held", "inconclusive", "did not hold")
    lo, hi = s["predicted_from_marginal_value"][1:]
    assert lo < -1.0 < hi
    with open(tmp_path / "f" / "fig3_critical_ratio_power_law.csv") as fh:
        assert any(r["source"] == "validate" and r["lower"] for r in csv.DictReader(fh))


def test_figure4_threshold_slopes(tmp_path):
    s = figure_module(4).make(out=tmp_path, quick=True).summary
    assert s["allocation_slope"] == pytest.approx(s["predicted_exponent"], abs=0.02)
    assert abs(s["algorithm1_slope"] - s["predicted_exponent"]) < 0.15


@pytest.mark.skipif(
    importlib.util.find_spec("mixphase.simulate.mixture") is None
    or importlib.util.find_spec("mixphase.fit.breakpoints") is None,
    reason="needs mixphase.simulate and mixphase.fit",
)
def test_figure5_quick(tmp_path):
    (result,) = run_figures(tmp_path, quick=True, only=[5], keep_going=False)
    _check_outputs(result, tmp_path)
    with open(tmp_path / f"{result.name}.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("predicted_breakpoint_1")]
    assert len(rows) == 7  # 3 real shares + 4 mechanisms
    for r in rows:  # fitted breakpoints within a factor 3 of the predicted ones
        for j in (1, 2):
            if r.get(f"fitted_breakpoint_{j}"):
                ratio = float(r[f"fitted_breakpoint_{j}"]) / float(r[f"predicted_breakpoint_{j}"])
                assert 1 / 3 < ratio < 3


def _fake_sweep(path):
    # a capacity-like transition: critical ratio 0.08 * (params / 1e4)^-1.2, seeds 0 and 1
    lines = []
    for n in (7e3, 1.1e4, 2e4, 4e4):
        rc = 0.08 * (n / 1e4) ** -1.2
        for r in (0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32):
            for seed in (0, 1):
                acc = 1.0 if r > rc * (1.1 if seed else 0.9) else 0.02
                lines.append(
                    json.dumps(
                        {
                            "config": {"ratio": r, "seed": seed},
                            "result": {"params": n, "memorization_accuracy": acc},
                        }
                    )
                )
        lines.append(json.dumps({"status": "failed", "ratio": 0.1}))  # left out
    path.write_text("\n".join(lines) + "\n")
    return path


def test_validate_results_add_measured_panels(tmp_path):
    res = _fake_sweep(tmp_path / "results.jsonl")
    rows = load_validate_results(tmp_path)  # a folder works too
    assert len(rows) == 4 * 7 * 2 and set(rows[0]) == {"params", "ratio", "memorization_accuracy"}
    out = tmp_path / "figs"
    results = run_figures(out, quick=True, only=[1], validate_results=res, keep_going=False)
    assert all(r.status == "ok" for r in results)
    with open(out / "fig1_memorisation_vs_ratio.csv") as fh:
        assert any(r["source"] == "validate" for r in csv.DictReader(fh))


def test_bad_validate_results(tmp_path):
    bad = tmp_path / "results.jsonl"
    bad.write_text('{"foo": 1}\n')
    with pytest.raises(MixphaseInputError, match="no rows"):
        load_validate_results(bad)
    with pytest.raises(MixphaseInputError, match="cannot read"):
        load_validate_results(tmp_path / "missing.jsonl")


FAKE_BENCH = {
    "task": "longtail",
    "methods": {
        "mixphase": {"pearson": 0.93, "spearman": 0.9, "seconds": 1.2},
        "knn_shapley": {"pearson": 0.41, "spearman": 0.38, "seconds": 0.3},
        "loo": {"pearson": 0.2, "spearman": -0.1, "seconds": 30.0},
    },
}


def test_figure6_plots_the_benchmark_table(tmp_path, monkeypatch):
    fig6 = figure_module(6)
    monkeypatch.setattr(fig6, "benchmark", lambda task, quick, seed=0: dict(FAKE_BENCH, task=task))
    (result,) = run_figures(tmp_path, quick=True, only=[6], keep_going=False)
    assert result.status == "ok"
    with open(tmp_path / f"{result.name}.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["method"] for r in rows} == set(FAKE_BENCH["methods"])


def test_figure6_calls_the_value_benchmark_directly(tmp_path, monkeypatch):
    import mixphase.value.benchmark as vb

    calls = []

    class Fake:
        def __init__(self, task):
            self.task = task

        def to_dict(self):
            return dict(FAKE_BENCH, task=self.task)

    monkeypatch.setattr(vb, "run_benchmark", lambda task, seed=0, methods=(): calls.append(
        (task, methods)) or Fake(task))  # fmt: skip
    (result,) = run_figures(tmp_path, quick=True, only=[6], keep_going=False)
    assert result.status == "ok"
    assert calls == [("longtail", figure_module(6).QUICK_METHODS)]


def test_runner_records_errors_and_rejects_unknown_figures(tmp_path, monkeypatch):
    with pytest.raises(MixphaseInputError, match="no figure 7"):
        run_figures(tmp_path, only=[7])
    fig2 = figure_module(2)

    def boom(**kw):
        raise RuntimeError("kaput")

    monkeypatch.setattr(fig2, "make", boom)
    (result,) = run_figures(tmp_path, only=[2])
    assert result.status == "error" and "kaput" in result.error


def test_cli_figures_json_and_errors(tmp_path, capsys):
    from mixphase.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["figures", "--quick", "--only", "2", "--out", str(tmp_path), "--json"])
    assert exc.value.code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["figures"][0]["status"] == "ok" and payload["quick"] is True
    with pytest.raises(SystemExit) as exc:
        main(["figures", "--only", "9"])
    assert exc.value.code == 2
    assert "mixphase: error:" in capsys.readouterr().err


def test_module_runs_alone(tmp_path, capsys):
    fig2 = figure_module(2)
    from mixphase.paper_figures._common import main

    assert main(fig2.make, ["--out", str(tmp_path), "--quick"]) == 0
    assert "Figure 2" in capsys.readouterr().out
    assert (tmp_path / "fig2_memorisation_vs_size.pdf").exists()


def test_registry_and_palette():
    assert sorted(FIGURES) == [1, 2, 3, 4, 5, 6]
    for n in FIGURES:
        spec = importlib.util.find_spec(f"mixphase.paper_figures.{FIGURES[n]}")
        assert spec is not None
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}  # fmt: skip
    assert set(st.PALETTE) == okabe_ito
    assert st.style(0)["color"] != st.style(1)["color"]


def test_validate_results_leave_out_control_runs(tmp_path):
    """A sweep's controls (3x steps, a 10-fact web) are not extra seeds of the base runs."""
    import json

    from mixphase.paper_figures._common import load_validate_results

    base = {"params": 6624, "ratio": 0.08, "steps": 4000, "data": {"web": {"n_facts": 50000}}}
    rows = [
        {**base, "key": "a", "memorization_accuracy": 0.065},
        {**base, "key": "b", "ratio": 0.16, "memorization_accuracy": 0.71},
        {**base, "key": "c", "steps": 12000, "memorization_accuracy": 0.305},
        {**base, "key": "d", "data": {"web": {"n_facts": 10}}, "memorization_accuracy": 0.96},
    ]
    f = tmp_path / "results.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    got = load_validate_results(f)
    assert sorted(r["memorization_accuracy"] for r in got) == [0.065, 0.71]
