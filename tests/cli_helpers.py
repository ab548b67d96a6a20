"""Helpers shared by the CLI tests: run a command in-process, check a one-line error."""

import pytest

from mixphase.cli import main


def run(argv, capsys):
    """``(exit code, stdout, stderr)`` of ``mixphase ARGV`` run in-process."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def one_line_error(code, out, err, *needles):
    """Exit 2, nothing on stdout, one ``mixphase: error:`` line naming each of ``needles``."""
    assert code == 2 and out == "" and err.startswith("mixphase: error:")
    assert err.count("\n") == 1 and "Traceback" not in err
    for n in needles:
        assert n in err, err
