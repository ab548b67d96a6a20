"""The papers' figures, one module per figure, each runnable alone or all through
``mixphase figures [--out DIR] [--quick] [--only N ...]``.

=====  ========================================  ===========================================
 N     module                                    needs
=====  ========================================  ===========================================
 1     ``fig1_memorisation_vs_ratio``            theory (+ optional validate results)
 2     ``fig2_memorisation_vs_size``             theory (+ optional validate results)
 3     ``fig3_critical_ratio_power_law``         theory, fit (least squares without it)
 4     ``fig4_threshold_popularity``             theory, fit (least squares without it)
 5     ``fig5_three_phase_mixtures``             theory, simulate, fit
 6     ``fig6_data_valuation``                   value
=====  ========================================  ===========================================

Each module has ``make(out, quick=False, seed=0, validate_results=None) -> FigureResult`` and
writes ``<name>.png``, ``<name>.pdf`` and ``<name>.csv`` (the data drawn) under ``out``. A figure
whose layer is missing is *skipped* with a message, never a failure of the others.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from pathlib import Path

from mixphase.paper_figures._common import FigureResult, timed

#: number -> module name (under mixphase.paper_figures)
FIGURES: dict[int, str] = {
    1: "fig1_memorisation_vs_ratio",
    2: "fig2_memorisation_vs_size",
    3: "fig3_critical_ratio_power_law",
    4: "fig4_threshold_popularity",
    5: "fig5_three_phase_mixtures",
    6: "fig6_data_valuation",
}


def figure_module(number: int):
    """The module that draws figure ``number``."""
    return importlib.import_module(f"mixphase.paper_figures.{FIGURES[number]}")


def run_figures(
    out: str | Path = "figures",
    quick: bool = False,
    only: Iterable[int] | None = None,
    seed: int = 0,
    validate_results: str | Path | None = None,
    on_result: Callable[[FigureResult], None] | None = None,
    keep_going: bool = True,
) -> list[FigureResult]:
    """Draw the figures (all, or ``only`` these numbers) into ``out``; one result per figure.

    A figure that needs a missing layer is skipped. With ``keep_going`` an unexpected error in
    one figure is recorded in its result (status ``error``) and the others still run.
    """
    from mixphase.errors import MixphaseInputError

    numbers = sorted(set(only)) if only else sorted(FIGURES)
    bad = [n for n in numbers if n not in FIGURES]
    if bad:
        raise MixphaseInputError(f"no figure {bad[0]}; figures are numbered 1-{max(FIGURES)}")
    results = []
    for n in numbers:
        module = figure_module(n)
        kwargs = {"out": Path(out), "quick": quick, "seed": seed,
                  "validate_results": validate_results}  # fmt: skip
        try:
            result = timed(module.make, **kwargs)
        except MixphaseInputError:
            raise
        except Exception as exc:
            if not keep_going:
                raise
            result = FigureResult(n, module.NAME, module.TITLE,
                                  error=f"{type(exc).__name__}: {exc}")  # fmt: skip
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


__all__ = ["FIGURES", "FigureResult", "figure_module", "run_figures"]
