"""``mixphase simulate``: curves and phase diagrams the theory predicts, with realistic noise.

Each command prints a summary (or ``--json``), and with ``--out FILE`` writes the tidy rows
``x,y[,curve]`` that ``mixphase fit`` reads (``.jsonl`` -> JSON lines, else CSV) plus the ground
truth in ``FILE.truth.json``; ``--plot FIG.png`` draws the result. No science here: the work is in
:mod:`mixphase.simulate`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from mixphase.cli._common import (
    MODEL_SIZE,
    RATIO,
    TOKENS,
    Count,
    Number,
    OutputFile,
    Positive,
    emit,
    group_json_option,
    json_option,
    seed_option,
    want_json,
    warn,
)
from mixphase.cli._options import knapsack_options, mixture_options
from mixphase.errors import MixphaseInputError

GRID_MAX = 1000  # points per axis of a grid (a phase diagram holds GRID_MAX^2 cells at most)
FACTS_MAX = 10_000_000  # facts in a popularity simulation (groups x group size), held in memory


def output_options(func: Callable) -> Callable:
    """``--out``, ``--plot``, ``--progress/--no-progress``, ``--seed`` and ``--json``."""
    opts = [
        click.option("--out", "-o", type=OutputFile(),
                     help="Write rows x,y[,curve] here (.csv or .jsonl) and FILE.truth.json."),
        click.option("--plot", "plot_path", type=OutputFile(figure=True),
                     help="Save a figure (png, pdf, svg)."),
        click.option("--progress/--no-progress", default=None,
                     help="Progress bar on stderr (default: when stderr is a terminal)."),
        seed_option,
        json_option,
    ]  # fmt: skip
    for opt in reversed(opts):
        func = opt(func)
    return func


def _progress(flag: bool | None) -> bool:
    return sys.stderr.isatty() if flag is None else flag


def _outputs(out: Path | None, plot_path: Path | None):
    """The command's files, checked now and written together at the end (or not at all)."""
    from mixphase.io import output_set
    from mixphase.simulate._output import truth_path

    return output_set((out, "--out"), (out and truth_path(out), "--out"), (plot_path, "--plot"))


def _write(result, out: Path | None, plot_path: Path | None, **row_options) -> dict:
    """Write rows + sidecar and the figure (inside :func:`_outputs`); ``{kind: path}``."""
    from mixphase.simulate import write_simulation

    files = {}
    if out is not None:
        rows, truth = write_simulation(out, result, **row_options)
        files.update(rows=str(rows), truth=str(truth))
    if plot_path is not None:
        result.plot(path=plot_path)
        files["plot"] = str(plot_path)
    return files


def _print(result, files: dict, as_json: bool) -> None:
    """The summary and the files written (or one JSON object)."""
    if want_json(as_json):
        emit({**result.to_dict(), "files": files}, True)
        return
    emit(result, False)
    for kind, path in files.items():
        click.echo(f"wrote {kind}: {path}")


def _grid(explicit: tuple[float, ...], lo: float, hi: float, n: int, name: str):
    import numpy as np

    if explicit:
        return explicit
    if not lo < hi:
        raise MixphaseInputError(f"{name}: need from < to, got {lo:g} and {hi:g}")
    return tuple(np.geomspace(lo, hi, n))


@click.group()
@group_json_option
def simulate(as_json: bool) -> None:
    """Simulate what the theory predicts: phase diagrams, popularity curves, learning curves."""


