"""`mixphase value score|benchmark`: JSON shape, user files (.npz/.csv/.parquet), bad input."""

import json

import numpy as np
import pytest

from mixphase.cli import main
from mixphase.value.data import ValuationData, save_npz


def _small_problem(seed=0, n_contrib=7):
    """A small 2-class problem: real shards, a truncated synthetic shard, a noisy one."""
    rng = np.random.default_rng(seed)
    n_items = 30
    centres = rng.normal(size=(n_items, 4)) * 3
    answer = rng.integers(0, 2, n_items)
    p = np.arange(1, n_items + 1) ** -1.3
    p /= p.sum()

    def draw(n, q, flip=0.0):
        it = rng.choice(n_items, size=n, p=q)
        y = answer[it].copy()
        m = rng.random(n) < flip
        y[m] = 1 - y[m]
        return centres[it] + 0.3 * rng.normal(size=(n, 4)), y, it

    head = np.where(np.arange(n_items) < 3, p, 0)
    head /= head.sum()
    specs = [
        ("real_a", 60, p, 0, False),
        ("real_b", 120, p, 0, False),
        ("syn_head", 120, head, 0, True),
        ("syn_noisy", 120, p, 0.45, True),
        ("real_c", 40, p, 0, False),
        ("syn_full", 80, p, 0, True),
        ("real_d", 200, p, 0, False),
    ][:n_contrib]
    xs, ys, cs, ss, its = [], [], [], [], []
    for name, n, q, flip, syn in specs:
        x, y, it = draw(n, q, flip)
        (
            xs.append(x),
            ys.append(y),
            cs.append(np.full(n, name)),
            ss.append(np.full(n, syn)),
            its.append(it),
        )
    xt, yt, itt = draw(150, p)
    return ValuationData(
        np.vstack(xs),
        np.concatenate(ys),
        np.concatenate(cs),
        np.concatenate(ss),
        xt,
        yt,
        np.concatenate(its),
        itt,
    )


@pytest.fixture(autouse=True)
def quick_learner(monkeypatch):
    """Retrains with few steps: these tests check plumbing, not accuracy."""
    import mixphase.value.baselines as bl
    import mixphase.value.learner as lr

    orig = lr.train_mlp
    quick = lr.LearnerConfig(epochs=2, min_steps=25)

    def fast(x, y, n_classes, seed=0, cfg=None, checkpoints=0):
        return orig(x, y, n_classes, seed, quick, checkpoints)

    monkeypatch.setattr(lr, "train_mlp", fast)
    monkeypatch.setattr(bl, "train_mlp", fast)


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_score_npz_json(tmp_path, capsys):
    data = _small_problem()
    tr, te = tmp_path / "train.npz", tmp_path / "test.npz"
    save_npz(data, tr, te)
    code, out, err = _run(
        ["value", "score", str(tr), "--test", str(te), "--json", "--anchors", "5"], capsys
    )
    assert code == 0, err
    res = json.loads(out)
    rows = {r["contributor"]: r for r in res["contributors"]}
    assert set(rows) == set(data.contributors)
    assert set(rows["syn_head"]["terms"]) == {
        "missing",
        "covered_error",
        "label_noise",
        "truncation",
        "empirical",
        "mmd",
        "complexity",
        "finite_sample",
    }
    assert (
        rows["syn_head"]["terms"]["truncation"] > 0 and rows["real_a"]["terms"]["truncation"] == 0
    )
    assert rows["syn_head"]["cutoff_k"] <= 5
    assert res["weights"]["source"] == "anchors" and len(res["weights"]["anchors"]) == 5
    assert rows["syn_noisy"]["value"] < rows["real_d"]["value"]


