"""docs/cli.md cannot go stale: its examples are the generator's list, they run and exit 0,
and every command the CLI offers has an example. Also runs examples/fit_my_curves.py."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI_MD = ROOT / "docs" / "cli.md"


def _generator():
    spec = importlib.util.spec_from_file_location("make_cli_md", ROOT / "docs" / "make_cli_md.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_cli_md"] = module
    spec.loader.exec_module(module)
    return module


gen = _generator()


def _doc_examples() -> list[tuple[str, bool]]:
    """``(command line, tested)`` for every ``$ ...`` line of a console block in docs/cli.md."""
    text = CLI_MD.read_text()
    out = []
    for m in re.finditer(r"((?:<!-- not-tested -->.*\n\n)?)```console\n\$ (.+)\n", text):
        out.append((m.group(2), not m.group(1)))
    return out


def test_doc_examples_are_the_generators():
    doc = _doc_examples()
    listed = [(e.line, e.tested) for e in gen.EXAMPLES]
    assert sorted(doc) == sorted(listed), "docs/cli.md is stale: run python docs/make_cli_md.py"


def test_every_command_has_an_example_and_a_section():
    text = CLI_MD.read_text()
    paths = gen.command_tree()
    for path in paths:
        head = "##" if " " not in path else "###"
        assert f"\n{head} mixphase {path}\n" in text, (
            f"`mixphase {path}` missing from docs/cli.md: run python docs/make_cli_md.py"
        )
        if not gen._is_pure_group(path, paths):
            assert any(e.command == path for e in gen.EXAMPLES), f"no example for {path}"


GROUPS = sorted({gen.group_of(e.command) for e in gen.EXAMPLES if e.tested})


@pytest.mark.parametrize("group", GROUPS)
def test_examples_run(group, tmp_path):
    """The group's tested examples, in order, in a fresh folder: each exits with status 0."""
    for e in gen.EXAMPLES:
        if gen.group_of(e.command) != group or not e.tested:
            continue
        proc = gen.run(e.line, tmp_path, timeout=120)
        assert proc.returncode == 0, f"{e.line}\n{proc.stderr[-2000:]}"
        if e.line.startswith("mixphase"):  # (a `python -c` line may only write a file)
            assert proc.stdout.strip(), f"{e.line} printed nothing"


@pytest.mark.skipif(
    importlib.util.find_spec("mixphase.fit.breakpoints") is None, reason="needs mixphase.fit"
)
def test_example_script_fits_the_generated_curves(tmp_path):
    import subprocess

    proc = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "fit_my_curves.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Theory with beta" in proc.stdout
    assert (tmp_path / "my_curves.csv").exists() and (tmp_path / "fits.png").exists()
    beta = float(re.search(r"Theory with beta = ([\d.]+)", proc.stdout).group(1))
    assert 1.7 < beta < 2.3  # the simulated data have beta = 2
