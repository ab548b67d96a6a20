"""Progress bars for long work (NUTS sampling, figures, sweeps, valuation): one tiny helper.

A bar goes to stderr, never to stdout (stdout carries the result, e.g. ``--json``), and is shown
only when stderr is a terminal and the caller is not quiet (commands pass ``quiet=as_json``);
``MIXPHASE_NO_PROGRESS=1`` silences every bar. tqdm is imported only when a bar is made.

    from mixphase import progress
    for run in progress.bar(runs, desc="sweep", unit="run", quiet=as_json):
        ...
    with progress.bar(total=n, desc="figures", quiet=as_json) as bar:
        ...; bar.update(1)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable


def enabled(quiet: bool = False) -> bool:
    """Whether a bar would be shown: not ``quiet``, stderr a terminal, no MIXPHASE_NO_PROGRESS."""
    if quiet or os.environ.get("MIXPHASE_NO_PROGRESS", "") not in ("", "0"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def bar(iterable: Iterable | None = None, *, total: int | None = None, desc: str | None = None,
        unit: str = "it", quiet: bool = False, leave: bool = False):  # fmt: skip
    """A tqdm bar on stderr (with rate and ETA), disabled unless :func:`enabled` (``quiet``).

    Use it as an iterable wrapper or as a context manager with ``update(n)``; ``bar.write(text,
    file=sys.stdout)`` prints a line without tearing the bar.
    """
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, leave=leave,
                disable=not enabled(quiet), dynamic_ncols=True)  # fmt: skip
