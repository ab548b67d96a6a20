"""Text tables: CSV/TSV (UTF-8 with or without BOM, LF or CRLF, ``,`` ``;`` or tab) and JSON.

- Delimited text: the separator is a tab for ``.tsv``/``.tab``, otherwise the most frequent of
  ``,``, ``;`` and tab (outside quotes) in the header line. With ``;`` a decimal comma (``0,5``)
  reads as a number. Line numbers count physical lines from 1 (the header), so a quoted cell
  spanning lines, blank lines and CRLF endings do not shift them.
- JSON: a list of objects, an object holding such a list under ``runs``/``results``/``rows``/
  ``records``/``points``, or one object. JSON lines (``.jsonl``, ``.ndjson``, or a ``.json`` file
  that is not one JSON document): one object per line; blank lines are skipped; a torn last
  line is skipped and records sharing a run ``key`` keep the last (:mod:`mixphase.journal`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from mixphase.errors import MixphaseInputError
from mixphase.readers.table import Record, Table

JSON_LIST_KEYS = ("runs", "results", "rows", "records", "points")
DELIMITERS = (",", ";", "\t")


def read_text(path: Path, text: str) -> Table:
    """A :class:`Table` from a text file's decoded contents (format from suffix and content)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return Table(path, _json_lines(path, text), kind="jsonl")
    if suffix == ".json" or (suffix not in (".csv", ".tsv", ".tab", ".txt") and _looks_json(text)):
        return _json(path, text)
    return _delimited(path, text, "\t" if suffix in (".tsv", ".tab") else None)


def _looks_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


def _json(path: Path, text: str) -> Table:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        if len([ln for ln in text.splitlines() if ln.strip()]) > 1:  # JSON lines in a .json file
            return Table(path, _json_lines(path, text), kind="jsonl")
        raise MixphaseInputError(f"{path}: not valid JSON") from None
    if isinstance(data, dict):
        key = next((k for k in JSON_LIST_KEYS if isinstance(data.get(k), list)), None)
        data = data[key] if key else [data]
    if not isinstance(data, list):
        raise MixphaseInputError(f"{path}: expected a list of objects, got {type(data).__name__}")
    records = []
    for i, row in enumerate(data, 1):
        if not isinstance(row, dict):
            raise MixphaseInputError(
                f"{path} holds no records: item {i} is not an object with named columns"
            )
        records.append(Record(row, f"record {i}"))
    return Table(path, records, kind="json")


def _json_lines(path: Path, text: str) -> list[Record]:
    """JSON lines through :mod:`mixphase.journal` (the one parser of journals): a torn last line
    (a killed writer) is skipped with a warning, records sharing a run ``key`` keep the last one
    (warned), any other bad line is an error naming it."""
    import warnings

    from mixphase.journal import parse_journal

    j = parse_journal(text, path, require_key=False)
    for n, why in j.skipped:
        if why == "not a JSON object":
            raise MixphaseInputError(f"{path}: line {n}: each line must be a JSON object")
        if why != "torn last line":
            raise MixphaseInputError(f"{path}: line {n}: not valid JSON ({j.details[n]})")
        warnings.warn(f"{path}: line {n}: skipped a torn last line (a killed writer)",
                      stacklevel=2)  # fmt: skip
    if j.duplicates:
        warnings.warn(j.warnings()[-1], stacklevel=2)
    return [Record(row, f"line {n}") for row, n in zip(j.records, j.lines, strict=True)]


def _header_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.strip()), "")


def sniff_delimiter(header: str) -> str:
    """The most frequent of ``,`` ``;`` tab outside double quotes (``,`` on a tie or none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first on ties: ","
    return best if counts[best] else ","


def _delimited(path: Path, text: str, delimiter: str | None) -> Table:
    delimiter = delimiter or sniff_delimiter(_header_line(text))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records = []
    line = 1  # the physical line the next row starts on
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [c.strip() for c in row]
                dup = next((c for c in header if header.count(c) > 1), None)
                if dup is not None:
                    raise MixphaseInputError(f"{path}: line {start}: column {dup!r} appears twice")
                continue
            if len(row) > len(header):
                raise MixphaseInputError(
                    f"{path}: line {start}: {len(row)} fields but the header has {len(header)} "
                    f"(separator {delimiter!r})"
                )
            records.append(Record(zip(header, row, strict=False), f"line {start}"))
    except csv.Error as exc:
        raise MixphaseInputError(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from None
    kind = "tsv" if delimiter == "\t" else "csv"
    table = Table(path, records, kind=kind, decimal_comma=delimiter == ";")
    if header is not None and not records:
        table._columns = header  # a header alone: the columns are still known
    return table
