"""The tables of ``mixphase predict`` and the band of figure 3, from model draws.

Each table is computed per draw of the model (:class:`~mixphase.advise.calibration.Calibration`:
the priors when uncalibrated) and reported as ``{median, lower, upper}``.

- :func:`critical_ratio_table`: per size, the knapsack onset (the paper's ``r_thres``), the ratio
  at 50% expected accuracy (what a sweep's fitted transition measures), the ratio where the whole
  set is learned, and the local slope ``d ln r_onset / d ln N``;
- :func:`critical_size_table`: per ratio, the smallest model that learns anything / everything;
- :func:`threshold_frequency_table`: the threshold frequency (Gu et al. eq. 6) per size;
- :func:`critical_ratio_band`: the predicted critical ratio with its band, for plots.
"""

from __future__ import annotations

import numpy as np

from mixphase.advise.calibration import Calibration, extrapolation_warnings
from mixphase.theory.predictions import (
    PredictionTable,
    assumption_lines,
    assumptions,
    format_size,
)


def _frame(cal: Calibration, sizes=None) -> tuple[list[str], dict, list[str]]:
    base = cal.draws.base
    head = [*assumption_lines(base, web=cal.web), *cal.lines()]
    extra = {"assumptions": assumptions(base), "calibration": cal.to_dict()}
    warn = [] if sizes is None else extrapolation_warnings(cal, sizes)
    return head, extra, [f"  warning: {w}" for w in warn]


def critical_ratio_band(cal: Calibration, sizes, accuracy: float | None = 0.5,
                        predictive: bool = False) -> dict[str, np.ndarray]:  # fmt: skip
    """``{"size", "median", "lower", "upper"}`` of the critical ratio at each size.

    ``accuracy=0.5``: the ratio where expected accuracy reaches 50% (comparable with a measured
    sweep's transition); ``None``: the knapsack onset. ``predictive=True`` widens the band by a
    new sweep's seed scatter (for comparing with measured points).
    """
    n = np.atleast_1d(np.asarray(sizes, dtype=float))
    d = cal.draws
    v = d.critical_ratio(n) if accuracy is None else d.ratio_at_accuracy(n, accuracy, predictive)
    est = d.columns(v)
    return {"size": n, "median": np.array([e.median for e in est]),
            "lower": np.array([e.lower for e in est]),
            "upper": np.array([e.upper for e in est]), "level": d.level}  # fmt: skip


def _local_slope(d, n: np.ndarray) -> np.ndarray:
    h = 1e-3
    up = d.critical_ratio(n * np.exp(h))
    dn = d.critical_ratio(n * np.exp(-h))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.log(up) - np.log(dn)) / (2 * h)


def _size_rows(sizes: np.ndarray, cols: dict[str, list]) -> list[dict]:
    """One row per model size: its size and the ``i``-th estimate of every column."""
    return [{"model_size": float(s), **{k: v[i] for k, v in cols.items()}}
            for i, s in enumerate(sizes)]  # fmt: skip


def critical_ratio_table(cal: Calibration, sizes) -> PredictionTable:
    n = np.atleast_1d(np.asarray(sizes, dtype=float))
    d = cal.draws
    cols = {
        "critical_ratio": d.columns(d.critical_ratio(n)),
        "critical_ratio_50": d.columns(d.ratio_at_accuracy(n, 0.5)),
        "critical_ratio_full": d.columns(d.critical_ratio(n, 1.0)),
        "local_exponent": d.columns(_local_slope(d, n)),
    }
    rows = _size_rows(n, cols)
    head, extra, warn = _frame(cal, n)
    columns = [("model size", lambda r: format_size(r["model_size"])),
               ("r_crit (onset)", lambda r: r["critical_ratio"]),
               ("r at 50% accuracy", lambda r: r["critical_ratio_50"]),
               ("r (all learned)", lambda r: r["critical_ratio_full"]),
               ("d ln r/d ln N", lambda r: r["local_exponent"])]  # fmt: skip
    foot = ["  Below the onset nothing of the knowledge set is memorised (knapsack model); the 50%"
            " point adds the measured ramp (accuracy model).", *warn]  # fmt: skip
    return PredictionTable("Critical mixing ratio (knapsack model, Gu et al. 2025, Thm 4.3)",
                           head, rows, columns, foot, extra)  # fmt: skip


def critical_size_table(cal: Calibration, ratios) -> PredictionTable:
    r = np.atleast_1d(np.asarray(ratios, dtype=float))
    d = cal.draws
    onset = d.columns(d.critical_size(r))
    full = d.columns(d.critical_size(r, 1.0))
    rows = [{"ratio": float(x), "critical_size": a, "critical_size_full": b}
            for x, a, b in zip(r, onset, full, strict=True)]  # fmt: skip
    head, extra, _ = _frame(cal)
    columns = [("ratio", lambda row: f"{row['ratio']:.4g}"),
               ("N_crit (onset)", lambda row: row["critical_size"]),
               ("N (all learned)", lambda row: row["critical_size_full"])]  # fmt: skip
    return PredictionTable("Critical model size (knapsack model, Gu et al. 2025, Thm 4.3)",
                           head, rows, columns, [], extra)  # fmt: skip


def threshold_frequency_table(cal: Calibration, sizes, ratio: float) -> PredictionTable:
    """Threshold frequency per pre-training token at the web's capacity ``M - m``
    (:meth:`KnapsackModel.threshold_frequency`, Gu et al. eq. 6), with the same threshold per
    knowledge-set token (``/r``), relative to a fact of average frequency (``/(r/S1)``), and the
    learned fraction that sets ``m``."""
    n = np.atleast_1d(np.asarray(sizes, dtype=float))
    d = cal.draws
    m = d.model
    f = np.asarray(m.threshold_frequency(n[None, :], ratio))
    uniform = ratio * float(d.base.knowledge.frequency)
    cols = {"threshold_frequency": d.columns(f),
            "threshold_frequency_per_knowledge_token": d.columns(f / ratio),
            "relative_to_uniform": d.columns(f / uniform),
            "learned_fraction": d.columns(m.learned_fraction(n[None, :], ratio))}  # fmt: skip
    rows = _size_rows(n, cols)
    head, extra, warn = _frame(cal, n)
    columns = [("model size", lambda r: format_size(r["model_size"])),
               ("f_thres", lambda r: r["threshold_frequency"]),
               ("f_thres/r", lambda r: r["threshold_frequency_per_knowledge_token"]),
               ("x uniform r/S1", lambda r: r["relative_to_uniform"]),
               ("learned", lambda r: r["learned_fraction"])]  # fmt: skip
    foot = ["  A fact is learned iff its frequency per pre-training token, f = r*p (p: its share of",
            "  the knowledge set's tokens), exceeds f_thres = (1-r)(-F2'(M - m)), m = knowledge",
            "  bits stored ('learned' x K*H); f_thres/r: the same threshold for p.", *warn]  # fmt: skip
    extra = {"ratio": ratio, "normalisation": "per pre-training token (a fact's f = r*p), at web "
             "capacity M - m", **extra}  # fmt: skip
    return PredictionTable(f"Threshold frequency at mixing ratio r={ratio:g} (Gu et al. 2025, "
                           "eq. 6; per pre-training token, at the web's capacity M - m)", head,
                           rows, columns, foot, extra)  # fmt: skip


__all__ = ["critical_ratio_band", "critical_ratio_table", "critical_size_table",
           "threshold_frequency_table"]  # fmt: skip
