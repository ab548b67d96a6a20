"""Append-only JSON-lines journals (a sweep's ``results.jsonl``) that cannot lose or double runs.

One record per line, appended with a single ``write`` (:func:`append_record`). Three failure modes
of a killed or crashed writer are handled here, in one place, for every reader:

- **A torn last line** (the writer died mid-``write``): :func:`repair` (called when a sweep starts)
  moves the bytes after the last newline into ``<file>.torn-<UTC time>`` and truncates the file
  to its last complete line, returning a warning. :func:`append_record` also refuses to glue a
  record onto a torn tail: if the file does not end in a newline it writes one first.
- **Lines that do not parse** (torn lines left in the middle by an old writer): readers skip them
  and report each with its 1-based line number (:class:`Journal` ``.skipped``).
- **The same run twice** (a result recorded, the process killed before it knew, the run redone):
  readers keep the last record of each ``key`` (in the position of its first occurrence);
  ``.duplicates`` counts the dropped ones. Records without a ``key`` are kept as they are.

This module sits at the bottom of the package (it imports only the standard library and
:mod:`mixphase.records`), so validate, advise, the figures and :mod:`mixphase.readers` (every JSON-lines input) read
journals the same way.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Journal:
    """What a journal file holds: records (de-duplicated by key, last wins) and what was skipped."""

    path: Path
    records: list[dict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)
    duplicates: int = 0
    lines: list[int] = field(default_factory=list)  # 1-based line of each kept record
    details: dict[int, str] = field(default_factory=dict)  # line -> the JSON parser's message

    def warnings(self) -> list[str]:
        """One line per problem, naming the file and line number."""
        out = [f"{self.path}:{n}: skipped ({why})" for n, why in self.skipped]
        if self.duplicates:
            out.append(f"{self.path}: {self.duplicates} duplicate record(s) of a run key "
                       "(the last one of each is used)")  # fmt: skip
        return out


def read_journal(path: str | os.PathLike, *, require_key: bool = True) -> Journal:
    """Parse a JSON-lines journal file (see :func:`parse_journal`). Missing file: empty journal."""
    path = Path(path)
    if not path.exists():
        return Journal(path)
    return parse_journal(path.read_bytes(), path, require_key=require_key)


def parse_journal(data: bytes | str, path: str | os.PathLike = "<journal>", *,
                  require_key: bool = True) -> Journal:  # fmt: skip
    """Parse the contents of a JSON-lines journal (every reader of JSON lines goes through here).

    Lines are split at ``\n`` and numbered from 1; blank lines are skipped silently. A last line
    without a newline that does not parse is a ``"torn last line"`` (a killed writer). With
    ``require_key`` (results files) a line that is not a JSON object with a ``key`` is skipped and
    reported; without it any JSON object is kept (other JSONL files). Records with the same string
    ``key`` are de-duplicated: the last wins, in the position of the first.
    """
    j = Journal(Path(path))
    nl, bom = ("\n", "\ufeff") if isinstance(data, str) else (b"\n", b"\xef\xbb\xbf")
    if data.startswith(bom):
        data = data[len(bom) :]
    lines = data.split(nl)
    torn_tail = not data.endswith(nl) and lines[-1].strip() != lines[-1][:0]
    index: dict[str, int] = {}
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        why = None
        try:
            rec = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            rec = None
            why = "torn last line" if torn_tail and n == len(lines) else "not a JSON line"
            j.details[n] = getattr(exc, "msg", None) or str(exc)
        if why is None and not isinstance(rec, dict):
            why = "not a JSON object"
        elif why is None and require_key and not isinstance(rec.get("key"), str):
            why = "no run key"
        if why is not None:
            j.skipped.append((n, why))
            continue
        key = rec.get("key")
        if isinstance(key, str) and key in index:
            j.records[index[key]] = rec
            j.lines[index[key]] = n
            j.duplicates += 1
        else:
            if isinstance(key, str):
                index[key] = len(j.records)
            j.records.append(rec)
            j.lines.append(n)
    return j


def read_records(path: str | os.PathLike, warn: Callable[[str], None] | None = None) -> list[dict]:
    """The records of a results journal (see :func:`read_journal`); problems go to ``warn``."""
    j = read_journal(path)
    if warn is not None:
        for w in j.warnings():
            warn(w)
    return j.records


def repair(path: str | os.PathLike) -> str | None:
    """Move a torn tail (bytes after the last newline) aside; return a warning, or None.

    The torn bytes go to ``<path>.torn-<UTC time>`` and the journal is truncated to its last
    complete line, so the next append starts on a fresh line.
    """
    path = Path(path)
    if not path.exists():
        return None
    with open(path, "rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return None
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return None
        # find the last newline (read backwards in blocks)
        pos, block, cut = size, 1 << 16, 0
        while pos > 0:
            start = max(0, pos - block)
            fh.seek(start)
            buf = fh.read(pos - start)
            i = buf.rfind(b"\n")
            if i >= 0:
                cut = start + i + 1
                break
            pos = start
        fh.seek(cut)
        tail = fh.read()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        aside = path.with_name(f"{path.name}.torn-{stamp}")
        k = 1
        while aside.exists():
            aside = path.with_name(f"{path.name}.torn-{stamp}-{k}")
            k += 1
        aside.write_bytes(tail)
        fh.truncate(cut)
        fh.flush()
        os.fsync(fh.fileno())
    line = data_line_count(path) + 1
    return (f"{path}:{line}: a torn last line ({len(tail)} bytes, a killed writer) was moved to "
            f"{aside.name}")  # fmt: skip


def data_line_count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def append_record(path: str | os.PathLike, line: str) -> None:
    """Append one complete line with a single ``write``; never glue it onto a torn tail."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line.rstrip("\n") + "\n").encode()
    if "\n" in line.rstrip("\n"):
        raise ValueError("a journal record must be one line")
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["Journal", "append_record", "parse_journal", "read_journal", "read_records", "repair"]
