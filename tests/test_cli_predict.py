"""`mixphase predict`: JSON round trips, the default table, error paths, light start-up."""

import json
import math
import subprocess
import sys

import pytest
from click.testing import CliRunner

from mixphase.cli import cli
from mixphase.theory import KnapsackModel, Truncation, breakpoints


def run(args):
    """Run the real entry point in a subprocess; returns (code, stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-c", "from mixphase.cli import main; main()", *args],
        capture_output=True,
        text=True,
    )
    return proc.returncode, proc.stdout, proc.stderr


def invoke(args):
    return CliRunner().invoke(cli, args)


def test_default_table_lists_pythia_sizes():
    res = invoke(["predict"])
    assert res.exit_code == 0
    assert "Critical mixing ratio" in res.output and "410M" in res.output and "6.9B" in res.output


def test_critical_ratio_json_round_trip():
    """Each number is an interval over the priors' draws; the theory at the priors' medians lies
    inside and near the median."""
    res = invoke(["predict", "critical-ratio", "--model-size", "1e8", "--json"])
    assert res.exit_code == 0
    out = json.loads(res.output)  # one JSON object, nothing else
    row = out["predictions"][0]
    model = KnapsackModel()
    for key, frac in (("critical_ratio", 0.0), ("critical_ratio_full", 1.0)):
        est, point = row[key], model.critical_ratio(1e8, frac)
        assert est["lower"] < point < est["upper"]
        assert est["median"] == pytest.approx(point, rel=0.15)
    assert row["critical_ratio"]["median"] <= row["critical_ratio_50"]["median"]
    assert out["calibration"]["method"] == "none"
    assert set(out["calibration"]["constants"]) >= {"value_scale", "bits_per_param", "width"}


def test_options_change_the_model():
    res = invoke(["predict", "critical-ratio", "-n", "1e9", "--alpha", "0.5", "--bits-per-param",
                  "1", "--facts", "1000", "--json"])  # fmt: skip
    out = json.loads(res.output)
    assert out["assumptions"]["web_law"]["alpha"] == 0.5
    from mixphase.theory import KnowledgeSet, WebLaw

    model = KnapsackModel(WebLaw(alpha=0.5), KnowledgeSet(n_facts=1000), bits_per_param=1)
    est = out["predictions"][0]["critical_ratio"]
    assert est["median"] == pytest.approx(model.critical_ratio(1e9), rel=0.15)
    assert out["calibration"]["constants"]["bits_per_param"]["median"] == pytest.approx(1, rel=0.05)


def test_critical_size_inverts_critical_ratio():
    """Per draw N_c(r_c(N)) = N, so the median size at r = 0.2 has median onset exactly 0.2."""
    res = invoke(["predict", "critical-size", "--ratio", "0.2", "--json"])
    n = json.loads(res.output)["predictions"][0]["critical_size"]["median"]
    res2 = invoke(["predict", "critical-ratio", "--model-size", repr(n), "--json"])
    rc = json.loads(res2.output)["predictions"][0]["critical_ratio"]["median"]
    assert rc == pytest.approx(0.2, rel=1e-6)


def test_finite_training_and_calibration_options(tmp_path):
    full = json.loads(invoke(["predict", "critical-ratio", "-n", "7e7", "--json"]).output)
    short = json.loads(invoke(["predict", "critical-ratio", "-n", "7e7", "--training-tokens",
                               "3.2e10", "--json"]).output)  # fmt: skip
    assert short["predictions"][0]["critical_ratio"]["median"] > full["predictions"][0][
        "critical_ratio"]["median"]  # fmt: skip
    assert short["assumptions"]["training_tokens"] == 3.2e10
    web = tmp_path / "web.csv"
    sizes = [1e7, 3e7, 1e8, 3e8, 1e9]
    web.write_text("model_size,web_loss\n" + "".join(f"{n},{4.0 - 0.3 * math.log(n / 1e6) + e}\n"
                   for n, e in zip(sizes, [0.002, -0.001, 0.0, 0.001, -0.002], strict=True)))  # fmt: skip
    res = invoke(["predict", "critical-ratio", "-n", "7e7", "--web-runs", str(web), "--web-law",
                  "log", "--critical-ratio", "0.2", "--anchor-size", "7e7", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["calibration"]["web"]["family"] == "log"
    assert out["calibration"]["method"] == "anchor"
    assert out["predictions"][0]["critical_ratio_50"]["median"] == pytest.approx(0.2, rel=0.1)
    table = json.loads(invoke(["predict", "critical-ratio", "-n", "7e7", "--web-runs", str(web),
                               "--web-law", "table", "--json"]).output)  # fmt: skip
    assert table["calibration"]["web"]["family"] == "table"
    code, _, err = run(["predict", "critical-ratio", "-n", "7e7", "--web-runs", str(web),
                        "--web-law", "broken"])  # fmt: skip
    assert code == 2 and "6 or more" in err


@pytest.mark.parametrize(
    "trunc",
    [
        ["--cutoff", "100"],
        ["--top-p", "0.9"],
        ["--temperature", "0.8"],
        ["--synthetic-samples", "1e5"],
    ],
)
def test_breakpoints_json_matches_library(trunc):
    args = ["predict", "breakpoints", "--beta", "2", "--real-share", "0.1", "--n-items", "100000"]
    res = invoke([*args, *trunc, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)  # a three-phase warning, if any, goes to stderr
    kw = {"cutoff": int, "top_p": float, "temperature": float, "synthetic_samples": float}
    key = trunc[0].lstrip("-").replace("-", "_")
    lib = breakpoints(2.0, Truncation(**{key: kw[key](trunc[1])}), 0.1, 100_000)
    assert out["breakpoints"] == pytest.approx([lib.first, lib.second], rel=1e-12)
    assert out["phase_exponents"] == pytest.approx([-0.5, 0.0, -0.5])


def test_threshold_popularity_from_data(tmp_path):
    f = tmp_path / "facts.csv"
    rows = ["popularity,correct"] + [f"{10 ** (i / 25):.6g},{int(i > 50)}" for i in range(100)]
    f.write_text("\n".join(rows) + "\n")
    res = invoke(["predict", "threshold-popularity", "--data", str(f), "--json"])
    out = json.loads(res.output)
    assert 10 ** (30 / 25) < out["threshold_popularity"] < 10 ** (51 / 25)


@pytest.mark.parametrize(
    "args",
    [
        ["predict", "critical-ratio", "--model-size", "-5"],
        ["predict", "critical-ratio", "--model-size", "abc"],
        ["predict", "critical-ratio", "--model-size", "1e8", "--alpha", "0"],
        ["predict", "critical-size", "--ratio", "1.5"],
        ["predict", "critical-size", "--ratio", "0"],
        ["predict", "critical-size"],
        ["predict", "breakpoints", "--beta", "1.0", "--cutoff", "10", "--real-share", "0.1"],
        ["predict", "breakpoints", "--beta", "2", "--real-share", "0.1"],
        ["predict", "breakpoints", "--beta", "2", "--cutoff", "5", "--top-p", "0.9", "--pi", "0.1"],
        ["predict", "breakpoints", "--beta", "2", "--top-p", "1.5", "--real-share", "0.1"],
        ["predict", "breakpoints", "--beta", "2", "--cutoff", "5", "--real-share", "2"],
        ["predict", "threshold-popularity", "--data", "/nonexistent.csv"],
        ["predict", "threshold-popularity", "--bootstrap", "10"],
        ["predict", "threshold-popularity", "--size-col", "model_size"],
        ["predict", "threshold-popularity", "--method", "published"],
        [
            "predict",
            "breakpoints",
            "--beta",
            "2",
            "--pi",
            "0.1",
            "--synthetic-samples",
            "1e4",
            "--sample-rule",
            "median",
        ],
        ["predict", "no-such-command"],
    ],
)
def test_bad_input_is_one_line_exit_2(args):
    code, out, err = run(args)
    assert code == 2
    assert out == ""
    assert err.startswith("mixphase: error: ") and err.count("\n") == 1
    assert "Traceback" not in err


def _facts_csv(tmp_path, sizes=(1e8, 3e8, 1e9), slope=-1.283, head=0.8, seed=0):
    """Facts with popularity 1..400 per model size; correct (w.p. ``head``) above a threshold
    that moves with size as N^slope, 10% below."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pop = np.arange(400, 0, -1, dtype=float)
    rows = ["popularity,correct,model_size"]
    for n in sizes:
        thr = 100 * (n / sizes[0]) ** slope * 2
        acc = np.where(pop > thr, head, 0.1)
        rows += [f"{x:g},{int(c)},{n:g}" for x, c in zip(pop, rng.random(400) < acc, strict=True)]
    f = tmp_path / "facts.csv"
    f.write_text("\n".join(rows) + "\n")
    return f


