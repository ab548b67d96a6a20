"""mixphase.readers: every format, line numbers in errors, and planted breakpoints recovered from a
real TensorBoard event folder and a W&B wide export through ``mixphase fit breakpoints``."""

import json
import sys

import numpy as np
import pytest
from cli_helpers import one_line_error, run

from mixphase.errors import MixphaseInputError
from mixphase.readers import read_curves, read_records, read_table

TRUTH = {"a": (1e2, 1e4), "b": (3e2, 3e4)}  # planted breakpoints per run
# Noise seeds of runs a and b (2 and 3). The fit's 90% intervals are checked here on one draw
# each; their coverage is the fit's own business (28/30 and 27/30 over 30 seeds of run a).
SEED0 = 2


def planted(run: str, seed: int):
    """Integer steps 10..1e6 and a three-phase loss with the run's breakpoints (5% noise)."""
    rng = np.random.default_rng(seed)
    x = np.unique(np.round(np.logspace(1, 6, 45)))
    lx, lb = np.log(x), np.log(TRUTH[run])
    ly = 2 - 0.8 * lx + 0.75 * np.maximum(lx - lb[0], 0) - 0.55 * np.maximum(lx - lb[1], 0)
    return x.astype(int), np.exp(ly + 0.05 * rng.standard_normal(x.size))


def assert_recovered(fits):
    assert {f["curve"] for f in fits} == set(TRUTH)
    for f in fits:
        for est, truth in zip(f["breakpoints"], TRUTH[f["curve"]], strict=True):
            assert est["lower"] <= truth <= est["upper"], (f["curve"], est, truth)


# -- text tables ---------------------------------------------------------------------------------
def test_csv_bom_crlf_semicolon_decimal_comma_and_line_numbers(tmp_path):
    f = tmp_path / "runs.csv"
    f.write_bytes("\ufeffx;y;curve\r\n1;0,5;a\r\n\r\n2;1,5e1;a\r\n3;oops;a\r\n".encode())
    t = read_table(f)
    assert t.columns == ["x", "y", "curve"] and [r.where for r in t.records] == [
        "line 2", "line 4", "line 5"]  # fmt: skip
    with pytest.raises(MixphaseInputError, match=r"runs.csv: line 5: column 'y' is not a number"):
        read_curves(f)
    f.write_bytes("\ufeffx;y\r\n1;0,5\r\n2;1,5e1\r\n".encode())
    assert read_curves(f)["runs"]["y"].tolist() == [0.5, 15.0]


def test_tsv_quoted_newline_keeps_line_numbers(tmp_path):
    f = tmp_path / "c.tsv"
    f.write_text('x\ty\tnote\n1\t2\t"two\nlines"\n2\tinf\tok\n')
    with pytest.raises(MixphaseInputError, match="line 4: column 'y' is not finite"):
        read_curves(f)


def test_json_forms_and_nested_fields(tmp_path):
    rows = [{"config": {"ratio": 0.1}, "result": {"params": 7e7, "accuracy": 0.5}}]
    for name, text in [("a.json", json.dumps(rows)), ("b.json", json.dumps({"runs": rows})),
                       ("c.jsonl", "\n" + json.dumps(rows[0]) + "\n")]:  # fmt: skip
        t = read_table(tmp_path / name) if (tmp_path / name).write_text(text) else None
        assert t.find_role("ratio") == "ratio" and t.numbers("params").tolist() == [7e7]
    assert read_table(tmp_path / "c.jsonl").records[0].where == "line 2"
    bad = tmp_path / "d.jsonl"
    bad.write_text('{"x": 1}\n\n{"x": 2\n')
    with pytest.raises(MixphaseInputError, match=r"d.jsonl: line 3: not valid JSON"):
        read_records(bad)


def test_runs_history_csv_names_curves_by_run(tmp_path):
    f = tmp_path / "history.csv"
    f.write_text("_step,run,train/loss\n1,alpha,3\n2,alpha,2\n1,beta,4\n2,beta,\n")
    c = read_curves(f, y_col="train/loss")
    assert c["alpha"]["x"].tolist() == [1, 2] and c["beta"]["y"].tolist() == [4]


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    f = tmp_path / "runs.parquet"
    pq.write_table(pa.table({"x": [1.0, 2.0, 3.0], "y": [1.0, None, 3.0]}), f)
    assert read_curves(f)["runs"]["y"].tolist() == [1.0, 3.0]
    pq.write_table(pa.table({"x": [1.0, 2.0], "y": ["1", "z"]}), f)
    with pytest.raises(MixphaseInputError, match="row 2: column 'y' is not a number"):
        read_curves(f)


@pytest.mark.parametrize(("module", "suffix", "extra"),
                         [("pyarrow", ".parquet", "mixphase[parquet]"),
                          ("tensorboard", "", "mixphase[tensorboard]")])  # fmt: skip
