"""Run ``mixphase`` in-process on one command line, the way a user would see it."""

from __future__ import annotations

import contextlib
import io
import shlex
import traceback
import warnings
from dataclasses import dataclass


@dataclass
class Outcome:
    code: int | None
    stdout: str
    stderr: str
    error: str = ""  # an exception that escaped main(): a traceback the user would see

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(argv: list[str] | str) -> Outcome:
    """``mixphase.cli.main(argv)`` with stdout/stderr captured; warnings count as stderr."""
    from mixphase.cli import main

    if isinstance(argv, str):
        argv = shlex.split(argv)
    out, err = io.StringIO(), io.StringIO()
    code, escaped = None, ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # what a user would get as a traceback
                escaped = traceback.format_exc()
    text = err.getvalue() + "".join(f"{w.category.__name__}: {w.message}\n" for w in caught)
    return Outcome(code, out.getvalue(), text, escaped)
