"""The one error type raised for bad user input.

Validation happens once, at the user-facing boundary (CLI options, public ``fit``/``run``
functions). The CLI turns a :class:`MixphaseInputError` into a one-line message on stderr and
exit code 2, with no traceback.
"""


class MixphaseInputError(ValueError):
    """Input that mixphase cannot work with (out of range, malformed, unreadable)."""


class MixphaseRunError(RuntimeError):
    """Work that failed where it ran (a sweep task on a cluster): the CLI prints one line
    ``mixphase: error: ...`` and exits with code 1 (the input was fine; rerunning may resume)."""
