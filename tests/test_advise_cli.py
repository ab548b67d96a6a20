"""`mixphase advise`: output shapes, agreement with `predict`, the plot, and bad input (exit 2)."""

import json

import pytest
from cli_helpers import run


def run_json(argv, capsys):
    code, out, err = run([*argv, "--json"], capsys)
    assert code == 0, err
    return json.loads(out)


MODEL_OPTS = [
    "--alpha",
    "0.3",
    "--bits-per-param",
    "1.5",
    "--facts",
    "1e5",
    "--tokens-per-fact",
    "80",
]


def test_advise_agrees_with_predict(capsys):
    """One model: the same draws give the same intervals in predict and advise."""
    sizes = ["-n", "3e7", "-n", "7e7", "-n", "4.1e8"]
    pred = run_json(["predict", "critical-ratio", *sizes, *MODEL_OPTS], capsys)
    adv = run_json(["advise", *sizes, "-r", "0.05", *MODEL_OPTS], capsys)
    for key in ("critical_ratio", "critical_ratio_50"):
        assert [p[key] for p in adv["predictions"]] == [p[key] for p in pred["predictions"]]
    assert adv["assumptions"] == pred["assumptions"]
    size = run_json(["predict", "critical-size", "-r", "0.05", *MODEL_OPTS], capsys)
    assert adv["min_model_size"] == size["predictions"][0]["critical_size"]


def test_uncalibrated_output_says_so_and_has_the_issue_shapes(capsys):
    code, out, _ = run(["advise", "-n", "7e7", "--knowledge-tokens", "3.2e7", "-r", "0.1",
                        "--training-tokens", "3.2e10"], capsys)  # fmt: skip
    assert code == 0 and "UNCALIBRATED" in out and "accuracy" in out
    d = run_json(["advise", "-n", "7e7", "-r", "0.1", "--training-tokens", "3.2e8"], capsys)
    assert d["calibrated"] is False
    row = d["predictions"][0]
    for key in ("critical_ratio", "critical_ratio_50", "learns", "learned_fraction", "accuracy",
                "subsample", "ckm", "target", "exposures"):  # fmt: skip
        assert key in row
    for key in ("critical_ratio", "learned_fraction", "accuracy"):
        assert set(row[key]) == {"median", "lower", "upper"}
    assert set(row["subsample"]) == {"keep_fraction", "expected_facts", "collapse_at"}
    assert row["exposures"]["per_fact"] == pytest.approx(0.1 * 3.2e8 / 3.2e7)
    assert any("extrapolates" in w for w in d["warnings"])  # 1 exposure per fact


def test_anchor_reproduces_the_measured_critical_ratio(capsys):
    d = run_json(
        ["advise", "-n", "7e7", "-n", "1.4e8", "-r", "0.1", "--critical-ratio", "0.3"], capsys
    )
    r50 = [p["critical_ratio_50"] for p in d["predictions"]]
    assert r50[0]["median"] == pytest.approx(0.3, rel=0.1)
    assert r50[0]["lower"] < 0.3 < r50[0]["upper"]
    assert r50[1]["median"] < r50[0]["median"]  # a larger model learns at a lower ratio
    assert d["calibration"]["method"] == "anchor"
    assert d["calibration"]["constants"]["value_scale"]["status"] == "calibrated"
    assert any("1.4e+08" in w or "140M" in w or "2x above" in w for w in d["warnings"])


def test_knowledge_tokens_and_units(capsys):
    a = run_json(["advise", "-n", "7e7", "-r", "0.1", "--knowledge-tokens", "1.6e7"], capsys)
    b = run_json(["advise", "-n", "7e7", "-r", "0.1", "--tokens-per-fact", "50"], capsys)
    assert a["predictions"] == b["predictions"]
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--knowledge-tokens", "1e6", "--facts",
                        "1000", "--tokens-per-fact", "100"], capsys)  # fmt: skip
    assert code == 2 and "inconsistent units" in err


def test_budget_and_plot(capsys, tmp_path):
    png = tmp_path / "pareto.png"
    d = run_json(["advise", "-n", "7e7", "-n", "4.1e8", "-r", "0.1", "--max-ratio", "0.2",
                  "--max-web-loss-increase", "0.01", "--plot", str(png)], capsys)  # fmt: skip
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for row in d["predictions"]:
        b = row["budget"]
        ratio = b["ratio"]["upper"] if b["ratio"]["upper"] is not None else 0.0
        assert ratio <= 0.2 * (1 + 1e-9) and b["web_loss_increase"]["upper"] <= 0.01 * (1 + 1e-6)


def test_real_share_subcommand(capsys):
    argv = ["advise", "real-share", "--beta", "1.5", "--cutoff", "100", "--n-items", "20000",
            "--data-size", "1e6", "--real-share", "0.05"]  # fmt: skip
    d = run_json(argv, capsys)
    pred = run_json(["predict", "breakpoints", "--beta", "1.5", "--cutoff", "100", "--n-items",
                     "20000", "--real-share", "0.05"], capsys)  # fmt: skip
    assert d["data_size_needed"] == pytest.approx(pred["breakpoints"][1], rel=1e-12)
    assert d["critical_real_share"] == pytest.approx(0.05 * pred["breakpoints"][1] / 1e6, rel=1e-9)
    code, out, _ = run(argv, capsys)
    assert code == 0 and "critical real share" in out
    # group-level --json reaches the sub-command
    code, out, _ = run(["advise", "--json", *argv[1:]], capsys)
    assert json.loads(out)["cutoff"] == 100


