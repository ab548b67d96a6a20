"""Weights & Biases chart exports: wide tables melted to one row per (step, run).

A W&B panel's "Export CSV" writes one x column (``Step``) and, per run and metric, three columns:
``"<run> - <metric>"``, ``"<run> - <metric>__MIN"`` and ``"<run> - <metric>__MAX"`` (the min/max
of a sampled bucket), with blank cells where a run logged nothing at that step. :func:`melt`
turns it into records ``{"Step": ..., "run": "<run>", "<metric>": value}``: the ``__MIN``/
``__MAX`` columns are ignored, a run with only blank cells on a line gives no record, and every
record keeps its source line. A runs-history CSV (one column naming the run) needs no melting: it
is an ordinary table whose run column (:data:`~mixphase.readers.columns.ROLES` ``"curve"``)
names the curves.
"""

from __future__ import annotations

from mixphase.readers.table import Record, Table, is_blank

SEP = " - "
BUCKET = ("__MIN", "__MAX")
RUN = "run"


def wide_columns(columns: list[str], metric: str | None) -> dict[str, tuple[str, str]] | None:
    """``{column: (run, metric)}`` when ``columns`` are a W&B wide export, else ``None``.

    It is one when ``metric`` is not itself a column and some column ends in ``" - <metric>"``,
    or when bucket columns (``__MIN``/``__MAX``) are present. Run names may contain ``" - "``:
    with ``metric`` given a column is split before ``" - <metric>"``, others at the last ``" - "``.
    """
    if metric is not None and metric in columns:
        return None
    suffix = None if metric is None else SEP + metric
    parsed = {}
    for c in columns:
        if c.endswith(BUCKET):
            continue
        if suffix is not None and c.endswith(suffix) and len(c) > len(suffix):
            parsed[c] = (c[: -len(suffix)], metric)
        elif SEP in c:
            run, m = c.rsplit(SEP, 1)
            parsed[c] = (run, m)
    by_metric = suffix is not None and any(m == metric for _, m in parsed.values())
    if parsed and (by_metric or any(c.endswith(BUCKET) for c in columns)):
        return parsed
    return None


def melt(table: Table, parsed: dict[str, tuple[str, str]]) -> Table:
    """One record per (source line, run) with that run's metrics and the shared columns."""
    shared = [c for c in table.columns if c not in parsed and not c.endswith(BUCKET)]
    runs = list(dict.fromkeys(run for run, _ in parsed.values()))
    records = []
    for rec in table.records:
        base = {c: rec.get(c) for c in shared}
        for run in runs:
            values = {m: rec.get(c) for c, (r, m) in parsed.items() if r == run}
            if all(is_blank(v) for v in values.values()):
                continue
            records.append(Record({**base, RUN: run, **values}, rec.where))
    out = Table(table.source, records, kind="wandb", run_column=RUN, noun="metric",
                decimal_comma=table.decimal_comma, hidden=(RUN,), plain=tuple(shared))  # fmt: skip
    metrics = list(dict.fromkeys(m for _, m in parsed.values()))
    out._columns = [*shared, RUN, *metrics]
    return out
