"""One reader for the curves and runs users log, wherever they log them.

Formats (chosen by what the path is, then its suffix, then its content):

=====================================  =========================================================
CSV / TSV (``.csv``, ``.tsv``, other)  UTF-8 with or without BOM, LF or CRLF, ``,`` ``;`` or tab
JSON / JSON lines                      a list of objects, or one object per line
Parquet (``.parquet``, ``.pq``)        needs ``mixphase[parquet]`` (pyarrow)
TensorBoard event folder / file        needs ``mixphase[tensorboard]``; every scalar, no sampling
W&B chart export (wide CSV)            ``"<run> - <metric>"`` columns melted to one curve per run
W&B runs history (long CSV)            a ``run`` column names the curves
=====================================  =========================================================

Public API: :func:`read_table` (a :class:`Table` of :class:`Record` rows that know their line),
:func:`read_records` (its rows), :func:`read_curves` (``{curve: {"x", "y", extra...: array}}``)
and the one alias table :data:`ROLES`. Every failure is a one-line
:class:`~mixphase.errors.MixphaseInputError` naming the file, the line (1-based, the header is
line 1) and the column, tag or metric. Nothing heavy is imported here: pyarrow and tensorboard
only when such a file is read.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.readers.columns import ROLES, aliases
from mixphase.readers.table import Record, Table, flatten, table_of

__all__ = ["ROLES", "Record", "Table", "aliases", "flatten", "read_curves", "read_records",
           "read_table", "table_of", "x_column"]  # fmt: skip


def read_table(path, metric: str | None = None) -> Table:
    """Read any supported source into a :class:`Table`.

    ``metric`` (the y column a caller wants) helps recognise a W&B wide export whose run names
    contain ``" - "``; without it, bucket columns (``__MIN``/``__MAX``) identify one.
    """
    from mixphase.readers import parquet, tensorboard, text, wandb

    path = Path(path)
    if path.is_dir() or tensorboard.is_event_file(path):
        if path.is_dir() and not tensorboard.run_folders(path):
            raise MixphaseInputError(
                f"cannot read {path}: it is a directory without TensorBoard event files"
            )
        return tensorboard.read_event_folder(path)
    if not path.exists():
        raise MixphaseInputError(f"cannot read {path}: no such file")
    if path.suffix.lower() in parquet.SUFFIXES:
        table = parquet.read_parquet(path)
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise MixphaseInputError(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MixphaseInputError(
                f"cannot read {path}: not UTF-8 text (byte {exc.start})"
            ) from None
        table = text.read_text(path, content)
    if table.kind in ("csv", "tsv", "parquet"):
        parsed = wandb.wide_columns(table.columns, metric)
        if parsed:
            table = wandb.melt(table, parsed)
    return table


def read_records(path) -> list[Record]:
    """The rows of any supported source (``Record``: a dict that knows its line)."""
    table = read_table(path)
    if not table.records:
        raise MixphaseInputError(f"{path}: no data rows")
    return table.records


def read_curves(path, x_col: str | None = None, y_col: str | None = "y",
                curve_col: str | None = None, extra_cols=()) -> dict[str, dict[str, np.ndarray]]:  # fmt: skip
    """``{curve: {"x": array, "y": array, extra: array}}`` from any supported source (or a
    :class:`Table` already read).

    - ``x_col``: a named column/tag, or ``None``: the first of ``x``, ``step``, ``_step``,
      ``global_step``, ... (:data:`ROLES` ``"x"``); a TensorBoard run's x is its ``step``.
    - ``y_col``: the value (a column, a TensorBoard scalar tag or a W&B metric); ``None`` skips it.
    - ``curve_col``: the column naming curves; ``None``: the format's run (TensorBoard, W&B) or
      the first of ``curve``, ``run``, ... if present; ``""``: one curve. Unnamed single curves
      are named after the file.
    - ``extra_cols``: read when present (e.g. ``y_err``, ``correct``), under their own names.

    A row with a blank cell in a column read is dropped (W&B leaves blanks where a run logged
    nothing); a cell that is not a finite number is an error naming its line and column.
    """
    table = path if isinstance(path, Table) else read_table(path, metric=y_col)
    path = table.source
    if not table.records:
        raise MixphaseInputError(f"{path}: no data rows")
    wanted = {"x": x_column(table, x_col)}
    if y_col is not None:
        wanted["y"] = table.find(y_col)
    for c in extra_cols:
        col = table.find(c, required=False)
        if col is not None and c not in wanted:
            wanted[c] = col
    if curve_col == "":
        curve = None
    elif curve_col is not None:
        curve = table.find(curve_col)
    else:
        curve = table.run_column or table.find_role("curve", required=False)
    out: dict[str, dict[str, list]] = {}
    for rec in table.records:
        vals = {name: table.number(rec, col) for name, col in wanted.items()}
        if any(math.isnan(v) for v in vals.values()):
            continue
        key = table.text(rec, curve) if curve else path.stem
        cols = out.setdefault(key, {name: [] for name in wanted})
        for name, v in vals.items():
            cols[name].append(v)
    if not out:
        raise MixphaseInputError(
            f"{path}: no complete rows for {table.noun}s {list(wanted.values())}"
        )
    return {k: {c: np.asarray(v, dtype=float) for c, v in t.items()} for k, t in out.items()}


def x_column(table: Table, x_col: str | None = None) -> str:
    """The x column: ``x_col`` if given (it must exist), else ``x``, ``step``, ``_step``, ..."""
    if x_col:
        return table.find(x_col)
    col = table.find_role("x", required=False)
    if col is None:
        others = ", ".join(aliases("x")[1:])
        raise MixphaseInputError(
            f"{table.source}: missing {table.noun} 'x' (nor {others}; {table._listing()}): "
            "name it with --x-col"
        )
    return col