def test_score_csv_theory_weights_text(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    data = _small_problem(n_contrib=4)
    cols = {f"f{j}": data.x[:, j] for j in range(data.x.shape[1])}
    pd.DataFrame(
        {
            **cols,
            "label": data.y,
            "contributor": data.contributor,
            "is_synthetic": data.is_synthetic,
        }
    ).to_csv(tmp_path / "tr.csv", index=False)
    colt = {f"f{j}": data.x_test[:, j] for j in range(data.x.shape[1])}
    pd.DataFrame({"label": data.y_test, **colt}).to_csv(tmp_path / "te.csv", index=False)
    code, out, err = _run(
        [
            "value",
            "score",
            str(tmp_path / "tr.csv"),
            "--test",
            str(tmp_path / "te.csv"),
            "--anchors",
            "0",
        ],
        capsys,
    )
    assert code == 0, err
    assert "memorising learner (no retraining)" in out and "syn_head" in out
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return
    pd.read_csv(tmp_path / "tr.csv").to_parquet(tmp_path / "tr.parquet")
    pd.read_csv(tmp_path / "te.csv").to_parquet(tmp_path / "te.parquet")
    code, out, err = _run(
        [
            "value",
            "score",
            str(tmp_path / "tr.parquet"),
            "--test",
            str(tmp_path / "te.parquet"),
            "--anchors",
            "0",
            "--json",
        ],
        capsys,
    )
    assert code == 0, err and len(json.loads(out)["contributors"]) == 4


@pytest.mark.parametrize(
    "case",
    [
        "missing_file",
        "no_contributor",
        "feature_mismatch",
        "nan",
        "bad_format",
        "bad_flag",
        "bad_anchors",
        "bad_task",
        "unseen_test_label",
        "single_row_contributor",
        "csv_extra_feature",
    ],
)
def test_bad_input_exit_2(tmp_path, capsys, case):
    data = _small_problem(n_contrib=3)
    tr, te = tmp_path / "train.npz", tmp_path / "test.npz"
    save_npz(data, tr, te)
    argv = ["value", "score", str(tr), "--test", str(te)]
    if case == "missing_file":
        argv[2] = str(tmp_path / "nope.npz")
    elif case == "no_contributor":
        np.savez(tr, x=data.x, y=data.y, is_synthetic=data.is_synthetic)
    elif case == "feature_mismatch":
        np.savez(te, x=data.x_test[:, :2], y=data.y_test)
    elif case == "nan":
        x = data.x.copy()
        x[0, 0] = np.nan
        np.savez(tr, x=x, y=data.y, contributor=data.contributor, is_synthetic=data.is_synthetic)
    elif case == "bad_format":
        (tmp_path / "train.txt").write_text("hello")
        argv[2] = str(tmp_path / "train.txt")
    elif case == "bad_flag":
        np.savez(
            tr,
            x=data.x,
            y=data.y,
            contributor=data.contributor,
            is_synthetic=np.full(len(data.y), "maybe"),
        )
    elif case == "bad_anchors":
        argv += ["--anchors", "2"]
        np.savez(
            tr,
            x=np.vstack([data.x] * 3),
            y=np.tile(data.y, 3),
            contributor=np.concatenate(
                [
                    data.contributor,
                    np.char.add(data.contributor, "x"),
                    np.char.add(data.contributor, "y"),
                ]
            ),
            is_synthetic=np.tile(data.is_synthetic, 3),
        )
    elif case == "bad_task":
        argv = ["value", "benchmark", "--task", "imagenet"]
    elif case == "unseen_test_label":
        yt = data.y_test.copy()
        yt[0] = 7  # no training row has label 7
        np.savez(te, x=data.x_test, y=yt, item=data.item_test)
    elif case == "single_row_contributor":
        c = data.contributor.copy()
        c[0] = "lonely"
        np.savez(tr, x=data.x, y=data.y, contributor=c, is_synthetic=data.is_synthetic,
                 item=data.item)  # fmt: skip
    elif case == "csv_extra_feature":
        pd = pytest.importorskip("pandas")
        cols = {f"f{j}": data.x[:, j] for j in range(data.x.shape[1])}
        pd.DataFrame({**cols, "label": data.y, "contributor": data.contributor,
                      "is_synthetic": data.is_synthetic}).to_csv(tmp_path / "tr.csv", index=False)  # fmt: skip
        colt = {f"f{j}": data.x_test[:, j] for j in range(data.x.shape[1])}
        colt["f_extra"] = data.x_test[:, 0]
        pd.DataFrame({"label": data.y_test, **colt}).to_csv(tmp_path / "te.csv", index=False)
        argv = ["value", "score", str(tmp_path / "tr.csv"), "--test", str(tmp_path / "te.csv")]
    code, _out, err = _run(argv, capsys)
    assert code == 2
    assert err.startswith("mixphase: error:") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    expected = {"unseen_test_label": "label(s) that no training row has",
                "single_row_contributor": "single row ('lonely')",
                "csv_extra_feature": "f_extra are not in tr.csv"}  # fmt: skip
    if case in expected:
        assert expected[case] in err


def test_benchmark_json_shape_and_plot(tmp_path, capsys, monkeypatch):
    import mixphase.value.benchmark as bm

    monkeypatch.setattr(bm, "load_task", lambda task, seed=0: _small_problem(seed))
    png = tmp_path / "bars.png"
    code, out, err = _run(
        ["value", "benchmark", "--task", "longtail", "--json", "--anchors", "3", "--plot",
         str(png)], capsys)  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["task"] == "longtail" and len(res["anchors"]) == 3
    assert set(res["targets"]) == {"stand_alone", "marginal"}
    for m in ("mixphase", "mixphase_anchors", "test_mass", "one_nn", "loo_retrain", "knn_shapley",
              "davinz", "tracin", "random"):  # fmt: skip
        assert set(res["methods"][m]) >= {"pearson", "spearman", "seconds", "target"}
    assert res["methods"]["mixphase"]["target"] == "stand_alone"
    assert res["methods"]["loo_retrain"]["target"] == "marginal"
    assert res["methods"]["loo_retrain"]["seconds"] > 0
    assert set(res["scored_contributors"]).isdisjoint(res["anchors"])
    assert res["removal"]["retrains"] >= 1
    assert png.stat().st_size > 1000


def test_benchmark_quick_skips_retraining_baselines_and_marginal(capsys, monkeypatch):
    import mixphase.value.benchmark as bm

    monkeypatch.setattr(bm, "load_task", lambda task, seed=0: _small_problem(seed))
    code, out, err = _run(["value", "benchmark", "--task", "text", "--quick", "--json",
                           "--anchors", "3"], capsys)  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert "loo_retrain" not in res["methods"] and "tracin" not in res["methods"]
    assert set(res["targets"]) == {"stand_alone"} and res["removal"] is None


def test_benchmark_several_seeds_reports_spread_and_verdicts(tmp_path, capsys, monkeypatch):
    import mixphase.value.benchmark as bm

    monkeypatch.setattr(bm, "load_task", lambda task, seed=0: _small_problem(seed))
    code, out, err = _run(["value", "benchmark", "--task", "digits", "--quick", "--seeds", "0,1",
                           "--anchors", "3", "--plot", str(tmp_path / "s.png")], capsys)  # fmt: skip
    assert code == 0, err
    assert "| mixphase | stand-alone | **" in out and " ± " in out
    assert "digits: mixphase on the stand-alone target is" in out
    assert (tmp_path / "s.png").stat().st_size > 1000
    code, out, err = _run(["value", "benchmark", "--task", "digits", "--quick", "--seeds", "0,x"],
                          capsys)  # fmt: skip
    assert code == 2 and "--seeds" in err


def test_saved_suite_renders_the_same_report(tmp_path, monkeypatch):
    import mixphase.value.benchmark as bm
    from mixphase.records import dumps
    from mixphase.value.suite import load_suite, run_suite

    monkeypatch.setattr(bm, "load_task", lambda task, seed=0: _small_problem(seed))
    suite = run_suite(["digits"], [0, 1], quick=True, n_anchors=3)
    (tmp_path / "suite.json").write_text(dumps(suite))
    assert load_suite(tmp_path / "suite.json").report() == suite.report()
