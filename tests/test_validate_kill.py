"""kill -9 of a 2-worker sweep at random moments: every finished run recorded once, no process
left (a short version of benchmarks/validate_kill.py)."""

import importlib.util
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_loses_and_doubles_nothing(tmp_path, capsys):
    path = Path(__file__).parents[1] / "benchmarks" / "validate_kill.py"
    spec = importlib.util.spec_from_file_location("validate_kill", path)
    kill = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kill)
    rc = kill.main(["--trials", "2", "--seed", "3", "--steps", "60", "--seeds", "1",
                    "--min-delay", "3", "--max-delay", "7", "--out", str(tmp_path / "sweep")])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "all runs exactly once" in out
