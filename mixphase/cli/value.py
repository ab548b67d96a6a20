"""``mixphase value``: data valuation of contributors (score your data, or benchmark methods)."""

from __future__ import annotations

import sys
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
    want_json,
)
from mixphase.errors import MixphaseInputError

TASK_CHOICES = ["longtail", "smallshards", "classes", "classes_balanced", "digits", "text", "all"]


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
    default=0,
    show_default=True,
    help="Contributors to retrain to refit the term weights (0: the memoriser's value, no "
    "retraining; else at least 3, and the data need >= 6 contributors).",
)
@click.option(
    "--bound-terms",
    is_flag=True,
    help="Also report the bound's empirical, MMD, NTK and finite-sample terms (slower).",
)
@click.option(
    "--marginal",
    is_flag=True,
    help="Also report each contributor's marginal value (the memoriser's leave-one-out).",
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
def score(data: Path, test: Path, anchors: int, bound_terms: bool, marginal: bool, delta: float,
          seed: int, as_json: bool) -> None:  # fmt: skip
    """Value per contributor with its term breakdown.

    DATA: .npz (x, y, contributor, is_synthetic [, item]) or .csv/.parquet (label, contributor,
    is_synthetic [, item] + numeric feature columns). The test file has the same features and
    labels (and item, if DATA has one).
    """
    from mixphase.value.data import load_data
    from mixphase.value.score import value_contributors

    if anchors < 0 or anchors in (1, 2):
        raise MixphaseInputError(f"--anchors must be 0 or at least 3, got {anchors}")
    if not 0 < delta < 1:
        raise MixphaseInputError(f"--delta must lie in (0, 1), got {delta}")
    _one_thread()
    result = value_contributors(load_data(data, test), n_anchors=anchors, delta=delta, seed=seed,
                                bound_terms=bound_terms, marginal=marginal)  # fmt: skip
    emit(result, as_json)


@value.command("benchmark")
@click.option(
    "--task",
    type=click.Choice(TASK_CHOICES),
    required=True,
    help="Built-in task (all: every one).",
)
@click.option(
    "--seeds",
    type=str,
    default=None,
    help="Comma-separated task seeds (default: --seed alone). The report gives mean ± sd.",
)
@click.option(
    "--quick",
    is_flag=True,
    help="CI-sized: stand-alone target on one truth seed; no marginal target, no retraining "
    "baselines (LOO, TracIn), no removal curves.",
)
@click.option(
    "--anchors",
    type=Count(3, 1000),
    default=5,
    show_default=True,
    help="Anchor contributors retrained by mixphase_anchors (excluded from scoring).",
)
@click.option(
    "--plot",
    type=OutputFile(figure=True),
    help="Write a bar chart (held-out Spearman per target and wall time per method) to a PNG.",
)
@seed_option
@json_option
def benchmark(task: str, seeds: str | None, quick: bool, anchors: int, plot: Path | None,
              seed: int, as_json: bool) -> None:  # fmt: skip
    """Every method against the retrained stand-alone and marginal values, on held-out
    contributors, with its wall time next to the truth's."""
    from mixphase.value.suite import run_suite
    from mixphase.value.tasks import TASKS

    if anchors < 3:
        raise MixphaseInputError(f"--anchors must be at least 3, got {anchors}")
    seed_list = [seed]
    if seeds is not None:
        try:
            seed_list = [int(s) for s in seeds.split(",") if s.strip()]
        except ValueError:
            raise MixphaseInputError(
                f"--seeds must be integers separated by commas, got {seeds!r}"
            ) from None
        if not seed_list or min(seed_list) < 0:
            raise MixphaseInputError(f"--seeds needs non-negative integers, got {seeds!r}")
    tasks = list(TASKS) if task == "all" else [task]
    from mixphase.io import output_set

    _one_thread()
    tick = None
    if not want_json(as_json) and sys.stderr.isatty():

        def tick(label: str) -> None:
            click.echo(f"mixphase: value benchmark: {label}", err=True)

    with output_set((plot, "--plot")):
        suite = run_suite(tasks, seed_list, quick=quick, n_anchors=anchors, tick=tick)
        if plot is not None:
            from mixphase.value.plot import plot_suite

            plot_suite(suite, plot)
    if want_json(as_json):
        emit(suite.runs[0] if len(suite.runs) == 1 else suite, True)
    else:
        click.echo(str(suite.runs[0]) if len(suite.runs) == 1 else suite.report())
