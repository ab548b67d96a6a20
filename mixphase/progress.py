"""Progress bars for long work (NUTS sampling, figures, sweeps, valuation): one tiny helper.

A bar goes to stderr, never to stdout (stdout carries the result, e.g. ``--json``), and is shown
only when stderr is a terminal and the caller is not quiet (commands pass ``quiet=as_json``);
``MIXPHASE_NO_PROGRESS=1`` silences every bar. tqdm is imported only when a bar is made.

    from mixphase import progress
    for run in progress.bar(runs, desc="sweep", unit="run", quiet=as_json):
        ...
    with progress.bar(total=n, desc="figures", quiet=as_json) as bar:
        ...; bar.update(1)

:class:`Bars` keeps one bar per key (the runs of a sweep in training), fed ``(key, step, total)``
from any thread.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable


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


class Bars:
    """One bar per key, fed ``update(key, step, total)`` (thread-safe; a no-op when disabled).

    Shown when :func:`enabled` (``quiet``); ``label(key)`` names a bar (default: the key).
    A key's bar closes when its step reaches the total.
    """

    def __init__(self, quiet: bool = False, label: Callable[[str], str] | None = None,
                 unit: str = "step") -> None:  # fmt: skip
        self.enabled = enabled(quiet)
        self.label, self.unit = label or str, unit
        self._bars: dict[str, object] = {}
        self._lock = threading.Lock()

    def update(self, key: str, step: int, total: int) -> None:
        if not self.enabled:
            return
        with self._lock:
            b = self._bars.get(key)
            if b is None:
                b = self._bars[key] = bar(total=total, desc=self.label(key), unit=self.unit)
            b.update(min(step, total) - b.n)
            if step >= total:
                b.close()
                del self._bars[key]

    def close(self) -> None:
        with self._lock:
            for b in self._bars.values():
                b.close()
            self._bars.clear()
