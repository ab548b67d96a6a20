"""Runs to calibrate on, from rows (list of dicts): per-run configuration, checked once.

A calibration row is one trained model: its size, mixing ratio and accuracy (or counts), and —
when known — its knowledge set (``facts``, ``bits_per_fact``, ``tokens_per_fact``), training
length (``training_tokens``), ``seed`` and the bits per parameter it stored. A missing
configuration column means "the target's" (the CLI's ``--facts`` etc.), and the summary says so.
``mixphase validate`` results map onto these names (``n_people``, ``bits_per_bio``,
``data.doc_len``, ``tokens``). Every bad input raises :class:`MixphaseInputError` with one line.

Independent trials: people (facts), not answers — a person's five attributes are learned
together. A row's trials are its facts when it gives them, else its ``total`` count, else
:data:`DEFAULT_TRIALS`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.readers import Record, aliases, table_of
from mixphase.runs import calibration_rows
from mixphase.theory.knapsack import KnowledgeSet

#: Smallest model size accepted: smaller values are taken to be in millions, a unit slip.
MIN_PARAMS = 1000.0
#: Trials assumed for a row with an accuracy and no counts or facts [choice].
DEFAULT_TRIALS = 100.0

# Column names: the one alias table, mixphase.readers.columns.ROLES.
SIZE_KEYS = aliases("model_size")
RATIO_KEYS = aliases("ratio")
ACC_KEYS = aliases("accuracy")
CORRECT_KEYS = aliases("correct")
TOTAL_KEYS = aliases("total")
FACTS_KEYS = aliases("facts")
BITS_KEYS = aliases("bits_per_fact")
TOKENS_KEYS = aliases("tokens_per_fact")
TRAIN_KEYS = aliases("training_tokens")
SEED_KEYS = aliases("seed")
CAPACITY_KEYS = aliases("bits_per_param")
LOSS_KEYS = aliases("web_loss")


@dataclass(frozen=True)
class CalibrationData:
    """One entry per run; NaN where a configuration column was not given."""

    sizes: np.ndarray
    ratios: np.ndarray
    accuracy: np.ndarray
    trials: np.ndarray
    facts: np.ndarray
    bits_per_fact: np.ndarray
    tokens_per_fact: np.ndarray
    training_tokens: np.ndarray
    seeds: np.ndarray
    bits_per_param: np.ndarray
    assumed: tuple[str, ...] = ()  # configuration columns taken from the target

    @property
    def n(self) -> int:
        return int(self.sizes.size)

    def subset(self, mask) -> CalibrationData:
        m = np.asarray(mask)
        return replace(self, **{f.name: getattr(self, f.name)[m] for f in fields(self)
                                if isinstance(getattr(self, f.name), np.ndarray)})  # fmt: skip

    def knowledge(self) -> KnowledgeSet:
        """The runs' knowledge sets as one :class:`KnowledgeSet` of ``(1, R)`` arrays."""
        return KnowledgeSet(self.facts[None, :], self.bits_per_fact[None, :],
                            self.tokens_per_fact[None, :])  # fmt: skip

    def filled(self, target: KnowledgeSet, training_tokens: float | None) -> CalibrationData:
        """Missing configuration from the target (``training_tokens=None``: fully trained)."""
        t = np.inf if training_tokens is None else float(training_tokens)
        out = {}
        for name, value in (("facts", target.n_facts), ("bits_per_fact", target.bits_per_fact),
                            ("tokens_per_fact", target.tokens_per_fact), ("training_tokens", t)):  # fmt: skip
            col = getattr(self, name)
            out[name] = np.where(np.isnan(col), float(value), col)
        return replace(self, **out)

    def exposures(self) -> np.ndarray:
        return self.ratios * self.training_tokens / (self.facts * self.tokens_per_fact)

    def to_dict(self) -> dict:
        e = self.exposures()
        return {"points": self.n, "sizes": sorted({float(s) for s in self.sizes}),
                "ratio_range": [float(self.ratios.min()), float(self.ratios.max())],
                "training_tokens": sorted({float(t) for t in self.training_tokens
                                           if np.isfinite(t)}),
                "exposure_range": [float(np.min(e)), float(np.max(e))] if np.all(np.isfinite(e))
                else None, "assumed_from_target": list(self.assumed)}  # fmt: skip


# -- rows -----------------------------------------------------------------------------------------
def flatten(row: dict) -> Record:
    """Nested objects (``config``, ``data``, ...) flattened: inner keys also under their own name
    (outer keys win; a ``web`` object's keys describe the web, not the knowledge set: left out).
    The row keeps its place in the file (``where``) for error messages."""
    out = {k: v for k, v in row.items() if not isinstance(v, dict)}
    for k, v in row.items():
        if isinstance(v, dict) and k != "web":
            for kk, vv in flatten(v).items():
                out.setdefault(kk, vv)
    return Record(out, getattr(row, "where", ""))


def _value_share(row: dict) -> float:
    """Value tokens per web token of a ``validate`` run (1 for other rows)."""
    data = row.get("data") if isinstance(row.get("data"), dict) else {}
    web = data.get("web") if isinstance(data.get("web"), dict) else {}
    if all(k in web for k in ("facts_per_doc", "value_len")) and "doc_len" in data:
        return web["facts_per_doc"] * web["value_len"] / data["doc_len"]
    return 1.0


def _num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _column(rows, keys, source, required=True):
    """The first of ``keys`` the rows have, as floats; a missing or non-numeric cell is a one-line
    error naming its line (:class:`mixphase.readers.Table`)."""
    table = table_of(rows, source)
    key = table.find_any(keys, required=required)
    return None if key is None else table.numbers(key, blank="error")


