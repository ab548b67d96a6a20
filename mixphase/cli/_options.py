"""Option groups shared by several commands: the knapsack model and the synthetic truncation.

``predict``, ``simulate`` and ``advise`` take the same model options, so they agree on the same
inputs by construction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click

from mixphase.cli._common import (
    FRACTION,
    ITEMS_MAX,
    ITEMS_REASON,
    MODEL_SIZE,
    RATIO,
    REAL_SHARE,
    SEED,
    SHARE,
    TEMPERATURE,
    TOKENS,
    Count,
    NonNegative,
    Number,
    open_unit,
    positive,
)
from mixphase.errors import MixphaseInputError


def knapsack_options(func: Callable) -> Callable:
    """Options that define the knapsack model; the command receives ``model=KnapsackModel``."""
    from mixphase.theory.knapsack import SYNBIO_320K
    from mixphase.theory.web_law import PAPER_WEB_LAW

    opts = [
        click.option(
            "--alpha",
            type=Number(float, 1e-6, 10, high_reason="larger exponents overflow N^alpha"),
            default=PAPER_WEB_LAW.alpha,
            show_default=True,
            help="Web scaling-law exponent (paper's FineWeb-Edu fit).",
        ),
        click.option(
            "--web-e",
            type=NonNegative(1e6),
            default=PAPER_WEB_LAW.E,
            show_default=True,
            help="Irreducible web loss E.",
        ),
        click.option(
            "--web-a",
            type=Number(float, 1e-12, 1e12),
            default=PAPER_WEB_LAW.A,
            show_default=True,
            help="Web scaling-law coefficient A.",
        ),
        click.option(
            "--web-size-unit",
            type=Number(float, 1e-6, 1e18),
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
            type=Number(float, 1e-6, 64, high_reason="a parameter holds at most 64 bits"),
            default=2.0,
            show_default=True,
            help="Capacity per parameter (Allen-Zhu & Li: ~2).",
        ),
        click.option(
            "--facts",
            type=Number(float, 1, 1e18),
            default=SYNBIO_320K.n_facts,
            show_default=True,
            help="Facts (biographies) in the knowledge set.",
        ),
        click.option(
            "--bits-per-fact",
            type=Number(float, 1e-6, 1e12),
            default=SYNBIO_320K.bits_per_fact,
            show_default="45.6 (SynBio)",
            help="Bits of information per fact.",
        ),
        click.option(
            "--tokens-per-fact",
            type=Number(float, 1e-6, 1e12),
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
                         bits_per_fact, tokens_per_fact, training_tokens=None):  # fmt: skip
    """A :class:`KnapsackModel` from option values (checked: bad values raise input errors)."""
    from mixphase.theory.knapsack import KnapsackModel, KnowledgeSet
    from mixphase.theory.web_law import WebLaw

    for name, v in [("--alpha", alpha), ("--web-a", web_a), ("--web-size-unit", web_size_unit),
                    ("--bits-per-param", bits_per_param), ("--facts", facts),
                    ("--bits-per-fact", bits_per_fact), ("--tokens-per-fact", tokens_per_fact)]:  # fmt: skip
        positive(name, v)
    if not 0 <= web_e < float("inf"):
        raise MixphaseInputError(f"--web-e must be finite and non-negative, got {web_e!r}")
    web = WebLaw(E=web_e, A=web_a, alpha=alpha, size_unit=web_size_unit, loss_unit=loss_unit)
    positive("--training-tokens", training_tokens)
    knowledge = KnowledgeSet(facts, bits_per_fact, tokens_per_fact)
    return KnapsackModel(web=web, knowledge=knowledge, bits_per_param=bits_per_param,
                         training_tokens=training_tokens)  # fmt: skip


def training_option(func: Callable) -> Callable:
    """``--training-tokens``: the target's training length; apply it below
    :func:`knapsack_options` (it sets the training length of the model that one builds)."""
    from dataclasses import replace

    @functools.wraps(func)
    def wrapper(*args, training_tokens, model, **kwargs):
        positive("--training-tokens", training_tokens)
        kwargs["model"] = model if training_tokens is None else replace(
            model, training_tokens=training_tokens)  # fmt: skip
        return func(*args, **kwargs)

    return click.option(
        "--training-tokens",
        type=TOKENS,
        help="Training tokens T: finite training (exposures r*T/S1 per fact). Default: fully "
        "trained.",
    )(wrapper)


def calibration_options(func: Callable) -> Callable:
    """How the model's constants are set (priors, an anchor, runs) and which web law: the
    command receives ``calibration_args`` for :func:`build_calibration`."""
    opts = [
        click.option("--calibrate", type=click.Path(dir_okay=False, path_type=Path),
                     help="Runs to calibrate on: CSV/JSON/JSONL with model_size, ratio and "
                     "accuracy (or correct and total), optionally facts, tokens_per_fact, "
                     "bits_per_fact, training_tokens, seed per run; a `validate` results file "
                     "works as is."),
        click.option("--critical-ratio", type=RATIO,
                     help="A ratio at which you measured 50% accuracy: the calibration anchor."),
        click.option("--anchor-size", type=MODEL_SIZE,
                     help="Model size of --critical-ratio. Default: the first --model-size."),
        click.option("--web-runs", type=click.Path(dir_okay=False, path_type=Path),
                     help="Web-only runs (model_size, web_loss per token) to fit the web law; "
                          "with training_tokens at several lengths they also measure how "
                          "capacity changes with training length."),
        click.option("--web-law", type=click.Choice(["auto", "power", "log", "broken", "table"]),
                     default="auto", show_default=True,
                     help="Family fitted to --web-runs (auto: the most probable)."),
        click.option("--ci", type=FRACTION, default=0.9, show_default=True,
                     help="Level of the intervals."),
        click.option("--draws", type=Count(10, 100_000), default=1000, show_default=True,
                     help="Model draws behind each interval."),
        click.option("--seed", type=SEED, default=0, show_default=True,
                     help="Random seed (bit-reproducible on CPU)."),
    ]  # fmt: skip

    @functools.wraps(func)
    def wrapper(*args, calibrate, critical_ratio, anchor_size, web_runs, web_law, ci, draws, seed,
                **kwargs):  # fmt: skip
        kwargs["calibration_args"] = {
            "calibrate": calibrate, "critical_ratio": critical_ratio, "anchor_size": anchor_size,
            "web_runs": web_runs, "web_law": web_law, "ci": ci, "draws": draws, "seed": seed,
        }  # fmt: skip
        return func(*args, **kwargs)

    for opt in reversed(opts):
        wrapper = opt(wrapper)
    return wrapper


def build_calibration(model, *, calibrate=None, critical_ratio=None, anchor_size=None,
                      web_runs=None, web_law="auto", ci=0.9, draws=1000, seed=0,
                      default_size=None):  # fmt: skip
    """The :class:`~mixphase.advise.calibration.Calibration` the options ask for (checked)."""
    from mixphase.advise import calibration as cal
    from mixphase.advise.posterior import Anchor
    from mixphase.advise.web import default_web, web_from_runs_by_length

    open_unit("--ci", ci)
    if not 10 <= draws <= 100_000:
        raise MixphaseInputError(f"--draws must lie between 10 and 100000, got {draws}")
    if anchor_size is not None and critical_ratio is None:
        raise MixphaseInputError("--anchor-size needs --critical-ratio")
    if web_runs is not None:
        sizes, loss, tokens = cal.read_web_runs(web_runs)
        web = web_from_runs_by_length(sizes, loss, tokens, web_law, loss_unit=model.web.loss_unit,
                                      ci=ci, seed=seed, n_draws=draws)  # fmt: skip
    elif web_law != "auto":
        raise MixphaseInputError("--web-law chooses the family fitted to --web-runs: give both")
    else:
        web = default_web(model, draws, seed)
    anchors = []
    if critical_ratio is not None:
        n0 = anchor_size if anchor_size is not None else default_size
        if n0 is None:
            raise MixphaseInputError("--critical-ratio needs --anchor-size (its model size)")
        positive("--anchor-size", n0)
        anchors.append(Anchor(float(n0), float(open_unit("--critical-ratio", critical_ratio))))
    data = None if calibrate is None else cal.read_calibration_points(calibrate)
    return cal.calibrate(model, data=data, anchors=anchors, web=web, n_draws=draws, seed=seed,
                         ci=ci)  # fmt: skip


def truncation_options(func: Callable) -> Callable:
    """The truncation options of ``mixphase predict breakpoints`` (same names and meaning); the
    command receives ``truncation=Truncation`` and ``n_items``."""
    opts = [
        click.option(
            "--cutoff",
            "-k",
            type=Count(1, ITEMS_MAX, reason=ITEMS_REASON),
            help="Synthetic cutoff rank k (at most --n-items).",
        ),
        click.option("--top-p", type=SHARE, help="Generator's top-p (nucleus) threshold."),
        click.option(
            "--temperature",
            type=TEMPERATURE,
            help="Generator temperature (with --synthetic-samples, default 1e6).",
        ),
        click.option(
            "--synthetic-samples",
            type=Number(float, 1, 1e18),
            help="Number of synthetic samples drawn from the generator.",
        ),
        click.option(
            "--sample-rule",
            type=click.Choice(["support-mass", "support-count", "occurrence"]),
            default="support-mass",
            show_default=True,
            help="How a sample count becomes a cutoff: the rank with the expected support's "
            "mass, its expected size, or >= 1 expected occurrence (docs/theory.md §2.1).",
        ),
        click.option(
            "--n-items",
            type=Count(2, ITEMS_MAX, reason=ITEMS_REASON),
            default=1_000_000,
            show_default=True,
            help="Size of the item universe (ranks) of the Zipf law.",
        ),
    ]

    @functools.wraps(func)
    def wrapper(*args, cutoff, top_p, temperature, synthetic_samples, sample_rule, n_items,
                **kwargs):  # fmt: skip
        from mixphase.theory.truncation import Truncation

        check_cutoff(cutoff, n_items)
        kwargs["truncation"] = Truncation(cutoff, top_p, temperature, synthetic_samples,
                                          sample_rule)  # fmt: skip
        kwargs["n_items"] = n_items
        return func(*args, **kwargs)

    for opt in reversed(opts):
        wrapper = opt(wrapper)
    return wrapper


def mixture_options(func: Callable) -> Callable:
    """``--beta`` and ``--real-share/--pi`` plus :func:`truncation_options`: a real-synthetic
    mixture as ``predict breakpoints`` and ``simulate mixture-curve`` take it."""
    func = truncation_options(func)
    func = click.option(
        "--real-share",
        "--pi",
        "real_share",
        type=REAL_SHARE,
        required=True,
        help="Share of real data in the training mixture, in (0, 1].",
    )(func)
    return click.option(
        "--beta", type=BETA, required=True, help="Zipf exponent of the real data (> 1)."
    )(func)


BETA = Number(float, 1, 10, low_open=True, high_reason="larger exponents overflow rank^beta")


def check_cutoff(cutoff: int | None, n_items: int) -> None:
    """A cutoff rank inside the item universe (no silent clamping to ``--n-items``)."""
    if cutoff is not None and cutoff > n_items:
        raise MixphaseInputError(
            f"--cutoff {cutoff} exceeds --n-items {n_items}: the cutoff is a rank among the items"
        )


def check_sizes(values: tuple[float, ...], name: str) -> tuple[float, ...]:
    """Model sizes: positive and finite (one-line input error otherwise)."""
    for v in values:
        positive(name, v)
    return values


def check_ratios(values: tuple[float, ...]) -> tuple[float, ...]:
    """Mixing ratios: strictly inside (0, 1)."""
    for v in values:
        open_unit("--ratio", v)
    return values
