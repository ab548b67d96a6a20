"""Records with their place in the file, and a table that finds columns and reads numbers.

Every reader (text, Parquet, TensorBoard, W&B) produces :class:`Record` rows: a ``dict`` of
column -> raw value that also knows where it came from (``record.where``: ``"line 7"`` counting
the header as line 1, ``"record 3"``, ``"run 'a', step 100"``), so an error names the line and the
column. A :class:`Table` holds the records of one source and answers the questions every caller
asks: which column is this, and what are its numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.readers.columns import aliases

_DECIMAL_COMMA = re.compile(r"^\s*[+-]?\d+,\d*([eE][+-]?\d+)?\s*$")


class Record(dict):
    """One row: column -> value (nested objects allowed), and ``where`` it came from."""

    __slots__ = ("_flat", "where")

    def __init__(self, data=(), where: str = "") -> None:
        super().__init__(data)
        self.where = where
        self._flat = None

    def flat(self) -> dict:
        """The row with nested objects flattened: ``a.b`` keys, plus ``b`` where unambiguous."""
        if self._flat is None:
            self._flat = flatten(self)
        return self._flat


def flatten(row: dict) -> dict:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1, "b": 1}``; top-level keys win, ambiguous leaves drop."""
    out: dict = {}
    leaves: dict = {}

    def walk(d: dict, prefix: str) -> None:
        for k, v in d.items():
            key = f"{prefix}{k}"
            if isinstance(v, dict):
                walk(v, f"{key}.")
            else:
                out[key] = v
                if prefix:
                    leaves.setdefault(str(k), []).append(v)

    walk(row, "")
    for k, vs in leaves.items():
        if k not in out and len(vs) == 1:
            out[k] = vs[0]
    return out


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Table:
    """The records of one source and how to talk about them.

    ``kind``: ``csv``, ``tsv``, ``json``, ``jsonl``, ``parquet``, ``tensorboard`` or ``wandb`` (a
    melted wide export). ``run_column``: the column a format puts run names in (TensorBoard, W&B).
    ``noun``: what a column is called in messages (``column``, ``scalar tag``, ``metric``).
    """

    source: Path
    records: list[Record]
    kind: str = "csv"
    run_column: str | None = None
    noun: str = "column"
    decimal_comma: bool = False
    hidden: tuple[str, ...] = ()  # columns not listed in messages (e.g. TensorBoard's run)
    plain: tuple[str, ...] = ()  # columns listed as "columns", not as the noun (W&B's Step)
    _columns: list[str] | None = field(default=None, repr=False)

    @property
    def columns(self) -> list[str]:
        """Column names in first-seen order (nested objects flattened)."""
        if self._columns is None:
            seen: dict[str, None] = {}
            for r in self.records:
                seen.update(dict.fromkeys(r.flat()))
            self._columns = list(seen)
        return self._columns

    def with_records(self, records: list[Record]) -> Table:
        """The same source and kind, other records (e.g. a filtered subset)."""
        return Table(self.source, list(records), self.kind, self.run_column, self.noun,
                     self.decimal_comma, self.hidden, self.plain)  # fmt: skip

    # -- finding columns -----------------------------------------------------------------------
    def find(self, name: str, required: bool = True) -> str | None:
        """The column called ``name`` (exactly, else ignoring case if that is unambiguous)."""
        cols = self.columns
        if name in cols:
            return name
        folded = [c for c in cols if c.casefold() == name.casefold()]
        if len(folded) == 1:
            return folded[0]
        if not required:
            return None
        raise MixphaseInputError(f"{self.source}: missing {self.noun} {name!r} ({self._listing()})")

    def find_role(self, role: str, required: bool = True, what: str | None = None) -> str | None:
        """The first of ``role``'s names (:mod:`mixphase.readers.columns`) the table has."""
        return self.find_any(aliases(role), required, what)

    def find_any(self, names, required: bool = True, what: str | None = None) -> str | None:
        for name in names:
            col = self.find(name, required=False)
            if col is not None:
                return col
        if not required:
            return None
        what = f" ({what})" if what else ""
        raise MixphaseInputError(
            f"{self.source} needs a {self.noun}{what} named one of: {', '.join(names)} "
            f"({self._listing()})"
        )

    def _listing(self) -> str:
        def show(cols):
            return ", ".join(cols[:30]) + (f", ... ({len(cols)} in all)" if len(cols) > 30 else "")

        main = [c for c in self.columns if c not in self.hidden and c not in self.plain]
        parts = [f"{self.noun}s: {show(main)}"] if main else []
        if self.plain:
            parts.append(f"columns: {show(list(self.plain))}")
        return "; ".join(parts) or "it has none"

    # -- reading values ------------------------------------------------------------------------
    def numbers(self, column: str, blank: str = "drop") -> np.ndarray:
        """The column's values as floats; a blank cell is NaN (``blank="drop"``) or an error.

        ``True``/``False`` read as 1/0. A cell that is not a number, or is ``nan``/``inf``, is an
        error naming the line and the column.
        """
        return np.array([self.number(r, column, blank) for r in self.records], dtype=float)

    def number(self, record: Record, column: str, blank: str = "drop") -> float:
        value = record.flat().get(column)
        if is_blank(value):
            if blank == "drop":
                return math.nan
            raise MixphaseInputError(
                f"{self.source}: {record.where}: missing value in {self.noun} {column!r}"
            )
        if isinstance(value, str) and self.decimal_comma and _DECIMAL_COMMA.match(value):
            value = value.replace(",", ".")
        try:
            out = float(value)
        except (TypeError, ValueError):
            raise MixphaseInputError(
                f"{self.source}: {record.where}: {self.noun} {column!r} is not a number: {value!r}"
            ) from None
        if not math.isfinite(out):
            raise MixphaseInputError(
                f"{self.source}: {record.where}: {self.noun} {column!r} is not finite: {value!r}"
            )
        return out

    def text(self, record: Record, column: str) -> str:
        """A cell as text (a curve or run name); a float as ``%g`` (``2e+07``, not ``20000000.0``)."""
        value = record.flat().get(column)
        if isinstance(value, float):
            return f"{value:g}"
        return "" if value is None else str(value)


def table_of(rows, source) -> Table:
    """A :class:`Table` over rows from :func:`mixphase.readers.read_records` (or plain dicts)."""
    rows = [r if isinstance(r, Record) else Record(r, f"record {i}") for i, r in enumerate(rows, 1)]
    return Table(Path(source), rows)
