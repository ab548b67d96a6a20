"""Prediction records: a table of the model's numbers (each a number or an interval) with the
assumptions they rest on, readable (``__str__``) and as JSON (``to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixphase.tables import table_lines
from mixphase.theory.web_law import WebLaw

#: Pythia model sizes (parameters): the range of the paper's experiments.
DEFAULT_MODEL_SIZES: tuple[float, ...] = (
    14e6,
    31e6,
    70e6,
    160e6,
    410e6,
    1.0e9,
    1.4e9,
    2.8e9,
    6.9e9,
)


def _plain(v):
    a = np.asarray(v, dtype=float)
    return float(a) if a.size == 1 else {"median": float(np.median(a))}


def assumptions(model) -> dict:
    """The configuration a prediction rests on (printed with every table)."""
    k = model.knowledge
    out = {
        "web_law": model.web.to_dict(),
        "bits_per_param": _plain(model.bits_per_param),
        "facts": _plain(k.n_facts),
        "bits_per_fact": _plain(k.bits_per_fact),
        "tokens_per_fact": _plain(k.tokens_per_fact),
        "knowledge_bits": _plain(k.total_bits),
        "knowledge_tokens": _plain(k.tokens),
        "training_tokens": None if model.training_tokens is None else _plain(model.training_tokens),
    }
    if isinstance(model.web, WebLaw) and np.ndim(model.bits_per_param) == 0:
        e, a, alpha = model.web_bits
        out["web_law_bits"] = {"E": e, "A": a, "alpha": alpha}
    return out


def assumption_lines(model, web=None) -> list[str]:
    """Readable lines: the web law (or the web choice's lines), knowledge set, training length."""
    k = model.knowledge
    lines = web.lines() if web is not None else [f"  web law   {model.web.describe()}"]
    lines.append(f"  knowledge {float(k.n_facts):,.0f} facts x {float(k.bits_per_fact):.1f} bits, "
                 f"{float(k.tokens_per_fact):g} tokens/fact ({float(k.total_bits):.3g} bits, "
                 f"{float(k.tokens):.3g} tokens per pass)")  # fmt: skip
    t = model.training_tokens
    lines.append("  training  " + ("fully trained (no --training-tokens): exposures not modelled"
                                   if t is None else f"{float(t):.3g} tokens"))  # fmt: skip
    return lines


@dataclass(frozen=True)
class PredictionTable:
    """A titled table: ``rows`` (dicts of numbers / estimates) shown through ``columns``."""

    title: str
    header: list[str]
    rows: list[dict]
    columns: list[tuple] = field(repr=False)
    footer: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # more JSON fields (assumptions, calibration, ...)

    def to_dict(self) -> dict:
        return {"predictions": self.rows, **self.extra}

    def __str__(self) -> str:
        lines = [self.title, *self.header, ""]
        lines += table_lines(self.rows, self.columns)
        if self.footer:
            lines += ["", *self.footer]
        return "\n".join(lines)


def format_size(n: float) -> str:
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.3g}"


__all__ = ["DEFAULT_MODEL_SIZES", "PredictionTable", "assumption_lines", "assumptions",
           "format_size"]  # fmt: skip