BAD = [
    (["advise", "-n", "7e7", "-r", "1.2"], "--ratio"),
    (["advise", "-n", "7e7", "-r", "0"], "--ratio"),
    (["advise", "-n", "-7e7", "-r", "0.1"], "--model-size"),
    (["advise", "-r", "0.1"], "--model-size"),
    (["advise", "-n", "7e7"], "--ratio"),
    (["advise", "-n", "7e7", "-r", "0.1", "--facts", "0"], "--facts"),
    (["advise", "-n", "7e7", "-r", "0.1", "--knowledge-tokens", "-5"], "--knowledge-tokens"),
    (["advise", "-n", "7e7", "-r", "0.1", "--max-ratio", "1.5"], "--max-ratio"),
    (["advise", "-n", "7e7", "-r", "0.1", "--critical-ratio", "2"], "--critical-ratio"),
    (["advise", "-n", "7e7", "-r", "0.1", "--calibrate", "/nonexistent/x.csv"], "cannot read"),
    (["advise", "-r", "0.1", "real-share", "--beta", "1.5", "--cutoff", "10"], "real-share"),
    (["advise", "real-share", "--beta", "0.5", "--cutoff", "10", "--data-size", "1e5"], "beta"),
    (["advise", "real-share", "--beta", "1.5", "--cutoff", "10"], "--data-size"),
    (["advise", "real-share", "--beta", "1.5", "--cutoff", "10", "--real-share", "0"], "--real-share"),
    (["advise", "real-share", "--beta", "1.5", "--cutoff", "10", "--data-size", "1e5",
      "--loss-real", "0.3"], "missing"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "needle"), BAD)
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mixphase: error:") and needle in err


BAD_FILES = [
    (
        "runs.csv",
        "model_size,ratio,accuracy\n7e7,0.1,0.2\n7e7,0.2\n",
        "line 3: missing value in column 'accuracy'",
    ),
    ("runs.csv", "model_size,ratio,accuracy\n70,0.1,0.2\n70,0.2,0.5\n70,0.3,0.9\n", "in millions"),
    ("runs.csv", "model_size,ratio,accuracy\n-7e7,0.1,0.2\n7e7,0.2,0.5\n", "positive"),
    ("runs.csv", "model_size,ratio,accuracy\n0,0.1,0.2\n7e7,0.2,0.5\n", "positive"),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,10,0.2\n7e7,20,0.5\n7e7,30,0.9\n", "percentage"),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,0.1,20\n7e7,0.2,50\n7e7,0.3,90\n", "percentage"),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,0.1,-0.1\n7e7,0.2,0.5\n", "[0, 1]"),
    ("runs.csv", "size,mix\n7e7,0.1\n", "needs a column"),
    ("runs.csv", "model_size,accuracy\n7e7,0.1\n7e7,0.5\n", "needs a column"),
    ("runs.csv", "model_size,ratio\n7e7,0.1\n7e7,0.5\n", "needs a column"),
    ("runs.json", '{"runs": [{"model_size": 7e7, ', "malformed"),
    ("runs.json", "[1, 2, 3]", "no records"),
    (
        "runs.csv",
        "model_size,ratio,correct,total\n7e7,0.1,5,4\n7e7,0.2,1,4\n7e7,0.3,1,4\n",
        "correct",
    ),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,0.1,0.2\n", "two or more ratios"),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,0.1,0.2\n1e8,0.1,0.6\n", "two or more ratios"),
    ("runs.csv", "model_size,ratio,accuracy,facts\n7e7,0.1,0.2,0\n7e7,0.2,0.6,0\n", "positive"),
]


@pytest.mark.parametrize(("name", "text", "needle"), BAD_FILES)
def test_malformed_calibration_files(name, text, needle, tmp_path, capsys):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(["advise", "-n", "7e7", "-r", "0.1", "--calibrate", str(path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err


def test_bad_web_runs(tmp_path, capsys):
    path = tmp_path / "web.csv"
    path.write_text("model_size,web_loss\n1e7,3.5\n")
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--web-runs", str(path)], capsys)
    assert code == 2 and "two or more" in err
    path.write_text("model_size,web_loss\n1e7,3.5\n1e8,-1\n")
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--web-runs", str(path)], capsys)
    assert code == 2 and "positive" in err
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--web-law", "log"], capsys)
    assert code == 2 and "--web-runs" in err


def test_bad_plot_path_leaves_no_file(tmp_path, capsys):
    target = tmp_path / "dir_as_file"
    target.mkdir()
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--plot", str(target)], capsys)
    assert code == 2 and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["dir_as_file"]
    assert not list(target.iterdir())


def test_validate_sweep_results_file_keeps_the_main_sweep(tmp_path):
    """Web-only runs (ratio 0) and runs on another web (a 10-fact control) are left out; runs of
    another length stay, with their own training length."""
    from mixphase.advise.calibration import read_calibration_points

    web = {"n_facts": 20000}
    rows = [{"key": f"k{i}", "size": "d16", "params": 6800, "ratio": r, "steps": 3000,
             "tokens": 1e7, "memorization_accuracy": a, "bio_correct": c, "bio_total": 100,
             "n_people": 20, "data": {"web": web}}
            for i, (r, a, c) in enumerate([(0.0, 0, 0), (0.01, 0, 0), (0.03, 0.1, 10), (0.06, 0.6, 60)])]  # fmt: skip
    rows.append({**rows[2], "key": "long", "steps": 9000, "tokens": 3e7, "bio_correct": 21})
    rows.append({**rows[2], "key": "trivial", "data": {"web": {"n_facts": 10}}, "bio_correct": 100})
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    d = read_calibration_points(path)
    assert list(d.ratios) == [0.01, 0.03, 0.06, 0.03]
    assert list(d.accuracy * 100) == pytest.approx([0, 10, 60, 21])
    assert list(d.training_tokens) == [1e7, 1e7, 1e7, 3e7] and set(d.trials) == {20.0}
