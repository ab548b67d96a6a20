"""mixphase.progress: bars on a terminal's stderr only, silent with --json / MIXPHASE_NO_PROGRESS."""

import io
import sys

from mixphase import progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shown_on_a_terminal_and_silent_otherwise(monkeypatch):
    monkeypatch.delenv("MIXPHASE_NO_PROGRESS", raising=False)
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert progress.enabled() and not progress.enabled(quiet=True)
    assert list(progress.bar(range(3), desc="work", leave=True)) == [0, 1, 2]
    assert "work" in term.getvalue() and "3/3" in term.getvalue()
    for quiet, env in ((True, None), (False, "1")):
        if env:
            monkeypatch.setenv("MIXPHASE_NO_PROGRESS", env)
        term.seek(0)
        term.truncate()
        with progress.bar(total=2, desc="quiet", quiet=quiet) as b:
            b.update(2)
        assert term.getvalue() == ""
    monkeypatch.delenv("MIXPHASE_NO_PROGRESS")
    pipe = io.StringIO()  # not a terminal
    monkeypatch.setattr(sys, "stderr", pipe)
    assert not progress.enabled()
    list(progress.bar(range(3), desc="piped"))
    assert pipe.getvalue() == ""


def test_progress_is_light():
    """The helper itself imports no tqdm until a bar is made (it sits in the CLI's path)."""
    import subprocess

    code = "import sys, mixphase.progress; print('tqdm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bars_one_per_key_closed_at_their_total(monkeypatch):
    """The sweep's per-run bars (moved here from validate/progress.py): one per key, labelled,
    closed when the run reaches its last step; silent when quiet or not on a terminal."""
    monkeypatch.delenv("MIXPHASE_NO_PROGRESS", raising=False)
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    bars = progress.Bars(label=lambda k: k.upper())
    bars.update("a", 5, 10)
    bars.update("b", 1, 4)
    assert set(bars._bars) == {"a", "b"} and "A" in term.getvalue()
    bars.update("a", 10, 10)
    assert set(bars._bars) == {"b"}
    bars.close()
    assert not bars._bars
    quiet = progress.Bars(quiet=True)
    quiet.update("a", 1, 2)
    assert not quiet._bars
