"""What a benchmark script does with its report: print it, and write it all or nothing."""

from __future__ import annotations

from pathlib import Path

from mixphase.io import atomic_write


def publish(lines: list[str], out: Path | None) -> str:
    """Print the report (lines joined, one trailing newline) and write it to ``out`` (if given)
    atomically, creating its folder; returns the text."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out is not None:
        with atomic_write(out) as fh:
            fh.write(text)
    return text
