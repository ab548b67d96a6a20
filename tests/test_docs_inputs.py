"""docs/inputs.md shows real files: every snippet is the start of a file docs/input_examples.py
writes, every command on the page runs on those files, and the errors it quotes are the ones
mixphase prints."""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from pathlib import Path

import pytest

from mixphase.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "inputs.md").read_text()


def _examples_module():
    spec = importlib.util.spec_from_file_location(
        "input_examples", ROOT / "docs" / "input_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["input_examples"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    pytest.importorskip("tensorboard")
    pytest.importorskip("pyarrow")
    out = tmp_path_factory.mktemp("inputs")
    files = _examples_module().write_examples(out)
    return out, files


def run(argv, capsys, cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_snippets_are_the_files(examples):
    out, files = examples
    snippets = re.findall(r"<!-- example: (\S+) lines 1-(\d+) -->\n```text\n(.*?)```", DOC, re.S)
    assert len(snippets) >= 9
    for name, n, text in snippets:
        lines = files[name].read_bytes().decode("utf-8-sig").splitlines()
        assert text.splitlines() == lines[: int(n)], name
    raw = files["curves_excel.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw and b"\r\n" in raw  # as the doc says
    runs = sorted(p.parent.name for p in (out / "tb").rglob("events.out.tfevents.*"))
    assert runs == ["mix-a", "mix-b"]


@pytest.mark.slow
def test_every_command_on_the_page_runs(examples, capsys, monkeypatch):
    out, _ = examples
    commands = re.findall(r"```console\n\$ mixphase (.+)\n```", DOC)
    assert len(commands) >= 10
    for line in commands:
        code, stdout, err = run(shlex.split(line), capsys, out, monkeypatch)
        assert code == 0, (line, err)
        if line.startswith("fit breakpoints") and "--json" not in line:
            assert "curve: a" in stdout or "curve: mix-a" in stdout
        if line.startswith("fit swarm"):
            assert "THRESHOLD at weight 0.1" in stdout or "THRESHOLD at weight 0.09" in stdout


def test_quoted_errors_are_real(examples, capsys, monkeypatch):
    out, _ = examples
    quoted = re.findall(r"^mixphase: error: (.+)$", DOC, re.M)
    bad = out / "curves.csv"
    lines = bad.read_text().splitlines()
    lines[6] = lines[6].replace(lines[6].split(",")[1], "oops")
    bad_copy = out / "bad" / "curves.csv"
    bad_copy.parent.mkdir(exist_ok=True)
    bad_copy.write_text("\n".join(lines) + "\n")
    got = []
    for cwd, argv in [(bad_copy.parent, ["fit", "breakpoints", "curves.csv", "--y-col", "loss"]),
                      (out, ["fit", "breakpoints", "tb", "--y-col", "val/loss"]),
                      (out, ["fit", "breakpoints", "wandb_export.csv", "--y-col", "eval/acc"])]:  # fmt: skip
        code, stdout, err = run(argv, capsys, cwd, monkeypatch)
        assert code == 2 and stdout == ""
        got.append(err.removeprefix("mixphase: error: ").strip())
    assert got == quoted
