"""Writing simulated curves: tidy rows (CSV or JSONL) plus a ground-truth sidecar JSON.

The row format is the one ``mixphase fit`` reads: columns ``x, y``, optionally ``y_err`` (a known
standard error of ``y``, e.g. of a Monte Carlo mean) and, when there is more than one curve,
``curve`` (a string label). ``*.jsonl`` paths get one JSON object per line
(``{"x": .., "y": .., "curve": ..}``); anything else gets CSV with a header line. Every file is
written atomically (:func:`mixphase.io.atomic_write`). The sidecar ``<out>.truth.json`` holds the
ground truth the simulation was built from (breakpoints, critical points, parameters, seed).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path

from mixphase.io import atomic_write
from mixphase.records import to_jsonable

Row = dict  # {"x": float, "y": float, "curve": str (optional)}


def truth_path(out: str | Path) -> Path:
    """``curves.csv`` -> ``curves.csv.truth.json`` (the sidecar beside the rows)."""
    out = Path(out)
    return out.with_name(out.name + ".truth.json")


def write_rows(out: str | Path, rows: Iterable[Row]) -> Path:
    """Write ``rows`` to ``out`` (JSONL if it ends in ``.jsonl``, else CSV), atomically."""
    out = Path(out)
    rows = list(rows)
    fields = ["x", "y"] + [k for k in ("y_err", "curve") if any(k in r for r in rows)]
    with atomic_write(out) as fh:
        if out.suffix.lower() == ".jsonl":
            for r in rows:
                fh.write(json.dumps(to_jsonable({k: r[k] for k in fields if k in r})) + "\n")
        else:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(fields)
            for r in rows:
                writer.writerow([_fmt(r.get(k, "")) for k in fields])
    return out


def write_truth(out: str | Path, truth: dict) -> Path:
    """Write the ground-truth sidecar ``<out>.truth.json`` atomically; returns its path."""
    path = truth_path(out)
    with atomic_write(path) as fh:
        json.dump(to_jsonable(truth), fh, indent=2, allow_nan=False)
        fh.write("\n")
    return path


def write_simulation(out: str | Path, result, **row_options) -> tuple[Path, Path]:
    """Rows and sidecar of any simulation result (``.to_rows()`` and ``.truth``)."""
    rows_path = write_rows(out, result.to_rows(**row_options))
    return rows_path, write_truth(out, result.truth)


def _fmt(v) -> str:
    if isinstance(v, float):
        return repr(v)  # shortest round-trip representation
    return str(v)