def test_missing_extra_is_named(tmp_path, monkeypatch, module, suffix, extra):
    if suffix:
        path = tmp_path / f"t{suffix}"
        path.write_bytes(b"PAR1")
    else:
        path = tmp_path / "tb"
        path.mkdir()
        (path / "events.out.tfevents.1.host").write_bytes(b"")
    # import fails as if not installed (submodules too: another test may have imported them)
    for name in {module, *(m for m in sys.modules if m.startswith(module + "."))}:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(MixphaseInputError, match=rf"pip install '{extra}'".replace("[", r"\[")):
        read_table(path)


# -- TensorBoard ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def event_folder(tmp_path_factory):
    pytest.importorskip("tensorboard")
    from torch.utils.tensorboard import SummaryWriter

    root = tmp_path_factory.mktemp("tb") / "runs"
    for i, name in enumerate(TRUTH):
        with SummaryWriter(str(root / name)) as w:
            for step, loss in zip(*planted(name, SEED0 + i), strict=True):
                w.add_scalar("train/loss", float(loss), int(step))
                w.add_scalar("train/tokens", float(step) * 2048, int(step))
    with SummaryWriter(str(root / "long")) as w:  # more than the 10,000-point default reservoir
        for step in range(12_001):
            w.add_scalar("lr", 1.0 / (step + 1), step)
    return root


def test_tensorboard_keeps_every_point(event_folder):
    c = read_curves(event_folder / "long", y_col="lr")
    (curve,) = c.values()
    assert list(c) == ["long"] and curve["x"].size == 12_001
    assert curve["x"].tolist() == list(range(12_001))


def test_tensorboard_folder_breakpoints_recovered(event_folder, capsys):
    code, out, _ = run(["fit", "breakpoints", str(event_folder), "--y-col", "train/loss",
                        "--json"], capsys)  # fmt: skip
    assert code == 0
    assert_recovered(json.loads(out))
    # x from another scalar tag: tokens = 2048 x step, so the breakpoints scale by 2048
    c = read_curves(event_folder / "a", x_col="train/tokens", y_col="train/loss")
    assert c["a"]["x"][0] == 2048 * 10


def test_tensorboard_without_the_tag(event_folder, capsys):
    code, out, err = run(["fit", "breakpoints", str(event_folder), "--y-col", "val/loss"], capsys)
    one_line_error(code, out, err, "missing scalar tag 'val/loss'", "train/loss")


def test_folder_without_events(tmp_path, capsys):
    code, out, err = run(["fit", "breakpoints", str(tmp_path)], capsys)
    one_line_error(code, out, err, "directory without TensorBoard event files")


# -- W&B -----------------------------------------------------------------------------------------
def write_wandb_wide(path, metric="train/loss"):
    """A W&B chart export: Step, then per run '<run> - <metric>' with __MIN/__MAX; blanks where a
    run logged nothing at a step; run names with ' - ' in them."""
    names = {"a": "mix a - r=0.1", "b": "mix b"}
    data = {r: dict(zip(*planted(r, SEED0 + i), strict=True)) for i, r in enumerate(TRUTH)}
    steps = sorted(set().union(*data.values()))
    head = ["Step"]
    for r in TRUTH:
        head += [f"{names[r]} - {metric}{s}" for s in ("", "__MIN", "__MAX")]
    lines = [",".join(f'"{h}"' for h in head)]
    for s in steps:
        cells = [str(s)]
        for r in TRUTH:
            v = data[r].get(s)
            cells += (
                ["", "", ""] if v is None else [f"{v:.8g}", f"{v * 0.99:.8g}", f"{v * 1.01:.8g}"]
            )
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return {names[r]: r for r in TRUTH}


def test_wandb_wide_export_breakpoints_recovered(tmp_path, capsys):
    f = tmp_path / "wandb_export.csv"
    names = write_wandb_wide(f)
    code, out, _ = run(["fit", "breakpoints", str(f), "--y-col", "train/loss", "--json"], capsys)
    assert code == 0
    fits = json.loads(out)
    assert {r["curve"] for r in fits} == set(names)  # run names kept, ' - ' inside them too
    assert_recovered([{**r, "curve": names[r["curve"]]} for r in fits])


def test_wandb_export_without_the_metric(tmp_path, capsys):
    f = tmp_path / "wandb_export.csv"
    write_wandb_wide(f)
    code, out, err = run(["fit", "breakpoints", str(f), "--y-col", "eval/acc"], capsys)
    one_line_error(code, out, err, "missing metric 'eval/acc'", "train/loss")


def test_wandb_bucket_columns_ignored_and_blank_rows_dropped(tmp_path):
    f = tmp_path / "w.csv"
    f.write_text("Step,r1 - loss,r1 - loss__MIN,r1 - loss__MAX\n1,0.5,0.4,0.6\n2,,,\n3,0.3,,\n")
    t = read_table(f)
    assert t.kind == "wandb" and [r.where for r in t.records] == ["line 2", "line 4"]
    assert read_curves(f, y_col="loss")["r1"]["y"].tolist() == [0.5, 0.3]
