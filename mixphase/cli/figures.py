"""``mixphase figures``: draw the papers' figures (PNG, PDF and the data as CSV)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from mixphase.cli._common import json_option, seed_option


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("figures"),
    show_default=True,
    help="Folder for <figure>.png, .pdf and .csv.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="Small simulations and fits: all figures in under 5 minutes on a 2-core CPU.",
)
@click.option(
    "--only",
    type=click.IntRange(1, 6),
    multiple=True,
    help="Draw only figure N (1-6; repeatable). Default: all.",
)
@click.option(
    "--validate-results",
    type=click.Path(exists=True, path_type=Path),
    help="results.jsonl (or its folder) of a `mixphase validate` sweep: figures 1-3 add the "
    "measured memorisation and critical ratios.",
)
@seed_option
@json_option
def figures(out, quick, only, validate_results, seed, as_json) -> None:
    """Reproduce the papers' figures.

    \b
    1  memorisation vs mixing ratio (several model sizes)
    2  memorisation vs model size (several ratios)
    3  critical ratio vs model size: fitted power law and predicted exponent
    4  threshold popularity vs model size (heterogeneous facts, Algorithm 1)
    5  three-phase error curves of real-synthetic mixtures, predicted and fitted breakpoints
    6  data valuation: correlation with the ground truth and wall time per method

    A figure whose layer is not installed is skipped with a message. Exit code 1 if a figure
    failed.
    """
    from mixphase import progress
    from mixphase.io import new_folder_guard, prepare_folder
    from mixphase.paper_figures import FIGURES, run_figures
    from mixphase.records import dumps

    t0 = time.perf_counter()
    n_figures = len(set(only)) if only else len(FIGURES)
    with new_folder_guard(out):
        prepare_folder(out, "--out")  # an unwritable folder: exit 2 before any figure is drawn
        with progress.bar(total=n_figures, desc="figures", unit="figure", quiet=as_json) as bar:

            def show(result) -> None:
                if not as_json:
                    bar.write(str(result), file=sys.stdout)
                bar.update(1)

            results = run_figures(out, quick=quick, only=only or None, seed=seed,
                                  validate_results=validate_results, on_result=show)  # fmt: skip
    total = time.perf_counter() - t0
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "error")}
    if as_json:
        click.echo(dumps({"out": str(out), "quick": quick, "seconds": total,
                          "figures": [r.to_dict() for r in results]}))  # fmt: skip
    else:
        click.echo(f"{counts['ok']} drawn, {counts['skipped']} skipped, {counts['error']} failed "
                   f"in {total:.1f} s; files in {out}/")  # fmt: skip
    if counts["error"]:
        sys.exit(1)
