"""``mixphase predict``: closed-form predictions of both papers' models (no heavy imports)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click

from mixphase.cli._common import emit, json_option
from mixphase.errors import MixphaseInputError


def knapsack_options(func: Callable) -> Callable:
    """Options that define the knapsack model; the command receives ``model=KnapsackModel``."""
    from mixphase.theory.knapsack import SYNBIO_320K
    from mixphase.theory.web_law import PAPER_WEB_LAW

    opts = [
        click.option(
            "--alpha",
            type=float,
            default=PAPER_WEB_LAW.alpha,
            show_default=True,
            help="Web scaling-law exponent (paper's FineWeb-Edu fit).",
        ),
        click.option(
            "--web-e",
            type=float,
            default=PAPER_WEB_LAW.E,
            show_default=True,
            help="Irreducible web loss E.",
        ),
        click.option(
            "--web-a",
            type=float,
            default=PAPER_WEB_LAW.A,
            show_default=True,
            help="Web scaling-law coefficient A.",
        ),
        click.option(
            "--web-size-unit",
            type=float,
            default=PAPER_WEB_LAW.size_unit,
            show_default=True,
            help="Parameters per unit of N in the web law.",
        ),
        click.option(
            "--loss-unit",
            type=click.Choice(["nats", "bits"]),
            default="nats",
            show_default=True,
            help="Unit of the web law's loss.",
        ),
        click.option(
            "--bits-per-param",
            type=float,
            default=2.0,
            show_default=True,
            help="Capacity per parameter (Allen-Zhu & Li: ~2).",
        ),
        click.option(
            "--facts",
            type=float,
            default=SYNBIO_320K.n_facts,
            show_default=True,
            help="Facts (biographies) in the knowledge set.",
        ),
        click.option(
            "--bits-per-fact",
            type=float,
            default=SYNBIO_320K.bits_per_fact,
            show_default="45.6 (SynBio)",
            help="Bits of information per fact.",
        ),
        click.option(
            "--tokens-per-fact",
            type=float,
            default=SYNBIO_320K.tokens_per_fact,
            show_default=True,
            help="Tokens per fact in one pass over the set.",
        ),
    ]

    @functools.wraps(func)
    def wrapper(
        *args,
        alpha,
        web_e,
        web_a,
        web_size_unit,
        loss_unit,
        bits_per_param,
        facts,
        bits_per_fact,
        tokens_per_fact,
        **kwargs,
    ):
        kwargs["model"] = build_knapsack_model(
            alpha=alpha, web_e=web_e, web_a=web_a, web_size_unit=web_size_unit,
            loss_unit=loss_unit, bits_per_param=bits_per_param, facts=facts,
            bits_per_fact=bits_per_fact, tokens_per_fact=tokens_per_fact,
        )  # fmt: skip
        return func(*args, **kwargs)

    for opt in reversed(opts):
        wrapper = opt(wrapper)
    return wrapper


def build_knapsack_model(*, alpha, web_e, web_a, web_size_unit, loss_unit, bits_per_param, facts,
                         bits_per_fact, tokens_per_fact):  # fmt: skip
    """A :class:`KnapsackModel` from option values (checked: bad values raise input errors)."""
    from mixphase.theory.knapsack import KnapsackModel, KnowledgeSet
    from mixphase.theory.web_law import WebLaw

    for name, v in [("--alpha", alpha), ("--web-a", web_a), ("--web-size-unit", web_size_unit),
                    ("--bits-per-param", bits_per_param), ("--facts", facts),
                    ("--bits-per-fact", bits_per_fact), ("--tokens-per-fact", tokens_per_fact)]:  # fmt: skip
        if not v > 0 or v == float("inf"):
            raise MixphaseInputError(f"{name} must be a positive finite number, got {v!r}")
    if not 0 <= web_e < float("inf"):
        raise MixphaseInputError(f"--web-e must be finite and non-negative, got {web_e!r}")
    web = WebLaw(E=web_e, A=web_a, alpha=alpha, size_unit=web_size_unit, loss_unit=loss_unit)
    knowledge = KnowledgeSet(facts, bits_per_fact, tokens_per_fact)
    return KnapsackModel(web=web, knowledge=knowledge, bits_per_param=bits_per_param)


def _sizes(values: tuple[float, ...], name: str) -> tuple[float, ...]:
    for v in values:
        if not v > 0 or v == float("inf"):
            raise MixphaseInputError(f"{name} must be a positive finite number, got {v!r}")
    return values


def _ratios(values: tuple[float, ...]) -> tuple[float, ...]:
    for v in values:
        if not 0 < v < 1:
            raise MixphaseInputError(f"--ratio must lie strictly between 0 and 1, got {v!r}")
    return values


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def predict(ctx: click.Context, as_json: bool) -> None:
    """Predict critical ratios, critical sizes, threshold popularity and breakpoints.

    With no sub-command: critical mixing ratios for Pythia-like model sizes (14M-6.9B) on the
    defaults (the paper's FineWeb-Edu web law, 2 bits/parameter, SynBio-320k).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(critical_ratio, model_size=(), as_json=as_json)


@predict.command("critical-ratio")
@click.option(
    "--model-size",
    "-n",
    type=float,
    multiple=True,
    help="Model size in parameters (repeatable). Default: Pythia sizes 14M-6.9B.",
)
@knapsack_options
@json_option
def critical_ratio(model_size: tuple[float, ...], as_json: bool, model) -> None:
    """Critical mixing ratio r_crit(N): below it nothing of the knowledge set is memorised."""
    from mixphase.theory.predictions import DEFAULT_MODEL_SIZES, critical_ratio_table

    sizes = _sizes(model_size, "--model-size") or DEFAULT_MODEL_SIZES
    emit(critical_ratio_table(model, sizes), as_json)


@predict.command("critical-size")
@click.option(
    "--ratio",
    "-r",
    type=float,
    multiple=True,
    required=True,
    help="Mixing ratio of the knowledge set, in (0, 1) (repeatable).",
)
@knapsack_options
@json_option
def critical_size(ratio: tuple[float, ...], as_json: bool, model) -> None:
    """Critical model size N_crit(r): the smallest model that memorises anything at ratio r."""
    from mixphase.theory.predictions import critical_size_table

    emit(critical_size_table(model, _ratios(ratio)), as_json)


@predict.command("threshold-popularity")
@click.option(
    "--model-size",
    "-n",
    type=float,
    multiple=True,
    help="Model size in parameters (repeatable). Default: Pythia sizes.",
)
@click.option(
    "--ratio",
    "-r",
    type=float,
    default=0.01,
    show_default=True,
    help="Mixing ratio of the knowledge set.",
)
@click.option(
    "--data",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with columns popularity,correct: run Algorithm 1 on it instead.",
)
@click.option(
    "--target",
    type=float,
    default=0.8,
    show_default=True,
    help="Algorithm 1's target accuracy (paper: 0.8 SynBio, 0.6 PopQA).",
)
@click.option(
    "--n-fail", type=int, default=5, show_default=True, help="Algorithm 1's fault tolerance."
)
@knapsack_options
@json_option
def threshold_popularity_cmd(model_size, ratio, data, target, n_fail, as_json, model) -> None:
    """Threshold popularity: predicted from the model, or measured (Algorithm 1) with --data."""
    if data is not None:
        from mixphase.theory.threshold_popularity import ThresholdResult, threshold_popularity

        pop, correct = _read_popularity_csv(data)
        value = threshold_popularity(pop, correct, target=target, n_fail=n_fail)
        emit(ThresholdResult(value, target, n_fail, len(pop)), as_json)
        return
    from mixphase.theory.predictions import DEFAULT_MODEL_SIZES, threshold_frequency_table

    sizes = _sizes(model_size, "--model-size") or DEFAULT_MODEL_SIZES
    emit(threshold_frequency_table(model, sizes, _ratios((ratio,))[0]), as_json)


def _read_popularity_csv(path: Path):
    import csv

    import numpy as np

    try:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise MixphaseInputError(f"cannot read {path}: {exc}") from None
    if not rows or not {"popularity", "correct"} <= set(rows[0]):
        raise MixphaseInputError(f"{path} needs columns 'popularity' and 'correct'")
    try:
        pop = np.array([float(r["popularity"]) for r in rows])
        cor = np.array([float(r["correct"]) for r in rows])
    except (TypeError, ValueError):
        raise MixphaseInputError(f"{path}: non-numeric popularity or correct value") from None
    return pop, cor


@predict.command("breakpoints")
@click.option("--beta", type=float, required=True, help="Zipf exponent of the real data (> 1).")
@click.option(
    "--real-share",
    "--pi",
    "real_share",
    type=float,
    required=True,
    help="Share of real data in the training mixture, in (0, 1].",
)
@click.option("--cutoff", "-k", type=int, help="Synthetic cutoff rank k.")
@click.option("--top-p", type=float, help="Generator's top-p (nucleus) threshold.")
@click.option(
    "--temperature",
    type=float,
    help="Generator temperature (with --synthetic-samples, default 1e6).",
)
@click.option(
    "--synthetic-samples", type=float, help="Number of synthetic samples drawn from the generator."
)
@click.option(
    "--n-items",
    type=int,
    default=1_000_000,
    show_default=True,
    help="Size of the item universe (ranks) of the Zipf law.",
)
@json_option
def breakpoints_cmd(beta, real_share, cutoff, top_p, temperature, synthetic_samples, n_items,
                    as_json) -> None:  # fmt: skip
    """Breakpoints (~k^beta and ~k^beta/pi) of the three-phase test-error curve."""
    from mixphase.theory.mixture import breakpoints
    from mixphase.theory.truncation import Truncation

    if n_items < 2:
        raise MixphaseInputError(f"--n-items must be at least 2, got {n_items}")
    trunc = Truncation(cutoff, top_p, temperature, synthetic_samples)
    emit(breakpoints(beta, trunc, real_share, n_items), as_json)
