"""Parquet tables (the ``parquet`` extra: pyarrow, imported only when a ``.parquet`` file is read)."""

from __future__ import annotations

from pathlib import Path

from mixphase.errors import MixphaseInputError
from mixphase.readers.table import Record, Table

SUFFIXES = (".parquet", ".pq")


def read_parquet(path: Path) -> Table:
    """Rows of a Parquet file; a row's place is ``row N`` (1-based, no header)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MixphaseInputError(
            f"reading {path} needs pyarrow: pip install 'mixphase[parquet]'"
        ) from None
    try:
        rows = pq.read_table(path).to_pylist()
    except Exception as exc:  # pyarrow raises its own types for damaged files
        raise MixphaseInputError(f"{path}: not a readable Parquet file ({exc})") from None
    return Table(path, [Record(r, f"row {i}") for i, r in enumerate(rows, 1)], kind="parquet")
