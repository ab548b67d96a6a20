"""Bad inputs to every command: exit 2, one line ``mixphase: error: ...``, nothing written.

The corpus is data: ``tests/bad_inputs/corpus.txt`` (one command line per row, optionally
``:: text`` that the error line must contain) plus rows generated here from the commands'
own options (every numeric option given NaN, infinity or words; every output option given a
device, a FIFO or a folder). Each case runs in-process in a fresh folder made by
:func:`tests.bad_inputs.workdir.make_workdir`, and the folder must be unchanged afterwards.

To add a case for a new option: add a row to ``corpus.txt``; numeric options of any command are
covered automatically once the command is in ``BASES`` below.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click
import pytest

from tests.bad_inputs.runner import run_cli
from tests.bad_inputs.workdir import make_workdir, snapshot

HERE = Path(__file__).parent / "bad_inputs"

# A valid command line per command (fast when it runs); generated rows add one bad option to it.
BASES = {
    "predict": "predict",
    "predict critical-ratio": "predict critical-ratio",
    "predict critical-size": "predict critical-size -r 0.01",
    "predict threshold-popularity": "predict threshold-popularity",
    "predict breakpoints": "predict breakpoints --beta 2 --pi 0.5 -k 100",
    "simulate phase-diagram": "simulate phase-diagram --n-sizes 2 --n-ratios 2 --verify-cvxpy 0",
    "simulate popularity": "simulate popularity --groups 2 --group-size 3 -n 1e6",
    "simulate mixture-curve": "simulate mixture-curve --beta 2 --pi 0.5 -k 100 --n-sizes 3 "
    "--repetitions 1",
    "fit breakpoints": "fit breakpoints curve.csv",
    "fit transition": "fit transition trans.csv",
    "fit power-law": "fit power-law pl.csv",
    "validate run": "validate run --ratio 0.1 -o run",
    "validate sweep": "validate sweep -o sw",
    "validate reproduce": "validate reproduce -o rep --report-only",
    "value score": "value score data.csv --test test.csv",
    "value benchmark": "value benchmark --task digits",
    "advise": "advise -n 1e8 -r 0.01",
    "advise real-share": "advise real-share --beta 2 -s 1e6 -k 100",
    "figures": "figures --out figs --only 4 --quick",
}
FLOAT_BAD = ("nan", "inf", "-inf", "abc")
INT_BAD = ("abc", "1.5", "nan")


def _command(path: str) -> click.Command:
    from mixphase.cli import cli

    cmd: click.Command = cli
    ctx = click.Context(cli)
    for name in path.split():
        cmd = cmd.get_command(ctx, name)  # type: ignore[union-attr]
    return cmd


def _kind(param: click.Parameter) -> str | None:
    t = param.type
    kind = getattr(t, "kind", None)  # mixphase's own number types
    if kind is float or isinstance(t, click.types.FloatParamType):
        return "float"
    if kind is int or isinstance(t, click.types.IntParamType):
        return "int"
    return None


def generated_rows() -> list[tuple[str, str]]:
    """``(command line, expected text)``: each numeric option of each command, given bad values."""
    rows = []
    for path, base in BASES.items():
        for param in _command(path).params:
            if not isinstance(param, click.Option) or param.is_flag:
                continue
            kind = _kind(param)
            if kind is None:
                continue
            flag = max(param.opts, key=len)
            for bad in FLOAT_BAD if kind == "float" else INT_BAD:
                rows.append((f"{base} {flag} {bad}", flag))
    return rows


def corpus_rows() -> list[tuple[str, str]]:
    rows = []
    for line in (HERE / "corpus.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cmd, _, expect = line.partition("::")
        rows.append((cmd.strip(), expect.strip()))
    return rows


ROWS = corpus_rows() + generated_rows()


def test_corpus_is_large_and_unique():
    cmds = [c for c, _ in ROWS]
    dupes = sorted({c for c in cmds if cmds.count(c) > 1})
    assert not dupes, f"duplicate rows: {dupes[:5]}"
    assert len(ROWS) >= 400


def _device_state(argv: list[str]) -> dict:
    return {a: os.stat(a).st_mode for a in argv if a.startswith("/dev/") and os.path.exists(a)}


@pytest.mark.parametrize(("line", "expect"), ROWS, ids=[c for c, _ in ROWS])
def test_bad_input(line, expect, tmp_path, monkeypatch):
    made = make_workdir(tmp_path)
    argv = shlex.split(line)
    for need in ("chardev", "sock"):
        if need in argv and not made[need]:
            pytest.skip(f"cannot make a {need} here")
    monkeypatch.chdir(tmp_path)
    before, devices = snapshot(tmp_path), _device_state(argv)
    res = run_cli(argv)
    assert not res.error, f"traceback:\n{res.error}"
    assert res.code == 2, f"exit {res.code}\nstdout: {res.stdout[-500:]}\nstderr: {res.stderr}"
    lines = res.stderr_lines()
    assert len(lines) == 1, f"stderr has {len(lines)} lines:\n{res.stderr}"
    assert lines[0].startswith("mixphase: error: "), lines[0]
    assert "Traceback" not in res.stderr
    assert expect.lower() in lines[0].lower(), f"{expect!r} not in {lines[0]!r}"
    assert res.stdout == "", f"stdout: {res.stdout[:300]}"
    assert snapshot(tmp_path) == before, "the working folder changed"
    assert _device_state(argv) == devices, "a device was replaced"


# Bases that run in a few seconds: each must succeed, so a generated row fails for its bad option.
QUICK_BASES = [k for k in BASES if k.split()[0] in ("predict", "simulate", "advise", "fit")]


@pytest.mark.parametrize("path", QUICK_BASES)
def test_bases_run_cleanly(path, tmp_path, monkeypatch):
    make_workdir(tmp_path)
    monkeypatch.chdir(tmp_path)
    res = run_cli(BASES[path])
    assert not res.error, res.error
    assert res.code == 0, res.stderr
