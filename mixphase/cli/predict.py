"""``mixphase predict``: closed-form predictions of both papers' models (no heavy imports)."""

from __future__ import annotations

from pathlib import Path

import click

from mixphase.cli._common import (
    MODEL_SIZE,
    RATIO,
    Count,
    Number,
    emit,
    group_json_option,
    json_option,
    warn,
)
from mixphase.cli._options import (
    build_calibration,
    calibration_options,
    check_ratios,
    check_sizes,
    knapsack_options,
    mixture_options,
    training_option,
)
from mixphase.errors import MixphaseInputError


@click.group(invoke_without_command=True)
@group_json_option
@click.pass_context
def predict(ctx: click.Context, as_json: bool) -> None:
    """Predict critical ratios, critical sizes, threshold popularity and breakpoints.

    With no sub-command: critical mixing ratios for Pythia-like model sizes (14M-6.9B) on the
    defaults (the paper's FineWeb-Edu web law, 2 bits/parameter, SynBio-320k). Every number is a
    median with an interval over the model's draws: its priors when uncalibrated, the posterior
    with --calibrate / --critical-ratio.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(critical_ratio, model_size=(), as_json=as_json)


@predict.command("critical-ratio")
@click.option(
    "--model-size",
    "-n",
    type=MODEL_SIZE,
    multiple=True,
    help="Model size in parameters (repeatable). Default: Pythia sizes 14M-6.9B.",
)
@knapsack_options
@training_option
@calibration_options
@json_option
def critical_ratio(model_size: tuple[float, ...], as_json: bool, model, calibration_args) -> None:
    """Critical mixing ratio r_crit(N): below it nothing of the knowledge set is memorised."""
    from mixphase.advise.predict import critical_ratio_table
    from mixphase.theory.predictions import DEFAULT_MODEL_SIZES

    sizes = check_sizes(model_size, "--model-size") or DEFAULT_MODEL_SIZES
    cal = build_calibration(model, default_size=sizes[0], **calibration_args)
    emit(critical_ratio_table(cal, sizes), as_json)


@predict.command("critical-size")
@click.option(
    "--ratio",
    "-r",
    type=RATIO,
    multiple=True,
    required=True,
    help="Mixing ratio of the knowledge set, in (0, 1) (repeatable).",
)
@knapsack_options
@training_option
@calibration_options
@json_option
def critical_size(ratio: tuple[float, ...], as_json: bool, model, calibration_args) -> None:
    """Critical model size N_crit(r): the smallest model that memorises anything at ratio r."""
    from mixphase.advise.predict import critical_size_table

    ratios = check_ratios(ratio)
    cal = build_calibration(model, **calibration_args)
    emit(critical_size_table(cal, ratios), as_json)


@predict.command("threshold-popularity")
@click.option(
    "--model-size",
    "-n",
    type=MODEL_SIZE,
    multiple=True,
    help="Model size in parameters (repeatable). Default: Pythia sizes.",
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
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Table (CSV/JSONL/Parquet) with columns popularity,correct: run Algorithm 1 on it "
    "instead.",
)
@click.option(
    "--size-col",
    help="With --data: column holding each row's model size; Algorithm 1 per size and the "
    "log-log slope of the threshold in model size.",
)
@click.option(
    "--target",
    type=Number(float, 0, 1, low_open=True),
    default=0.8,
    show_default=True,
    help="Algorithm 1's target accuracy (paper: 0.8 SynBio, 0.6 PopQA).",
)
@click.option(
    "--n-fail",
    type=Count(0, 10**6),
    default=5,
    show_default=True,
    help="Algorithm 1's fault tolerance.",
)
@click.option(
    "--method",
    type=click.Choice(["last-crossing", "published"]),
    default="last-crossing",
    show_default=True,
    help="Algorithm 1's walk: failures count after the last crossing of the target (robust "
    "to a noisy head) or from the first item (the published walk).",
)
@click.option(
    "--bootstrap",
    "n_boot",
    type=Count(0, 100_000),
    default=1000,
    show_default=True,
    help="With --data: item resamples for 90% bootstrap intervals (0: none).",
)
@knapsack_options
@training_option
@calibration_options
@json_option
@click.pass_context
def threshold_popularity_cmd(ctx, model_size, ratio, data, size_col, target, n_fail, method,
                             n_boot, as_json, model, calibration_args) -> None:  # fmt: skip
    """Threshold popularity: predicted from the model (with intervals over its draws), or
    measured (Algorithm 1) with --data (--seed seeds the bootstrap)."""
    if data is not None:
        _measured_threshold(data, size_col, target, n_fail, method, n_boot,
                            calibration_args["seed"], as_json, model)  # fmt: skip
        return
    given = [f"--{name.replace('_', '-')}" for name in ("size_col", "method", "n_boot")
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]  # fmt: skip
    if given:
        names = ", ".join(given).replace("--n-boot", "--bootstrap")
        raise MixphaseInputError(f"{names}: for measured thresholds only, give --data")
    from mixphase.advise.predict import threshold_frequency_table
    from mixphase.theory.predictions import DEFAULT_MODEL_SIZES

    sizes = check_sizes(model_size, "--model-size") or DEFAULT_MODEL_SIZES
    r = check_ratios((ratio,))[0]
    cal = build_calibration(model, default_size=sizes[0], **calibration_args)
    emit(threshold_frequency_table(cal, sizes, r), as_json)


def _measured_threshold(data, size_col, target, n_fail, method, n_boot, seed, as_json, model):
    """Algorithm 1 on a file: one threshold, or one per model size and their slope."""
    import numpy as np

    from mixphase.readers import read_curves, read_table
    from mixphase.theory.threshold_popularity import (
        ThresholdResult,
        threshold_interval,
        threshold_popularity,
        threshold_slope,
    )

    if n_boot < 0:
        raise MixphaseInputError(f"--bootstrap must be >= 0, got {n_boot}")
    table = read_table(data)
    pop_col = table.find_role("popularity", what="popularity") if table.records else None
    extra = (table.find(size_col),) if size_col and table.records else ()  # names a missing one
    tables = read_curves(table, x_col=pop_col, y_col="correct", curve_col="", extra_cols=extra)
    pop = np.concatenate([t["x"] for t in tables.values()])
    correct = np.concatenate([t["y"] for t in tables.values()])
    if not size_col:
        if n_boot == 0:
            value = threshold_popularity(pop, correct, target, n_fail, method)
            emit(ThresholdResult(value, target, n_fail, len(pop), method), as_json)
        else:
            result = threshold_interval(pop, correct, target, n_fail, method, n_boot, seed=seed)
            emit(result, as_json)
        return
    sizes_col = np.concatenate([t[extra[0]] for t in tables.values()])
    sizes = np.unique(sizes_col)
    if sizes.size < 2:
        raise MixphaseInputError(f"--size-col {size_col!r}: a slope needs at least 2 distinct "
                                 f"model sizes, found {sizes.size}")  # fmt: skip
    per = [(pop[sizes_col == n], correct[sizes_col == n]) for n in sizes]
    slope = threshold_slope(sizes, per, target, n_fail, method, n_boot, seed=seed,
                            predicted_slope=float(model.ratio_exponent()))  # fmt: skip
    emit(slope, as_json)


@predict.command("breakpoints")
@mixture_options
@json_option
def breakpoints_cmd(beta, real_share, truncation, n_items, as_json) -> None:
    """Breakpoints (~k^beta and ~k^beta/pi) of the three-phase test-error curve."""
    from mixphase.theory.mixture import breakpoints

    result = breakpoints(beta, truncation, real_share, n_items)
    warn(result.warning)
    emit(result, as_json)
