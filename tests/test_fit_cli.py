"""``mixphase fit`` commands: JSON shapes, several curves, tracker exports, errors (exit 2)."""

import json

import numpy as np
import pytest
from cli_helpers import run

from mixphase.fit import read_curves


def write_curves(path, curves=("a", "b"), header="x,y,curve"):
    rng = np.random.default_rng(1)
    x = np.logspace(0, 6, 40)
    lx, lb = np.log(x), np.log([1e2, 1e4])
    lines = [header]
    for i, c in enumerate(curves):
        ly = -0.8 * lx + 0.75 * np.maximum(lx - lb[0] - 0.3 * i, 0)
        ly += -0.55 * np.maximum(lx - lb[1], 0) + 0.05 * rng.standard_normal(x.size)
        lines += [f"{a},{b},{c}" for a, b in zip(x, np.exp(ly), strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_breakpoints_json_several_curves_plot_save(tmp_path, capsys):
    f = write_curves(tmp_path / "c.csv")
    code, out, _ = run(["fit", "breakpoints", str(f), "--json", "--plot",
                        str(tmp_path / "p.png"), "--save", str(tmp_path / "t.nc")], capsys)  # fmt: skip
    assert code == 0
    res = json.loads(out)
    assert [r["curve"] for r in res] == ["a", "b"]
    assert all(r["n_breakpoints"] == 2 and len(r["breakpoints"]) == 2 for r in res)
    assert (tmp_path / "p.png").stat().st_size > 10_000
    assert (tmp_path / "t_a.nc").exists() and (tmp_path / "t_b.nc").exists()


def test_tensorboard_export_mapping(tmp_path, capsys):
    f = write_curves(tmp_path / "tb.csv", curves=("1.0",), header="Step,Value,Wall time")
    code, out, _ = run(["fit", "breakpoints", str(f), "--x-col", "Step", "--y-col", "Value",
                        "--json"], capsys)  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert d["n_breakpoints"] == 2 and "curve" not in d
    code, out, err = run(["fit", "breakpoints", str(f), "-k", "1"], capsys)  # x: Step, found
    assert code == 2 and "missing column 'y'" in err and "Value" in err
    code, out, _ = run(["fit", "breakpoints", str(f), "--x-col", "Step", "--y-col", "Value",
                        "-k", "auto"], capsys)  # fmt: skip
    assert code == 0 and "marginal likelihood" in out and "breakpoint 2" in out


@pytest.mark.parametrize(
    ("content", "args", "match"),
    [
        ("a,b\n1,2\n", [], "missing column 'x'"),
        ("x,y\n1,2\n2,nan\n3,4\n", [], "not finite"),
        ("x,y\n1,2\n2,abc\n3,4\n", [], "not a number"),
        ("x,y\n1,2\n2,3\n3,4\n4,5\n", [], "too few"),
        ("x,y\n1,2\n2,-3\n3,4\n4,5\n5,1\n6,2\n7,3\n8,1\n", [], "positive"),
        ("x,y\n1,2\n2,3\n", ["-k", "7"], "--n-breakpoints"),
        ("x,y\n1,2\n2,3\n", ["--sampler", "nutpie"], "--sampler nutpie needs --engine pymc"),
    ],
)
def test_bad_input_exit_2(tmp_path, capsys, content, args, match):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    code, out, err = run(["fit", "breakpoints", str(f), *args], capsys)
    assert code == 2 and out == ""
    assert err.startswith("mixphase: error:") and match in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unreadable_file_exit_2(tmp_path, capsys):
    code, _, err = run(["fit", "breakpoints", str(tmp_path / "none.csv")], capsys)
    assert code == 2 and "cannot read" in err
    code, _, err = run(["fit", "transition", str(tmp_path)], capsys)
    assert code == 2 and "directory" in err


def test_transition_and_power_law_commands(tmp_path, capsys):
    rng = np.random.default_rng(0)
    r = np.geomspace(0.01, 0.5, 12)
    p = 0.05 + 0.9 / (1 + np.exp(-(np.log(r) - np.log(0.08)) / 0.25))
    rows = [json.dumps({"x": float(a), "correct": int(c), "total": 200})
            for a, c in zip(r, rng.binomial(200, p), strict=True)]  # fmt: skip
    f = tmp_path / "t.jsonl"
    f.write_text("\n".join(rows) + "\n")
    code, out, _ = run(["fit", "transition", str(f), "--json"], capsys)
    assert code == 0
    d = json.loads(out)
    assert d["likelihood"] == "binomial" and abs(np.log(d["critical"]["median"] / 0.08)) < 0.1
    n = np.geomspace(1e6, 1e9, 6)
    y = 2e3 * n**-0.6
    g = tmp_path / "pl.csv"
    g.write_text("size,rc,lo,hi\n" + "".join(f"{a},{b},{b * 0.9},{b / 0.9}\n"
                                              for a, b in zip(n, y, strict=True)))  # fmt: skip
    code, out, _ = run(["fit", "power-law", str(g), "--x-col", "size", "--y-col", "rc",
                        "--y-lower-col", "lo", "--y-upper-col", "hi", "--predicted-exponent",
                        "-0.6", "--json", "--save", str(tmp_path / "pl.nc")], capsys)  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert d["comparison"]["inside_interval"] is True
    assert d["exponent"]["lower"] < -0.6 < d["exponent"]["upper"]
    assert (tmp_path / "pl.nc").stat().st_size > 0


def test_read_curves_jsonl_and_blanks(tmp_path):
    f = tmp_path / "c.jsonl"
    f.write_text('{"x": 1, "y": 2, "curve": "a"}\n\n{"x": 2, "y": 3, "curve": "b"}\n')
    c = read_curves(f)
    assert set(c) == {"a", "b"} and c["a"]["x"].tolist() == [1.0]
    g = tmp_path / "w.csv"
    g.write_text("Step,run - loss\n1,0.5\n2,\n3,0.3\n")  # W&B leaves blanks
    c = read_curves(g, x_col="Step", y_col="run - loss")
    assert c["w"]["y"].tolist() == [0.5, 0.3]
