"""What every figure module shares: its result record, the skip signal, the stand-alone entry
point (``python -m mixphase.paper_figures.figN_... --out DIR [--quick]``) and the reader of
``mixphase validate`` results."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mixphase.errors import MixphaseInputError


class FigureSkipped(Exception):
    """A figure cannot be drawn here (a layer it needs is missing); the message says which."""


@dataclass
class FigureResult:
    """What one figure wrote, the numbers worth quoting, and how long it took."""

    number: int
    name: str
    title: str
    files: list[Path] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    seconds: float = 0.0
    skipped: str | None = None
    error: str | None = None

    @property
    def status(self) -> str:
        return "error" if self.error else ("skipped" if self.skipped else "ok")

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "files": [str(p) for p in self.files],
            "summary": self.summary,
            "seconds": self.seconds,
            "skipped": self.skipped,
            "error": self.error,
        }

    def __str__(self) -> str:
        head = f"Figure {self.number} ({self.name}): {self.status}, {self.seconds:.1f} s"
        lines = [head, f"  {self.title}"]
        if self.skipped:
            lines.append(f"  {self.skipped}")
        if self.error:
            lines.append(f"  error: {self.error}")
        for k, v in self.summary.items():
            lines.append(f"  {k}: {_short(v)}")
        if self.files:
            lines.append("  wrote " + ", ".join(p.name for p in self.files))
        return "\n".join(lines)


def _short(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    if isinstance(v, dict):
        return ", ".join(f"{k} {_short(x)}" for k, x in v.items())
    return str(v)


def timed(make: Callable[..., FigureResult], **kwargs) -> FigureResult:
    """Run one figure's ``make``; a :class:`FigureSkipped` becomes a skipped result."""
    module = sys.modules[make.__module__]
    t0 = time.perf_counter()
    try:
        result = make(**kwargs)
    except FigureSkipped as exc:
        result = FigureResult(module.NUMBER, module.NAME, module.TITLE, skipped=str(exc))
    result.seconds = time.perf_counter() - t0
    return result


def main(make: Callable[..., FigureResult], argv: list[str] | None = None) -> int:
    """Stand-alone entry point of a figure module."""
    module = sys.modules[make.__module__]
    parser = argparse.ArgumentParser(
        prog=f"python -m {module.__name__}", description=f"Figure {module.NUMBER}: {module.TITLE}"
    )
    parser.add_argument("--out", type=Path, default=Path("figures"), help="output folder")
    parser.add_argument("--quick", action="store_true", help="small, fast version (CPU)")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument(
        "--validate-results",
        type=Path,
        default=None,
        help="results.jsonl of a `mixphase validate` sweep (figures 1-3 add its measurements)",
    )
    args = parser.parse_args(argv)
    try:
        result = timed(
            make,
            out=args.out,
            quick=args.quick,
            seed=args.seed,
            validate_results=args.validate_results,
        )
    except MixphaseInputError as exc:
        print(f"mixphase: error: {exc}", file=sys.stderr)
        return 2
    print(result)
    return 0


# -- validate results -------------------------------------------------------------------------
def load_validate_results(path: Path | None) -> list[dict]:
    """Rows ``{params, ratio, memorization_accuracy}`` of a sweep's ``results.jsonl``.

    Read by :mod:`mixphase.readers` (columns by its one alias table; fields may sit at the top
    level or in nested objects such as ``config``/``result``). Rows without all three numbers
    (failed or unfinished runs), web-only runs (``ratio = 0``) and a sweep's control runs
    (:func:`mixphase.runs.main_sweep_rows`) are left out. ``None`` gives ``[]``.
    """
    if path is None:
        return []
    from mixphase.readers import read_table
    from mixphase.runs import main_sweep_rows

    path = Path(path)
    if path.is_dir():
        path = path / "results.jsonl"
    table = read_table(path)
    table = table.with_records(main_sweep_rows(table.records))  # controls are not extra seeds
    names = ("params", "ratio", "memorization_accuracy")
    cols = [table.find_role(role, required=False)
            for role in ("model_size", "ratio", "accuracy")]  # fmt: skip
    rows = []
    if None not in cols:
        for rec in table.records:
            vals = [table.number(rec, c) for c in cols]
            if all(v == v for v in vals) and vals[0] > 0 and 0 < vals[1] < 1:  # r = 0: web-only
                rows.append(dict(zip(names, vals, strict=True)))
    if not rows:
        raise MixphaseInputError(
            f"{path}: no rows with model size, ratio and memorization_accuracy"
        )
    return rows


def group_mean(rows: list[dict], by: tuple[str, str], value: str) -> dict:
    """``{(a, b): mean value}`` over rows (seeds averaged)."""
    acc: dict = {}
    for row in rows:
        acc.setdefault((row[by[0]], row[by[1]]), []).append(row[value])
    return {k: sum(v) / len(v) for k, v in acc.items()}


def measured_accuracy_panel(ax, measured: list[dict], rows: list[dict], line_key: str,
                            xlabel: str, legend_title: str, label, reverse: bool = False) -> None:  # fmt: skip
    """Mean memorisation accuracy of ``validate`` runs: one line per value of ``line_key``
    (``"params"`` or ``"ratio"``) against the other; appends the points to ``rows`` (CSV)."""
    from mixphase.paper_figures import _style as st

    x_key = "ratio" if line_key == "params" else "params"
    csv_name = {"params": "model_size", "ratio": "ratio"}
    mean = group_mean(measured, (line_key, x_key), "memorization_accuracy")
    for i, v in enumerate(sorted({k[0] for k in mean}, reverse=reverse)):
        xs = sorted(x for (vv, x) in mean if vv == v)
        acc = [mean[(v, x)] for x in xs]
        ax.plot(xs, acc, label=label(v), **st.style(i))
        rows += [{"source": "validate", csv_name[line_key]: v, csv_name[x_key]: x, "memorised": a}
                 for x, a in zip(xs, acc, strict=True)]  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("memorisation accuracy (mean over seeds)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Measured: mixphase validate")
    ax.legend(title=legend_title, loc="upper left")


def fit_power(x, y, predicted: float | None, seed: int = 0) -> dict:
    """Exponent (median, 90% interval) of ``y = A x^e`` and its band on a grid, by
    :func:`mixphase.fit.fit_power_law` (for figures that fit measured or simulated points)."""
    import numpy as np

    from mixphase.fit import fit_power_law

    x, y = np.asarray(x, float), np.asarray(y, float)
    grid = np.geomspace(x.min(), x.max(), 50)
    fit = fit_power_law(x, y, ci=0.9, seed=seed, predicted_exponent=predicted)
    lo, med, hi = fit.band(grid)
    e = fit.exponent
    return {"method": "mixphase.fit.fit_power_law (90% interval)", "exponent": e.median,
            "lower": e.lower, "upper": e.upper, "grid": grid, "line": med, "lo": lo, "hi": hi}  # fmt: skip


def uncalibrated_model():
    """The model ``predict`` and ``advise`` use, uncalibrated: a :class:`KnapsackModel` at its
    point constants (the priors' medians) and the median ramp width of the accuracy model."""
    from mixphase.advise.priors import Priors
    from mixphase.theory import KnapsackModel

    p = Priors()
    model = KnapsackModel(bits_per_param=p.bits_per_param[0], value_scale=p.value_scale[0])
    return model, p.width[0]
