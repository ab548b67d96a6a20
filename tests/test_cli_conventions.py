"""CLI conventions of issue 18: --json at group level, JSON alone on stdout, readable help with
no arguments, all-or-nothing outputs, zero is not "use the preset", plain messages."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from mixphase.errors import MixphaseInputError
from tests.bad_inputs.runner import run_cli
from tests.bad_inputs.workdir import make_workdir, snapshot

POP = ["simulate", "popularity", "--groups", "2", "--group-size", "3", "-n", "1e6"]


def test_no_arguments_prints_readable_help():
    for argv in ([], ["simulate"], ["fit"]):
        res = run_cli(argv)
        assert res.code == 2 and not res.error and res.stdout == ""
        lines = res.stderr.splitlines()
        assert len(lines) > 5 and lines[0].startswith("Usage: mixphase")
        assert any(line.strip() == "Commands:" for line in lines)
        assert "mixphase: error" not in res.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["predict", "--json", "critical-ratio", "-n", "1e8"],
        ["predict", "--json", "breakpoints", "--beta", "2", "--pi", "0.5", "-k", "100"],
        ["simulate", "--json", *POP[1:]],
        ["advise", "--json", "real-share", "--beta", "2", "-k", "100", "-s", "1e6"],
    ],
)
def test_json_at_group_level(argv, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli(argv)
    assert res.code == 0, res.stderr
    json.loads(res.stdout)  # one JSON object and nothing else


def test_fit_json_at_group_level(tmp_path, monkeypatch):
    make_workdir(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = run_cli(["fit", "--json", "power-law", "pl.csv"])
    assert res.code == 0, res.stderr
    assert "exponent" in json.loads(res.stdout)


def test_validate_run_verbose_json_keeps_stdout_json_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli(["validate", "run", "--ratio", "0.1", "--steps", "2", "-o", "run", "-v",
                   "--json"])  # fmt: skip
    assert res.code == 0, res.stderr
    assert json.loads(res.stdout)["steps"] == 2
    assert '"train_loss"' in res.stderr  # the log went to stderr


def test_simulation_leaves_nothing_when_its_plot_fails_late(tmp_path, monkeypatch):
    """The rows are staged, then the plot fails: neither the CSV nor its sidecar appear."""
    import mixphase.io

    def broken(*args, **kwargs):
        raise MixphaseInputError("the plot failed")

    monkeypatch.setattr(mixphase.io, "save_figure", broken)
    monkeypatch.chdir(tmp_path)
    res = run_cli([*POP, "-o", "c.csv", "--plot", "p.png"])
    assert res.code == 2 and "the plot failed" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_simulation_writes_all_its_files_together(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli([*POP, "-o", "c.csv", "--plot", "p.png", "--json"])
    assert res.code == 0, res.stderr
    assert set(json.loads(res.stdout)["files"]) == {"rows", "truth", "plot"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "c.csv.truth.json", "p.png"]


def test_fit_save_and_plot_all_or_nothing(tmp_path, monkeypatch):
    make_workdir(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    res = run_cli(["fit", "power-law", "pl.csv", "--save", "post.nc", "--plot", "/proc/x.png"])
    assert res.code == 2 and snapshot(tmp_path) == before
    res = run_cli(["fit", "power-law", "pl.csv", "--save", "post.nc", "--plot", "p.pdf"])
    assert res.code == 0, res.stderr
    assert (tmp_path / "post.nc").stat().st_size > 0
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")


def test_validate_without_ray_leaves_no_folder(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails
    monkeypatch.chdir(tmp_path)
    res = run_cli(["validate", "sweep", "-o", "sw", "--backend", "ray", "--steps", "2"])
    assert res.code == 2 and "pip install 'mixphase[ray]'" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_figures_unwritable_out_is_a_clean_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run_cli(["figures", "--out", "/proc/figs", "--only", "4", "--quick"])
    assert res.code == 2 and res.stdout == ""
    assert res.stderr.startswith("mixphase: error: --out /proc/figs: cannot create folder")


@pytest.mark.parametrize("field", ["steps", "batch_size", "lr", "n_layer", "n_head", "d_model"])
def test_zero_is_not_use_the_preset(field):
    from mixphase.validate.train import RunConfig

    with pytest.raises(MixphaseInputError, match="--" + field.replace("_", "-")):
        RunConfig(**{field: 0}).resolved()
    with pytest.raises(MixphaseInputError, match="--eval-every"):
        RunConfig(eval_every=-1).resolved()
    assert RunConfig().resolved().steps > 0  # None still takes the preset's value


def test_bom_is_read_by_advise_calibration(tmp_path):
    from mixphase.advise.calibration import read_records

    text = "model_size,ratio,accuracy\n1e6,0.01,0.1\n"
    (tmp_path / "plain.csv").write_text(text)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert read_records(tmp_path / "bom.csv") == read_records(tmp_path / "plain.csv")


def test_extreme_but_valid_curves_fit_in_log_space(tmp_path, monkeypatch):
    """y ~ 1e-302 or 1e300 and x ~ 1e290 are fine for log-log fits: same exponents, no warning."""
    make_workdir(tmp_path)
    monkeypatch.chdir(tmp_path)
    slopes = []
    for name in ("curve.csv", "tiny.csv", "huge.csv", "huge_x.csv"):
        res = run_cli(["fit", "breakpoints", name, "-k", "1", "--json"])
        assert res.code == 0 and res.stderr == "", res.stderr
        slopes.append(json.loads(res.stdout)["slopes"][0]["median"])
        res = run_cli(["fit", "power-law", name, "--json"])
        assert res.code == 0 and res.stderr == "", res.stderr
        assert np.isfinite(json.loads(res.stdout)["prefactor"]["median"])
    assert np.allclose(slopes, slopes[0])


def test_messages_name_things_plainly(tmp_path):
    from mixphase.fit import fit_breakpoints
    from mixphase.value.data import load_data

    x = np.logspace(0, 4, 30)
    y = x**-0.5
    y[0] *= 20
    with pytest.raises(MixphaseInputError, match="before the second data point"):
        fit_breakpoints(x, y, 1)
    (tmp_path / "train.csv").write_text("label,contributor,is_synthetic,f29,f30\n1,a,0,1,2\n")
    (tmp_path / "test.csv").write_text("label,f30\n1,2\n")
    with pytest.raises(MixphaseInputError) as exc:
        load_data(tmp_path / "train.csv", tmp_path / "test.csv")
    assert str(exc.value).endswith("lacks feature columns f29")
