"""Mixture swarms in olmix's layout: run weights in one table, run metrics in another.

- ``ratios.csv``: one row per run, a run id column (``run_id``, ``run``, ``id``, ``name``; an
  ``index`` column is ignored) and one column per domain holding that domain's weight in the
  run's mixture; each row sums to 1 (within ``sum_tol``, olmix's own check uses 0.01).
- ``metrics.csv``: one row per run, the same run ids, one column per metric.
- or one table holding both, with ``domains`` naming the weight columns.

The two tables are joined on the run id; a run in one and not the other is an error (a swarm
whose files disagree is not silently cut down). A blank metric cell leaves that run out of that
metric only. Any format :func:`mixphase.readers.read_table` reads is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.readers.columns import aliases
from mixphase.readers.table import Table

#: Columns that identify a run rather than hold a weight or a metric.
ID_COLUMNS = (*aliases("run_id"), "index", "display_name", "group")


@dataclass(frozen=True)
class SwarmData:
    """Weights ``(runs, domains)`` and metrics ``{name: (runs,)}`` (NaN where not logged)."""

    runs: list[str]
    domains: list[str]
    weights: np.ndarray
    metrics: dict[str, np.ndarray]
    source: str


def read_swarm(ratios, metrics=None, *, domains=None, metric_names=None, run_col: str | None = None,
               sum_tol: float = 0.01) -> SwarmData:  # fmt: skip
    """Read a swarm: ``ratios`` and ``metrics`` tables, or one table with ``domains`` given."""
    from mixphase.readers import read_table

    rt = read_table(ratios)
    if not rt.records:
        raise MixphaseInputError(f"{rt.source}: no data rows")
    mt = rt if metrics is None else read_table(metrics)
    if not mt.records:
        raise MixphaseInputError(f"{mt.source}: no data rows")
    if metrics is None and not domains:
        raise MixphaseInputError(
            f"{rt.source}: one table holds weights and metrics: name the weight columns with "
            "--domains (comma-separated)"
        )
    r_id, r_runs = _run_ids(rt, run_col)
    m_id, m_runs = (r_id, r_runs) if mt is rt else _run_ids(mt, run_col)
    dom_cols = _pick(rt, domains, exclude=(r_id,), what="domain")
    exclude = (m_id, *dom_cols) if mt is rt else (m_id,)
    met_cols = _pick(mt, metric_names, exclude=exclude, what="metric")
    if mt is not rt:
        _same_runs(rt, r_runs, mt, m_runs)
    weights = np.column_stack([rt.numbers(c, blank="error") for c in dom_cols])
    _check_weights(rt, weights, dom_cols, sum_tol)
    order = [m_runs.index(r) for r in r_runs]
    mets = {}
    for c in met_cols:
        vals = mt.numbers(c)
        mets[c] = vals[order]
    src = str(rt.source) if mt is rt else f"{rt.source} + {mt.source}"
    return SwarmData(r_runs, dom_cols, weights, mets, src)


def _run_ids(table: Table, run_col: str | None) -> tuple[str, list[str]]:
    col = table.find(run_col) if run_col else table.find_role("run_id", what="run id")
    runs = [table.text(r, col).strip() for r in table.records]
    for rec, run in zip(table.records, runs, strict=True):
        if not run:
            raise MixphaseInputError(f"{table.source}: {rec.where}: no run id in column {col!r}")
    seen: dict[str, str] = {}
    for rec, run in zip(table.records, runs, strict=True):
        if run in seen:
            raise MixphaseInputError(
                f"{table.source}: {rec.where}: run id {run!r} again (first at {seen[run]})"
            )
        seen[run] = rec.where
    return col, runs


def _pick(table: Table, names, exclude, what: str) -> list[str]:
    if names:
        cols = [table.find(n) for n in names]
    else:
        cols = [c for c in table.columns if c not in exclude and c.casefold() not in ID_COLUMNS]
    if not cols:
        raise MixphaseInputError(f"{table.source}: no {what} columns")
    return cols


def _same_runs(rt: Table, r_runs: list[str], mt: Table, m_runs: list[str]) -> None:
    only_r = [r for r in r_runs if r not in set(m_runs)]
    only_m = [r for r in m_runs if r not in set(r_runs)]
    if only_r or only_m:
        parts = []
        if only_r:
            parts.append(f"runs in {rt.source.name} missing from {mt.source.name}: {_few(only_r)}")
        if only_m:
            parts.append(f"runs in {mt.source.name} missing from {rt.source.name}: {_few(only_m)}")
        raise MixphaseInputError("the two files hold different runs: " + "; ".join(parts))


def _few(items: list[str], n: int = 5) -> str:
    return ", ".join(items[:n]) + (f", ... ({len(items)} in all)" if len(items) > n else "")


def _check_weights(table: Table, w: np.ndarray, cols: list[str], sum_tol: float) -> None:
    for rec, row in zip(table.records, w, strict=True):
        neg = [c for c, v in zip(cols, row, strict=True) if v < 0]
        if neg:
            raise MixphaseInputError(f"{table.source}: {rec.where}: negative weight for {neg[0]!r}")
        s = float(row.sum())
        if abs(s - 1) > sum_tol:
            hint = " (percentages? weights are fractions)" if abs(s - 100) < 100 * sum_tol else ""
            raise MixphaseInputError(
                f"{table.source}: {rec.where}: the domain weights sum to {s:.4g}, not 1 "
                f"(columns {', '.join(cols)}; tolerance {sum_tol:g}){hint}"
            )
