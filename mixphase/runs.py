"""Which runs of a results file belong together: run selection over plain run dicts.

A ``results.jsonl`` of ``mixphase validate`` holds the main sweep (sizes x ratios x seeds), its
web-only runs (ratio 0) and every control (longer training, another web, fewer people, frequency
groups...). Everything that reads such a file (``validate``'s claims and reports, ``advise
--calibrate``, the paper figures) selects rows here, so that a control is never averaged in as an
extra seed of the sweep. Pure functions over dicts; no package imports (a base module, below
``validate``, ``advise`` and ``paper_figures``).

**Configuration.** Two runs share a configuration when they differ only in model size, ratio and
replicate seeds. With a run ``key`` (``preset|size|r=..|seed=..|data=..|steps=..|...``, written by
:meth:`mixphase.validate.train.RunConfig.key`) the configuration is the key without its size,
``r=`` and replicate fields (:data:`REPLICATE_FIELDS`); every other field (steps, batch, lr, web,
people, groups, schedule, ...) is part of it, including fields that later versions add. Rows
without a key (a user's CSV) all share one configuration, and a file in which some row has no key
passes :func:`main_sweep_rows` unchanged (the user chose its rows).

**Main sweep.** The configuration with the most distinct (size, ratio > 0) points; its positive
ratios are :func:`main_sweep_rows`, its ratio-0 runs :func:`web_only_rows`. Extra seeds and extra
ratios of the same configuration (e.g. a control's base run at a second seed, or the run at 3x the
ratio) belong to the sweep: they are the same experiment.

**Calibration runs.** ``advise --calibrate`` models each run's own configuration (length, seeds,
people), so :func:`calibration_rows` keeps other lengths, seeds and subsampled knowledge sets and
leaves out only what its model does not describe: web-only runs, popularity groups and other webs.
"""

from __future__ import annotations

import json

#: Key fields that name a replicate (training seed, data seed, init seed), not a configuration.
REPLICATE_FIELDS = ("seed", "data", "init")
#: Key field of the mixing ratio.
RATIO_FIELD = "r"


def _fields(key: str) -> tuple[str, str, dict[str, str]]:
    """``(preset, size, {name: value})`` of a run key."""
    parts = key.split("|")
    named: dict[str, str] = {}
    for p in parts[2:]:
        name, _, value = p.partition("=")
        named[name] = value
    return parts[0], parts[1] if len(parts) > 1 else "", named


#: Row fields that make up a configuration when a key has no ``name=value`` fields.
ROW_FIELDS = ("preset", "steps", "batch_size", "lr", "n_people", "schedule")


def config_fields(row: dict) -> dict[str, str]:
    """The configuration of a run as ``{field: value}`` (preset included, size and seeds not).

    Keys in the ``RunConfig.key`` form give their fields; other keys (hand-made files) give the
    row's own :data:`ROW_FIELDS` and its web description (``data.web``); rows without a key, none.
    """
    if "key" not in row:
        return {}
    key = str(row["key"])
    if "|" in key and "=" in key:
        preset, _, named = _fields(key)
        out = {"preset": preset}
        out.update({k: v for k, v in named.items()
                    if k not in REPLICATE_FIELDS and k != RATIO_FIELD})  # fmt: skip
        return out
    out = {k: json.dumps(row[k], sort_keys=True) for k in ROW_FIELDS if k in row}
    web = (row.get("data") or {}).get("web") if isinstance(row.get("data"), dict) else None
    if web is not None:
        out["web"] = json.dumps(web, sort_keys=True)
    return out


def config_id(row: dict) -> str:
    """A string naming the configuration (equal for runs that differ only in size/ratio/seed)."""
    return "|".join(f"{k}={v}" for k, v in config_fields(row).items())


def replicate_id(row: dict) -> tuple:
    """The replicate of a run: its seeds (training, data, init; missing ones are None)."""
    if "key" in row:
        _, _, named = _fields(str(row["key"]))
        return tuple(named.get(f) for f in REPLICATE_FIELDS)
    return (row.get("seed"), row.get("data_seed"), row.get("init_seed"))