@simulate.command("phase-diagram")
@click.option(
    "--model-size",
    "-n",
    type=MODEL_SIZE,
    multiple=True,
    help="Model size in parameters (repeatable; overrides --sizes-from/--sizes-to).",
)
@click.option(
    "--sizes-from", type=MODEL_SIZE, default=1e7, show_default=True, help="Smallest model."
)
@click.option("--sizes-to", type=MODEL_SIZE, default=1e10, show_default=True, help="Largest model.")
@click.option(
    "--n-sizes", type=Count(1, GRID_MAX), default=25, show_default=True, help="Log-spaced sizes."
)
@click.option(
    "--ratio",
    "-r",
    type=RATIO,
    multiple=True,
    help="Mixing ratio in (0, 1) (repeatable; overrides --ratios-from/--ratios-to).",
)
@click.option("--ratios-from", type=RATIO, default=1e-4, show_default=True, help="Smallest ratio.")
@click.option("--ratios-to", type=RATIO, default=0.95, show_default=True, help="Largest ratio.")
@click.option(
    "--n-ratios", type=Count(1, GRID_MAX), default=25, show_default=True, help="Log-spaced ratios."
)
@click.option(
    "--method",
    type=click.Choice(["closed", "exact", "cvxpy"]),
    default="closed",
    show_default=True,
    help="Closed form, exact allocation search, or cvxpy per cell.",
)
@click.option(
    "--exposures-needed",
    "-m",
    type=Positive(1e12),
    help="Exposures a fact needs before it can be stored (with --training-tokens).",
)
@click.option(
    "--training-tokens",
    type=TOKENS,
    help="Training tokens D: each fact is seen r*D/(facts*tokens-per-fact) times.",
)
@click.option(
    "--n-eval",
    type=Count(1, 10**9),
    help="Measure each cell on this many random facts (binomial noise).",
)
@click.option(
    "--verify-cvxpy",
    type=Count(0, GRID_MAX),
    default=3,
    show_default=True,
    help="Re-solve this many cells with cvxpy and report the largest difference.",
)
@click.option(
    "--x",
    "x_axis",
    type=click.Choice(["ratio", "size"]),
    default="ratio",
    show_default=True,
    help="Rows: y vs ratio per model size, or y vs size per ratio.",
)
@knapsack_options
@output_options
def phase_diagram_cmd(model_size, sizes_from, sizes_to, n_sizes, ratio, ratios_from, ratios_to,
                      n_ratios, method, exposures_needed, training_tokens, n_eval, verify_cvxpy,
                      x_axis, model, out, plot_path, progress, seed, as_json) -> None:  # fmt: skip
    """Memorised fraction over (model size, mixing ratio), with the critical-ratio line."""
    from mixphase.simulate import phase_diagram

    sizes = _grid(model_size, sizes_from, sizes_to, n_sizes, "--sizes-from/--sizes-to")
    ratios = _grid(ratio, ratios_from, ratios_to, n_ratios, "--ratios-from/--ratios-to")
    with _outputs(out, plot_path):
        result = phase_diagram(
            model, sizes, ratios, method=method, exposures_needed=exposures_needed,
            training_tokens=training_tokens, n_eval=n_eval, seed=seed, verify_cells=verify_cvxpy,
            progress=_progress(progress),
        )  # fmt: skip
        files = _write(result, out, plot_path, x=x_axis)
    _print(result, files, as_json)


