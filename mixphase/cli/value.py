"""``mixphase value``: truncation-aware data valuation (score your data, or benchmark methods)."""

from __future__ import annotations

from pathlib import Path

import click

from mixphase.cli._common import (
    FRACTION,
    Count,
    OutputFile,
    emit,
    group_json_option,
    json_option,
    seed_option,
)
from mixphase.errors import MixphaseInputError


def _one_thread() -> None:
    """Small models: one torch thread is fastest and reproducible (set before any training)."""
    try:
        import torch

        torch.set_num_threads(1)
    except Exception:  # torch missing or already configured: scoring itself needs no torch
        pass


@click.group()
@group_json_option
def value(as_json: bool) -> None:
    """Value each contributor (source, generator setting, shard) of a real+synthetic pool."""


@value.command("score")
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--test",
    "test",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Test set (the target distribution): features + label [+ item].",
)
@click.option(
    "--anchors",
    type=Count(0, 1000),
    default=5,
    show_default=True,
    help="Contributors retrained to fit the term weights (0: the bound's unit weights; "
    "needs >= 6 contributors, else unit weights are used).",
)
@click.option(
    "--delta",
    type=FRACTION,
    default=0.05,
    show_default=True,
    help="Confidence parameter of the finite-sample term.",
)
@seed_option
@json_option
def score(data: Path, test: Path, anchors: int, delta: float, seed: int, as_json: bool) -> None:
    """Value per contributor with its term breakdown.

    DATA: .npz (x, y, contributor, is_synthetic [, item]) or .csv/.parquet (label, contributor,
    is_synthetic [, item] + numeric feature columns).
    """
    from mixphase.value.data import load_data
    from mixphase.value.score import value_contributors

    if anchors < 0:
        raise MixphaseInputError(f"--anchors must be >= 0, got {anchors}")
    if not 0 < delta < 1:
        raise MixphaseInputError(f"--delta must lie in (0, 1), got {delta}")
    _one_thread()
    emit(value_contributors(load_data(data, test), n_anchors=anchors, delta=delta, seed=seed),
         as_json)  # fmt: skip


@value.command("benchmark")
@click.option(
    "--task",
    type=click.Choice(["digits", "longtail", "text"]),
    required=True,
    help="Built-in task.",
)
@click.option(
    "--anchors",
    type=Count(3, 1000),
    default=5,
    show_default=True,
    help="Anchor contributors retrained by mixphase.",
)
@click.option(
    "--plot",
    type=OutputFile(figure=True),
    help="Write a bar chart (correlations and wall time per method) to this PNG.",
)
@seed_option
@json_option
def benchmark(task: str, anchors: int, plot: Path | None, seed: int, as_json: bool) -> None:
    """Correlation with retrained ground truth and wall time of every method."""
    from mixphase.value.benchmark import plot_benchmark, run_benchmark

    if anchors < 3:
        raise MixphaseInputError(f"--anchors must be at least 3, got {anchors}")
    from mixphase.io import output_set

    _one_thread()
    with output_set((plot, "--plot")):
        result = run_benchmark(task, seed=seed, n_anchors=anchors)
        if plot is not None:
            plot_benchmark(result, plot)
    emit(result, as_json)