def ratio_of(row: dict) -> float:
    return float(row.get("ratio", 0.0) or 0.0)


def group_by_config(rows: list[dict]) -> dict[str, list[dict]]:
    """``{config_id: rows}`` in the order configurations first appear."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(config_id(r), []).append(r)
    return out


def main_config(rows: list[dict]) -> str | None:
    """The main sweep's configuration: most distinct (size, ratio > 0) points, then most rows."""
    best, score = None, None
    for cid, rs in group_by_config(rows).items():
        pts = {(r.get("size", r.get("params")), ratio_of(r)) for r in rs if ratio_of(r) > 0}
        s = (len(pts), len(rs))
        if pts and (score is None or s > score):
            best, score = cid, s
    return best


def main_sweep_rows(rows: list[dict]) -> list[dict]:
    """The positive-ratio rows of the main sweep's configuration (all its seeds).

    A file in which some row has no ``key`` is not a ``validate`` results file: returned as is.
    """
    if not all("key" in r for r in rows):
        return list(rows)
    cid = main_config(rows)
    return [r for r in rows if ratio_of(r) > 0 and config_id(r) == cid]


def web_only_rows(rows: list[dict], config: str | None = None) -> list[dict]:
    """Ratio-0 rows of ``config`` (default: the main sweep's configuration)."""
    cid = config if config is not None else main_config(rows)
    return [r for r in rows if ratio_of(r) == 0 and config_id(r) == cid]


def calibration_rows(rows: list[dict]) -> list[dict]:
    """The runs ``advise --calibrate`` can use from a ``validate`` results file (a file without
    run keys and steps passes through: the user chose its rows).

    Out: web-only runs (ratio 0), knowledge sets with popularity groups (heterogeneous
    frequencies), and runs on a web other than the most common one (a 10-fact "trivial" web
    frees capacity: it is a control, not the same web). In: other lengths, seeds and subsampled
    knowledge sets — their configuration is per row.
    """
    if not all("key" in r and "steps" in r for r in rows):
        return rows

    def web(r):
        return json.dumps((r.get("data") or {}).get("web"), sort_keys=True)

    rows = [r for r in rows if _number(r.get("ratio")) != 0.0]
    rows = [r for r in rows if not ((r.get("data") or {}).get("bio") or {}).get("n_groups")]
    if not rows:
        return rows
    webs = [web(r) for r in rows]
    main = max(set(webs), key=webs.count)
    return [r for r, w in zip(rows, webs, strict=True) if w == main]


def _number(v) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def differences(row: dict, reference: str) -> dict[str, tuple[str | None, str | None]]:
    """``{field: (value in reference, value in row)}`` for the configuration fields that differ."""
    ref = _parse_config_id(reference)
    own = config_fields(row)
    names = list(ref) + [k for k in own if k not in ref]
    return {k: (ref.get(k), own.get(k)) for k in names if ref.get(k) != own.get(k)}


def _parse_config_id(cid: str) -> dict[str, str]:
    out = {}
    for part in cid.split("|"):
        name, _, value = part.partition("=")
        out[name] = value
    return out


def controls(rows: list[dict]) -> dict[str, list[dict]]:
    """Rows outside the main configuration, grouped by configuration (web-only runs included)."""
    cid = main_config(rows)
    return {c: rs for c, rs in group_by_config(rows).items() if c != cid}


def by_size(rows: list[dict]) -> dict[str, list[dict]]:
    """``{size: rows}`` ordered by parameter count, rows by ratio."""
    out: dict[str, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r.get("params", 0), ratio_of(r))):
        out.setdefault(str(r.get("size", r.get("params"))), []).append(r)
    return out


__all__ = [
    "REPLICATE_FIELDS",
    "by_size",
    "calibration_rows",
    "config_fields",
    "config_id",
    "controls",
    "differences",
    "group_by_config",
    "main_config",
    "main_sweep_rows",
    "replicate_id",
    "web_only_rows",
]