def sizes_column(rows, source) -> np.ndarray:
    sizes = _column(rows, SIZE_KEYS, source)
    if np.any(sizes <= 0):
        raise MixphaseInputError(f"{source}: model sizes must be positive")
    if np.any(sizes < MIN_PARAMS):
        raise MixphaseInputError(
            f"{source}: model size {sizes.min():g} is below {MIN_PARAMS:g} parameters: sizes are "
            "counted in parameters (in millions? write 70e6, not 70)"
        )
    return sizes


def _optional_positive(rows, keys, source, n):
    col = _column(rows, keys, source, required=False)
    if col is None:
        return np.full(n, np.nan), True
    if np.any(col <= 0):
        raise MixphaseInputError(f"{source}: column {keys[0]!r} must be positive")
    return col, False


def calibration_data(rows: list[dict], source: str = "calibration runs",
                     calibrating: bool = True) -> CalibrationData:  # fmt: skip
    """Checked :class:`CalibrationData` from rows (see the module docstring); ``calibrating``
    asks for two or more ratios (runs only to be predicted need not)."""
    rows = [flatten(r) for r in calibration_rows(rows)]
    if not rows:
        raise MixphaseInputError(f"{source} holds no runs at a positive ratio")
    sizes = sizes_column(rows, source)
    ratios = _column(rows, RATIO_KEYS, source)
    if np.any(ratios <= 0) or np.any(ratios >= 1):
        raise MixphaseInputError(
            f"{source}: ratios must lie strictly between 0 and 1 (a fraction, not a percentage)"
        )
    correct = _column(rows, CORRECT_KEYS, source, required=False)
    total = _column(rows, TOTAL_KEYS, source, required=False)
    counts = correct is not None and total is not None
    acc = None if counts else _column(rows, ACC_KEYS, source)
    if counts:
        if np.any(total <= 0) or np.any(correct < 0) or np.any(correct > total):
            raise MixphaseInputError(f"{source}: need 0 <= correct <= total and total > 0")
        acc = correct / total
    elif np.any(acc < 0) or np.any(acc > 1):
        raise MixphaseInputError(
            f"{source}: accuracy must lie in [0, 1] (a fraction, not a percentage)"
        )
    n = sizes.size
    if calibrating and (n < 2 or np.unique(ratios).size < 2):
        raise MixphaseInputError(
            f"{source}: need runs at two or more ratios to calibrate, got {n} run(s) at "
            f"{np.unique(ratios).size} ratio(s) (one measured critical ratio: --critical-ratio)"
        )
    cfg, assumed = {}, []
    for name, keys in (("facts", FACTS_KEYS), ("bits_per_fact", BITS_KEYS),
                       ("tokens_per_fact", TOKENS_KEYS), ("training_tokens", TRAIN_KEYS)):  # fmt: skip
        cfg[name], missing = _optional_positive(rows, keys, source, n)
        if missing:
            assumed.append(name)
    seeds = _column(rows, SEED_KEYS, source, required=False)
    cap = _column(rows, CAPACITY_KEYS, source, required=False)
    trials = np.where(np.isnan(cfg["facts"]), total if counts else DEFAULT_TRIALS, cfg["facts"])
    return CalibrationData(
        sizes, ratios, acc, trials.astype(float), seeds=np.full(n, np.nan) if seeds is None else seeds,
        bits_per_param=np.full(n, np.nan) if cap is None else cap, assumed=tuple(assumed), **cfg,
    )  # fmt: skip


def web_runs_by_length(rows: list[dict], source: str = "web runs"):
    """``(sizes, web_loss, training_tokens)`` of web-only runs, the loss per token of web text.

    ``training_tokens`` is NaN where the rows do not say (one unknown length). ``validate``
    results: the runs at ratio 0 on the most common web; their loss is measured on value tokens
    only, so it is scaled by the value tokens' share of the web's tokens (``facts_per_doc *
    value_len / doc_len``) to be per token, as the knapsack model needs. The reference length
    (:func:`reference_length`) needs runs at two or more model sizes.
    """
    if all("key" in r and "steps" in r for r in rows):
        rows = [r for r in rows if _num(r.get("ratio")) == 0.0] or rows
    flat = [flatten(r) for r in rows]
    sizes = sizes_column(flat, source)
    loss = _column(flat, LOSS_KEYS, source)
    if np.any(loss <= 0):
        raise MixphaseInputError(f"{source}: web losses must be positive")
    loss = loss * np.array([_value_share(r) for r in rows])
    tokens, _ = _optional_positive(flat, TRAIN_KEYS, source, sizes.size)
    if np.unique(sizes[at_reference(tokens)]).size < 2:
        raise MixphaseInputError(f"{source}: need web runs at two or more model sizes"
                                 + (" at one training length" if np.unique(tokens).size > 1 else ""))  # fmt: skip
    return sizes, loss, tokens


def at_reference(tokens: np.ndarray) -> np.ndarray:
    """Which web runs the web law is fitted to: those at the reference length (all of them when
    no run gives its length)."""
    t = np.asarray(tokens, dtype=float)
    return t == reference_length(t) if np.any(np.isfinite(t)) else np.ones(t.size, bool)


def reference_length(tokens: np.ndarray) -> float:
    """The web law's training length: the most common one among the web runs (the longest of
    equally common ones; NaN when no run gives its length)."""
    t = np.asarray(tokens, dtype=float)
    t = t[np.isfinite(t)]
    if not t.size:
        return float("nan")
    u, c = np.unique(t, return_counts=True)
    return float(u[c == c.max()].max())


__all__ = [
    "DEFAULT_TRIALS",
    "CalibrationData",
    "at_reference",
    "calibration_data",
    "flatten",
    "reference_length",
    "sizes_column",
    "web_runs_by_length",
]  # fmt: skip
