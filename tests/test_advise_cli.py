"""`mixphase advise`: output shapes, agreement with `predict`, the plot, and bad input (exit 2)."""

import json

import pytest

from mixphase.cli import main


def run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


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
    sizes = ["-n", "3e7", "-n", "7e7", "-n", "4.1e8"]
    pred = run_json(["predict", "critical-ratio", *sizes, *MODEL_OPTS], capsys)
    adv = run_json(["advise", *sizes, "-r", "0.05", *MODEL_OPTS], capsys)
    assert [p["critical_ratio"] for p in adv["predictions"]] == pytest.approx(
        [p["critical_ratio"] for p in pred["predictions"]], rel=1e-12
    )
    assert adv["assumptions"] == pred["assumptions"]
    size = run_json(["predict", "critical-size", "-r", "0.05", *MODEL_OPTS], capsys)
    assert adv["min_model_size"] == pytest.approx(
        size["predictions"][0]["critical_size"], rel=1e-12
    )


def test_uncalibrated_output_says_so_and_has_the_issue_shapes(capsys):
    code, out, _ = run(["advise", "-n", "7e7", "--knowledge-tokens", "3.2e7", "-r", "0.1",
                        "--training-tokens", "3.2e10"], capsys)  # fmt: skip
    assert code == 0 and "UNCALIBRATED THEORY" in out
    d = run_json(["advise", "-n", "7e7", "-r", "0.1", "--training-tokens", "3.2e9"], capsys)
    assert d["calibrated"] is False
    row = d["predictions"][0]
    for key in (
        "critical_ratio",
        "learns",
        "learned_fraction",
        "subsample",
        "ckm",
        "target",
        "exposures",
    ):
        assert key in row
    assert set(row["subsample"]) == {"keep_fraction", "expected_facts", "collapse_at"}
    assert row["exposures"]["per_fact"] == pytest.approx(0.1 * 3.2e9 / 3.2e7)
    assert any("exposure-limited" in w for w in d["warnings"])  # 10 exposures per fact


def test_anchor_reproduces_the_measured_critical_ratio(capsys):
    d = run_json(
        ["advise", "-n", "7e7", "-n", "1.4e8", "-r", "0.1", "--critical-ratio", "0.3"], capsys
    )
    rc = [p["critical_ratio"] for p in d["predictions"]]
    assert rc[0] == pytest.approx(0.3, rel=1e-12)
    # the theory's odds scaling N^-(alpha+1) carries it to the other size
    odds = [r / (1 - r) for r in rc]
    assert odds[1] / odds[0] == pytest.approx(2.0 ** -(1 + 0.283), rel=1e-9)
    assert d["calibration"]["method"] == "anchor"


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
        assert b["ratio"] <= 0.2 * (1 + 1e-9) and b["web_loss_increase"] <= 0.01 * (1 + 1e-9)


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
    ("runs.csv", "model_size,ratio,accuracy\n7e7,10,0.2\n7e7,20,0.5\n7e7,30,0.9\n", "percentage"),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,0.1,20\n7e7,0.2,50\n7e7,0.3,90\n", "percentage"),
    ("runs.csv", "size,mix\n7e7,0.1\n", "needs a column"),
    ("runs.json", '{"runs": [{"model_size": 7e7, ', "malformed"),
    ("runs.json", "[1, 2, 3]", "no records"),
    (
        "runs.csv",
        "model_size,ratio,correct,total\n7e7,0.1,5,4\n7e7,0.2,1,4\n7e7,0.3,1,4\n",
        "correct",
    ),
    ("runs.csv", "model_size,ratio,accuracy\n7e7,0.1,0.2\n", "at least 3"),
]


@pytest.mark.parametrize(("name", "text", "needle"), BAD_FILES)
def test_malformed_calibration_files(name, text, needle, tmp_path, capsys):
    path = tmp_path / name
    path.write_text(text)
    code, out, err = run(["advise", "-n", "7e7", "-r", "0.1", "--calibrate", str(path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err


def test_bad_web_runs(tmp_path, capsys):
    path = tmp_path / "web.csv"
    path.write_text("model_size,web_loss\n1e7,1.5\n1e8,1.2\n")  # below E = 1.769 nats
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--web-runs", str(path)], capsys)
    assert code == 2 and "irreducible" in err
    path.write_text("model_size,web_loss\n1e7,3.5\n")
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--web-runs", str(path)], capsys)
    assert code == 2 and "two or more" in err


def test_bad_plot_path_leaves_no_file(tmp_path, capsys):
    target = tmp_path / "dir_as_file"
    target.mkdir()
    code, _, err = run(["advise", "-n", "7e7", "-r", "0.1", "--plot", str(target)], capsys)
    assert code == 2 and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["dir_as_file"]
    assert not list(target.iterdir())


def test_validate_sweep_results_file_keeps_the_main_sweep(tmp_path):
    from mixphase.advise.calibration import read_calibration_points

    web = {"n_facts": 20000}
    rows = [{"key": f"k{i}", "size": "d16", "params": 6800, "ratio": r, "steps": 3000,
             "memorization_accuracy": a, "bio_correct": c, "bio_total": 100, "data": {"web": web}}
            for i, (r, a, c) in enumerate([(0.0, 0, 0), (0.01, 0, 0), (0.03, 0.1, 10), (0.06, 0.6, 60)])]  # fmt: skip
    rows.append({**rows[2], "key": "long", "steps": 9000, "bio_correct": 21})
    rows.append({**rows[2], "key": "trivial", "data": {"web": {"n_facts": 10}}, "bio_correct": 100})
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    n, r, acc, correct, total = read_calibration_points(path)
    assert list(r) == [0.01, 0.03, 0.06] and list(correct) == [0, 10, 60] and acc is None
    assert list(n) == [6800] * 3 and list(total) == [100] * 3