def test_threshold_popularity_per_size_slope_and_bad_files(tmp_path):
    f = _facts_csv(tmp_path, sizes=(1e8, 1e9, 1e10), slope=-0.3)
    args = ["predict", "threshold-popularity", "--data", str(f), "--target", "0.6"]
    res = invoke([*args, "--size-col", "model_size", "--bootstrap", "50", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert [r["model_size"] for r in out["per_size"]] == [1e8, 1e9, 1e10]
    assert out["method"] == "last-crossing" and out["n_boot"] == 50
    assert out["slope_interval"]["lower"] <= out["slope"] <= out["slope_interval"]["upper"]
    assert out["predicted_slope"] == pytest.approx(-1.283)
    assert out["slope"] < 0
    # pooled: one threshold with a seeded bootstrap interval; the published walk as an option
    one = json.loads(invoke([*args, "--bootstrap", "40", "--seed", "3", "--json"]).stdout)
    assert one["interval"]["lower"] <= one["threshold_popularity"] <= one["interval"]["upper"]
    assert one == json.loads(invoke([*args, "--bootstrap", "40", "--seed", "3", "--json"]).stdout)
    pub = json.loads(invoke([*args, "--method", "published", "--bootstrap", "0", "--json"]).stdout)
    assert pub["method"] == "published" and pub["interval"] is None
    for bad, msg in [(["--size-col", "nope"], "missing column 'nope'"),
                     (["--bootstrap", "-1"], "--bootstrap"),
                     (["--n-fail", "0"], "n_fail")]:  # fmt: skip
        code, stdout, err = run([*args, *bad])
        assert code == 2 and stdout == "" and msg in err and err.count("\n") == 1, err
    single = tmp_path / "one.csv"
    single.write_text("popularity,correct,model_size\n3,1,1e8\n2,0,1e8\n")
    code, _, err = run(["predict", "threshold-popularity", "--data", str(single), "--size-col",
                        "model_size"])  # fmt: skip
    assert code == 2 and "at least 2 distinct model sizes" in err


def test_breakpoints_warns_when_the_plateau_is_too_short():
    args = ["predict", "breakpoints", "--beta", "2", "--cutoff", "100", "--n-items", "200000"]
    code, out, err = run([*args, "--pi", "0.2", "--json"])
    assert code == 0 and err.startswith("mixphase: warning: no plateau at real share pi=0.2")
    assert json.loads(out)["three_phase_valid"] is False  # stdout: one JSON object only
    code, out, err = run([*args, "--pi", "0.01"])
    assert code == 0 and err == "" and "WARNING" not in out


def test_sample_rule_option_reaches_the_cutoff():
    args = ["predict", "breakpoints", "--beta", "2", "--pi", "0.01", "--synthetic-samples", "1e5",
            "--n-items", "1000000", "--json"]  # fmt: skip
    ks = {rule: json.loads(invoke([*args, "--sample-rule", rule]).stdout)["cutoff"]
          for rule in ("support-mass", "support-count", "occurrence")}  # fmt: skip
    assert ks == {"support-mass": 278, "support-count": 436, "occurrence": 246}
    assert json.loads(invoke(args).stdout)["cutoff"] == 278  # the default


def test_help_and_predict_do_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "from mixphase.cli import main\n"
        "try:\n"
        "    main(['predict', 'critical-ratio', '--model-size', '1e8', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('torch', 'pymc', 'pytensor', 'cvxpy', 'sympy', 'matplotlib', 'arviz')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "HEAVY []" in proc.stderr