@simulate.command("popularity")
@click.option(
    "--model-size",
    "-n",
    type=MODEL_SIZE,
    multiple=True,
    help="Model size in parameters (repeatable). Default: 3M, 10M, 30M, 100M, 300M.",
)
@click.option(
    "--ratio",
    "-r",
    type=RATIO,
    default=0.01,
    show_default=True,
    help="Mixing ratio of the knowledge set.",
)
@click.option(
    "--groups", type=Count(1, FACTS_MAX), default=100, show_default=True, help="Popularity groups."
)
@click.option(
    "--group-size",
    type=Count(1, FACTS_MAX),
    default=100,
    show_default=True,
    help="Facts per group.",
)
@click.option(
    "--exponent",
    type=Number(float, 0, 10),
    default=1.5,
    show_default=True,
    help="Power-law exponent of the group probabilities.",
)
@click.option(
    "--target",
    type=Number(float, 0, 1, low_open=True),
    default=0.8,
    show_default=True,
    help="Algorithm 1's target accuracy.",
)
@click.option(
    "--n-fail",
    type=Count(0, FACTS_MAX),
    default=5,
    show_default=True,
    help="Algorithm 1's fault tolerance.",
)
@click.option(
    "--slip-rate",
    type=Number(float, 0, 1, high_open=True),
    default=0.0,
    show_default=True,
    help="Probability that a stored fact is answered wrongly.",
)
@click.option(
    "--guess-rate",
    type=Number(float, 0, 1, high_open=True),
    default=0.0,
    show_default=True,
    help="Probability that an unstored fact is answered rightly.",
)
@knapsack_options
@output_options
def popularity_cmd(model_size, ratio, groups, group_size, exponent, target, n_fail, slip_rate,
                   guess_rate, model, out, plot_path, progress, seed, as_json) -> None:  # fmt: skip
    """Accuracy vs popularity for several model sizes, threshold popularity marked."""
    from mixphase.simulate import popularity_curves
    from mixphase.simulate.popularity import DEFAULT_POPULARITY_SIZES

    if groups * group_size > FACTS_MAX:
        raise MixphaseInputError(
            f"--groups x --group-size = {groups * group_size} facts exceeds {FACTS_MAX} "
            "(memory: each fact is simulated per model size)"
        )
    with _outputs(out, plot_path):
        result = popularity_curves(
            model, model_size or DEFAULT_POPULARITY_SIZES, ratio, n_groups=groups,
            group_size=group_size, exponent=exponent, target=target, n_fail=n_fail,
            slip_rate=slip_rate, guess_rate=guess_rate, seed=seed,
        )  # fmt: skip
        files = _write(result, out, plot_path)
    _print(result, files, as_json)


@simulate.command("mixture-curve")
@mixture_options
@click.option("--size", "-s", "sizes", type=Number(float, 1, 1e15), multiple=True,
              help="Training-set size (repeatable). Default: log-spaced, --decades beyond the "
                   "predicted breakpoints on each side.")  # fmt: skip
@click.option(
    "--n-sizes", type=Count(2, GRID_MAX), default=20, show_default=True, help="Default grid points."
)
@click.option(
    "--decades",
    type=Number(float, 0, 6, high_reason="sizes beyond overflow the sampler"),
    default=2.0,
    show_default=True,
    help="Decades below the first and above the second breakpoint (default grid).",
)
@click.option(
    "--repetitions",
    type=Count(1, 100_000),
    default=20,
    show_default=True,
    help="Monte Carlo repetitions (independent training sets).",
)
@click.option(
    "--n-test",
    type=Count(1, 10**9),
    help="Measure the error on a test set of this many draws (default: exact error).",
)
@click.option(
    "--sampler",
    type=click.Choice(["fast", "exact"]),
    default="fast",
    show_default=True,
    help="First-hit times per item (fast) or drawing every training item (exact).",
)
@click.option(
    "--workers",
    type=Count(1, 256),
    default=1,
    show_default=True,
    help="Threads (results depend only on --seed).",
)
@click.option(
    "--aggregate",
    type=click.Choice(["none", "mean"]),
    default="none",
    show_default=True,
    help="Rows per repetition (curve=repNN) or the MC mean only.",
)
@output_options
def mixture_curve_cmd(beta, real_share, truncation, n_items, sizes, n_sizes, decades,
                      repetitions, n_test, sampler, workers, aggregate, out, plot_path, progress,
                      seed, as_json) -> None:  # fmt: skip
    """Monte Carlo test-error curves of a memorising learner on a real-synthetic mixture."""
    from mixphase.simulate import simulate_mixture_curves

    with _outputs(out, plot_path):
        result = simulate_mixture_curves(
            beta, truncation, real_share, sizes=sizes or None, n_items=n_items,
            repetitions=repetitions, seed=seed, n_test=n_test, n_sizes=n_sizes, decades=decades,
            sampler=sampler, workers=workers, progress=_progress(progress),
        )  # fmt: skip
        files = _write(result, out, plot_path, aggregate=aggregate)
    warn(result.breakpoints.warning)
    _print(result, files, as_json)
