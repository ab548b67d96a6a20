"""Reading curves (CSV / JSONL) and checking arrays once, at the boundary.

Tracker exports work with a column mapping: a TensorBoard CSV (``Wall time,Step,Value``) with
``x_col="Step", y_col="Value"``; a W&B CSV (``Step,<run> - loss,...``) with the run's column.
Blank cells (W&B leaves them where a metric was not logged at that step) drop the row for the
columns that are read; a literal ``nan``/``inf`` is an error.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np

from mixphase.errors import MixphaseInputError


def _read_rows(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MixphaseInputError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise MixphaseInputError(f"cannot read {path}: it is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MixphaseInputError(f"cannot read {path}: {exc}") from None
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        rows = []
        for i, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise MixphaseInputError(f"{path}:{i}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise MixphaseInputError(f"{path}:{i}: each line must be a JSON object")
            rows.append(row)
        return rows
    try:
        return list(csv.DictReader(text.splitlines()))
    except csv.Error as exc:
        raise MixphaseInputError(f"cannot parse {path} as CSV: {exc}") from None


def _number(value, path: Path, col: str, line: int) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan  # blank: dropped by the caller
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise MixphaseInputError(
            f"{path}: row {line}: column {col!r} is not a number: {value!r}"
        ) from None
    if not math.isfinite(out):
        raise MixphaseInputError(f"{path}: row {line}: column {col!r} is not finite: {value!r}")
    return out


def read_curves(path, x_col: str = "x", y_col: str | None = "y", curve_col: str = "curve",
                extra_cols: tuple[str, ...] | list[str] = ()) -> dict[str, dict[str, np.ndarray]]:  # fmt: skip
    """Read a CSV or JSONL file into ``{curve: {column: array}}``.

    Without a ``curve_col`` column the one curve is named after the file's stem. Columns read:
    ``x_col``, ``y_col`` (skip with ``None``) and ``extra_cols`` that are present (e.g. ``y_err``,
    ``correct``, ``total``, ``y_lower``, ``y_upper``), returned under the names ``x``, ``y`` and
    their own names. Rows with a blank cell in a requested column are dropped.
    """
    path = Path(path)
    rows = _read_rows(path)
    if not rows:
        raise MixphaseInputError(f"{path}: no data rows")
    present = set().union(*(r.keys() for r in rows))
    wanted = [(x_col, "x")] + ([(y_col, "y")] if y_col is not None else [])
    for col, _ in wanted:
        if col not in present:
            cols = ", ".join(sorted(map(str, present)))
            raise MixphaseInputError(f"{path}: missing column {col!r} (columns: {cols})")
    wanted += [(c, c) for c in extra_cols if c in present]
    has_curve = curve_col in present
    out: dict[str, dict[str, list]] = {}
    for i, row in enumerate(rows, 2):
        vals = {name: _number(row.get(col), path, col, i) for col, name in wanted}
        if any(math.isnan(v) for v in vals.values()):
            continue
        key = str(row.get(curve_col)) if has_curve else path.stem
        table = out.setdefault(key, {name: [] for _, name in wanted})
        for name, v in vals.items():
            table[name].append(v)
    if not out:
        raise MixphaseInputError(f"{path}: no complete rows for columns {[c for c, _ in wanted]}")
    return {k: {c: np.asarray(v, dtype=float) for c, v in t.items()} for k, t in out.items()}


def check_xy(x, y=None, *, min_points: int, log_y: bool = True, what: str = "model"):
    """Finite 1-D arrays of equal length, positive x (and y for log models), sorted by x."""
    x = _array("x", x)
    if y is not None:
        y = _array("y", y)
        if y.size != x.size:
            raise MixphaseInputError(f"x and y have different lengths ({x.size} and {y.size})")
        if log_y and np.any(y <= 0):
            raise MixphaseInputError(f"y must be positive for the log-log {what}")
    if np.any(x <= 0):
        raise MixphaseInputError(f"x must be positive for the {what} (it is fitted in log x)")
    if x.size < min_points:
        raise MixphaseInputError(
            f"{x.size} points are too few for the {what}: it needs at least {min_points}"
        )
    if np.unique(x).size < 3:
        raise MixphaseInputError("x needs at least 3 distinct values")
    return x, y


def _array(name: str, values) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise MixphaseInputError(f"{name} must be numeric") from None
    if arr.ndim != 1:
        raise MixphaseInputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise MixphaseInputError(f"{name} contains NaN or infinite values")
    return arr


def optional_array(name: str, values, n: int, positive: bool = False) -> np.ndarray | None:
    if values is None:
        return None
    arr = _array(name, values)
    if arr.size != n:
        raise MixphaseInputError(f"{name} has {arr.size} values, x has {n}")
    if positive and np.any(arr <= 0):
        raise MixphaseInputError(f"{name} must be positive")
    if np.any(arr < 0):
        raise MixphaseInputError(f"{name} must be non-negative")
    return arr


def check_ci(ci: float) -> float:
    ci = float(ci)
    if not math.isfinite(ci) or not 0 < ci < 1:
        raise MixphaseInputError(f"ci must lie strictly between 0 and 1, got {ci!r}")
    return ci
