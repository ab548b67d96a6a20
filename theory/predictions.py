"""Prediction records: the knapsack model's numbers for a list of sizes or ratios, with the
assumptions they rest on, as a readable table (``__str__``) and as JSON (``to_dict``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.theory.knapsack import KnapsackModel

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


def assumptions(model: KnapsackModel) -> dict:
    """The inputs a prediction rests on (printed with every table)."""
    e, a, alpha = model.web_bits
    k = model.knowledge
    return {
        "web_law": {
            "E": model.web.E,
            "A": model.web.A,
            "alpha": alpha,
            "size_unit": model.web.size_unit,
            "loss_unit": model.web.loss_unit,
        },
        "web_law_bits": {"E": e, "A": a, "alpha": alpha},
        "bits_per_param": model.bits_per_param,
        "facts": k.n_facts,
        "bits_per_fact": k.bits_per_fact,
        "tokens_per_fact": k.tokens_per_fact,
        "knowledge_bits": k.total_bits,
        "knowledge_tokens": k.tokens,
    }


def assumption_lines(model: KnapsackModel) -> list[str]:
    w, k = model.web, model.knowledge
    return [
        f"  web law   L(N) = {w.E:g} + {w.A:g} * (N/{w.size_unit:g})^-{w.alpha:g} {w.loss_unit}/token",
        f"  capacity  {model.bits_per_param:g} bits/parameter",
        f"  knowledge {k.n_facts:,.0f} facts x {k.bits_per_fact:.1f} bits, "
        f"{k.tokens_per_fact:g} tokens/fact ({k.total_bits:.3g} bits, {k.tokens:.3g} tokens)",
    ]


@dataclass(frozen=True)
class CriticalRatioTable:
    """Critical mixing ratio (onset and full memorisation) for each model size."""

    model: KnapsackModel
    model_sizes: np.ndarray
    onset: np.ndarray
    full: np.ndarray
    local_exponent: np.ndarray

    def to_dict(self) -> dict:
        rows = [
            {
                "model_size": float(n),
                "critical_ratio": float(r0),
                "critical_ratio_full": None if np.isnan(r1) else float(r1),
                "local_exponent": float(s),
            }
            for n, r0, r1, s in zip(
                self.model_sizes, self.onset, self.full, self.local_exponent, strict=True
            )
        ]
        return {
            "predictions": rows,
            "asymptotic_exponent": -(self.model.alpha + 1),
            "assumptions": assumptions(self.model),
        }

    def __str__(self) -> str:
        lines = [
            "Critical mixing ratio (knapsack model, Gu et al. 2025, Thm 4.3)",
            *assumption_lines(self.model),
            "",
            f"  {'model size':>12}  {'r_crit (onset)':>14}  {'r (all learned)':>15}  "
            f"{'d ln r/d ln N':>13}",
        ]
        for n, r0, r1, s in zip(
            self.model_sizes, self.onset, self.full, self.local_exponent, strict=True
        ):
            full = "never" if np.isnan(r1) else f"{r1:.4g}"
            lines.append(f"  {format_size(n):>12}  {r0:>14.4g}  {full:>15}  {s:>13.3f}")
        lines.append("")
        lines.append(
            f"  r_crit/(1-r_crit) ∝ N^-(alpha+1) = N^{-(self.model.alpha + 1):.3f}; below r_crit "
            "nothing of the knowledge set is memorised."
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class CriticalSizeTable:
    """Critical model size (onset and full memorisation) for each mixing ratio."""

    model: KnapsackModel
    ratios: np.ndarray
    onset: np.ndarray
    full: np.ndarray

    def to_dict(self) -> dict:
        rows = [
            {"ratio": float(r), "critical_size": float(a), "critical_size_full": float(b)}
            for r, a, b in zip(self.ratios, self.onset, self.full, strict=True)
        ]
        return {
            "predictions": rows,
            "size_exponent": -1 / (self.model.alpha + 1),
            "assumptions": assumptions(self.model),
        }

    def __str__(self) -> str:
        lines = [
            "Critical model size (knapsack model, Gu et al. 2025, Thm 4.3)",
            *assumption_lines(self.model),
            "",
            f"  {'ratio':>8}  {'N_crit (onset)':>14}  {'N (all learned)':>15}",
        ]
        for r, a, b in zip(self.ratios, self.onset, self.full, strict=True):
            lines.append(f"  {r:>8.4g}  {format_size(a):>14}  {format_size(b):>15}")
        lines.append("")
        lines.append(
            f"  N_crit ∝ (r/(1-r))^(-1/(alpha+1)) = (r/(1-r))^{-1 / (self.model.alpha + 1):.3f}"
        )
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


def critical_ratio_table(model: KnapsackModel, model_sizes) -> CriticalRatioTable:
    n = np.atleast_1d(np.asarray(model_sizes, dtype=float))
    return CriticalRatioTable(
        model=model,
        model_sizes=n,
        onset=np.atleast_1d(model.critical_ratio(n)),
        full=np.atleast_1d(model.critical_ratio(n, fraction=1.0)),
        local_exponent=np.atleast_1d(model.ratio_exponent(n)),
    )


def critical_size_table(model: KnapsackModel, ratios) -> CriticalSizeTable:
    r = np.atleast_1d(np.asarray(ratios, dtype=float))
    return CriticalSizeTable(
        model=model,
        ratios=r,
        onset=np.atleast_1d(model.critical_size(r)),
        full=np.atleast_1d(model.critical_size(r, fraction=1.0)),
    )


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
