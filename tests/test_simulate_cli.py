"""`mixphase simulate`: files in the fit format, sidecars, JSON output, error paths."""

import csv
import json

import numpy as np
import pytest
from click.testing import CliRunner

from mixphase.cli import cli, main
from mixphase.simulate import simulate_mixture_curves, truth_path
from mixphase.theory import Truncation, breakpoints


def invoke(args):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    return res


MIX = ["simulate", "mixture-curve", "--beta", "2", "--pi", "0.05", "--n-items", "20000",
       "--repetitions", "3", "--n-sizes", "8", "--seed", "5"]  # fmt: skip


def test_mixture_curve_csv_and_sidecar(tmp_path):
    out = tmp_path / "curves.csv"
    res = invoke([*MIX, "--cutoff", "50", "--out", str(out), "--plot", str(tmp_path / "c.png")])
    assert "wrote rows" in res.output and (tmp_path / "c.png").exists()
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["x", "y", "curve"] and len(rows) == 3 * 8
    truth = json.loads(truth_path(out).read_text())
    bp = breakpoints(2.0, Truncation(cutoff=50), 0.05, 20000)
    assert truth["breakpoints"] == pytest.approx([bp.first, bp.second])
    assert truth["simulation"]["seed"] == 5
    # the file holds exactly what the library computes with the same seed
    c = simulate_mixture_curves(2.0, Truncation(cutoff=50), 0.05, n_items=20000, repetitions=3,
                                seed=5, n_sizes=8)  # fmt: skip
    np.testing.assert_allclose([float(r["y"]) for r in rows], c.errors.ravel(), rtol=1e-15)


@pytest.mark.parametrize(
    "trunc", [["--top-p", "0.9"], ["--temperature", "0.7"], ["--synthetic-samples", "1e5"]]
)
def test_mixture_curve_truncations_jsonl_mean(tmp_path, trunc):
    out = tmp_path / "c.jsonl"
    res = invoke([*MIX, *trunc, "--aggregate", "mean", "--out", str(out), "--json"])
    summary = json.loads(res.stdout)  # a three-phase warning, if any, goes to stderr
    assert summary["files"]["rows"] == str(out)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 8 and set(lines[0]) == {"x", "y", "y_err"}
    assert summary["theory"]["mechanism"] == trunc[0].lstrip("-").replace("-", "_")


def test_phase_diagram_and_popularity(tmp_path):
    out = tmp_path / "pd.csv"
    invoke(["simulate", "phase-diagram", "-n", "7e7", "-n", "4.1e8", "--n-ratios", "5",
            "--verify-cvxpy", "0", "--exposures-needed", "100", "--training-tokens", "3.2e10",
            "--out", str(out)])  # fmt: skip
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 10 and {r["curve"] for r in rows} == {"N=7e+07", "N=4.1e+08"}
    truth = json.loads(truth_path(out).read_text())
    assert truth["exposure_ratio"] == pytest.approx(100 * 320_000 * 100 / 3.2e10)
    res = invoke(["simulate", "popularity", "-n", "1e7", "-n", "1e8", "--json"])
    assert len(json.loads(res.output)["curves"]) == 2


def test_mixture_curve_warns_when_the_plateau_is_too_short(tmp_path):
    """Issue 16: at pi = 0.3 the breakpoints are ~3x apart: one bend, not three phases."""
    args = [*MIX[:5], "0.3", *MIX[6:], "--cutoff", "50"]
    res = invoke([*args, "--json"])
    assert res.stderr.startswith("mixphase: warning: no plateau at real share pi=0.3")
    assert json.loads(res.stdout)["theory"]["three_phase_valid"] is False
    assert "WARNING: no plateau" in invoke(args).stdout
    assert invoke([*MIX, "--cutoff", "50"]).stderr == ""  # pi = 0.05: a plateau


def test_bad_truncation_is_one_line_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([*MIX, "--cutoff", "5", "--top-p", "0.5"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("mixphase: error:") and err.count("\n") == 1
