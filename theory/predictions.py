"""Prediction records: a table of the model's numbers (each a number or an interval) with the
assumptions they rest on, readable (``__str__``) and as JSON (``to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixphase.tables import table_lines
from mixphase.theory.knapsack import KnapsackModel
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


@dataclass(frozen=True)
class ThresholdFrequencyTable:
    """Predicted threshold frequency (Gu et al. eq. 6) for each model size, per pre-training token
    at the web's capacity ``M - m`` (:meth:`KnapsackModel.threshold_frequency`)."""

    model: KnapsackModel
    ratio: float
    model_sizes: np.ndarray
    frequency: np.ndarray  # f_thres per pre-training token (a fact's f = r*p must exceed it)
    learned_fraction: np.ndarray | None = None  # phi of the homogeneous set (gives m)

    @property
    def per_knowledge_token(self) -> np.ndarray:
        """``f_thres / r``: the same threshold for a fact's frequency within the knowledge set."""
        return self.frequency / self.ratio

    @property
    def relative_to_uniform(self) -> np.ndarray:
        """``f_thres / (r/S1)``: above 1 a fact of average frequency is not stored."""
        return self.frequency / (self.ratio * self.model.knowledge.frequency)

    def to_dict(self) -> dict:
        phi = self.learned_fraction
        phi = np.full(self.model_sizes.shape, np.nan) if phi is None else phi
        rows = [
            {"model_size": float(n), "threshold_frequency": float(f),
             "threshold_frequency_per_knowledge_token": float(fk),
             "relative_to_uniform": float(u), "learned_fraction": float(lf)}
            for n, f, fk, u, lf in zip(self.model_sizes, self.frequency, self.per_knowledge_token,
                                       self.relative_to_uniform, phi, strict=True)
        ]  # fmt: skip
        return {
            "ratio": self.ratio,
            "normalisation": "per pre-training token (a fact's f = r*p), at web capacity M - m",
            "predictions": rows,
            "exponent": -(self.model.alpha + 1),
            "assumptions": assumptions(self.model),
        }

    def __str__(self) -> str:
        lines = [
            f"Threshold frequency at mixing ratio r={self.ratio:g} (Gu et al. 2025, eq. 6; per "
            "pre-training token, at the web's capacity M - m)",
            *assumption_lines(self.model),
            "",
            f"  {'model size':>12}  {'f_thres':>10}  {'f_thres/r':>10}  {'x uniform r/S1':>14}"
            f"  {'learned':>7}",
        ]
        phi = self.learned_fraction
        phi = np.full(self.model_sizes.shape, np.nan) if phi is None else phi
        for n, f, fk, u, lf in zip(self.model_sizes, self.frequency, self.per_knowledge_token,
                                   self.relative_to_uniform, phi, strict=True):  # fmt: skip
            lines.append(f"  {format_size(n):>12}  {f:>10.4g}  {fk:>10.4g}  {u:>14.4g}  {lf:>7.1%}")
        lines.append("")
        lines += [
            "  A fact is learned iff its frequency per pre-training token, f = r*p (p: its share of",
            "  the knowledge set's tokens), exceeds f_thres = (1-r)(-F2'(M - m)), m = knowledge",
            f"  bits stored ('learned' x K*H); at the onset (m = 0) f_thres ∝ N^"
            f"{-(self.model.alpha + 1):.3f}.",
            "  f_thres/r: the same threshold for p.",
        ]
        return "\n".join(lines)


def threshold_frequency_table(
    model: KnapsackModel, model_sizes, ratio: float
) -> ThresholdFrequencyTable:
    n = np.atleast_1d(np.asarray(model_sizes, dtype=float))
    f = np.atleast_1d(model.threshold_frequency(n, ratio))
    phi = np.atleast_1d(model.learned_fraction(n, ratio))
    return ThresholdFrequencyTable(model=model, ratio=float(ratio), model_sizes=n, frequency=f,
                                   learned_fraction=phi)  # fmt: skip


def format_size(n: float) -> str:
    """``1.4B``, ``160M``, ``2T``; sizes beyond 1000T in plain scientific notation."""
    if abs(n) >= 1e15:
        return f"{n:.3g}"
    for unit, scale in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.3g}{unit}"
    return f"{n:.3g}"


__all__ = ["DEFAULT_MODEL_SIZES", "PredictionTable", "ThresholdFrequencyTable", "assumption_lines",
           "assumptions", "format_size", "threshold_frequency_table"]  # fmt: skip
