"""``mixphase advise``: mixing-recipe advice from the theory, calibrated on the user's runs.

One click group with two entry points:

- ``mixphase advise --model-size N --ratio R ...`` (no sub-command): knowledge mixing on the
  knapsack model. The group's own options are its inputs; they take the same model options as
  ``mixphase predict`` (:func:`mixphase.cli.predict.knapsack_options`), so both agree.
- ``mixphase advise real-share --beta B --data-size S ...``: real-synthetic mixing.

Knowledge-mixing options go before any sub-command name and are refused with one.
"""

from __future__ import annotations

import click

from mixphase.cli._common import (
    FRACTION,
    ITEMS_MAX,
    ITEMS_REASON,
    MODEL_SIZE,
    RATIO,
    REAL_SHARE,
    SHARE,
    TEMPERATURE,
    TOKENS,
    Count,
    NonNegative,
    Number,
    OutputFile,
    Positive,
    emit,
    json_option,
    open_unit,
    positive,
    warn,
)
from mixphase.cli._options import (
    BETA,
    build_calibration,
    calibration_options,
    check_cutoff,
    check_ratios,
    check_sizes,
    knapsack_options,
    training_option,
)
from mixphase.errors import MixphaseInputError

_KNOWLEDGE_ONLY = ("model_size", "ratio", "knowledge_tokens", "training_tokens", "critical_ratio",
                   "anchor_size", "calibrate", "web_runs", "web_law", "max_ratio",
                   "max_web_loss_increase", "target_share", "compact_tokens_per_fact", "plot",
                   "draws", "export", "output", "doc_tokens", "max_repetitions")  # fmt: skip


@click.group(invoke_without_command=True)
@click.option(
    "--model-size",
    "-n",
    type=MODEL_SIZE,
    multiple=True,
    help="Model size in parameters (repeatable). Required without a sub-command.",
)
@click.option(
    "--ratio", "-r", type=RATIO, help="Current mixing ratio of the knowledge set, in (0, 1)."
)
@click.option(
    "--knowledge-tokens",
    type=TOKENS,
    help="Tokens in one pass over the knowledge set (S1). Default: facts x tokens per fact;"
    " with --facts alone, sets the tokens per fact.",
)
@click.option("--max-ratio", type=RATIO, help="Budget: the largest mixing ratio you accept.")
@click.option(
    "--max-web-loss-increase",
    type=Positive(1e6),
    help="Budget: the web-loss increase you tolerate (the web law's unit per token).",
)
@click.option(
    "--target-share",
    type=SHARE,
    default=0.9,
    show_default=True,
    help="Share of the knowledge set to learn for the 'ratio needed' advice.",
)
@click.option(
    "--compact-tokens-per-fact",
    type=Positive(1e12),
    default=20.0,
    show_default=True,
    help="Tokens of a compact rephrasing of one fact (our estimate for a SynBio tuple).",
)
@click.option(
    "--plot",
    type=OutputFile(figure=True),
    help="Write the Pareto plot (facts learned vs web-loss increase) to this PNG (or PDF, SVG).",
)
@click.option("--export", type=click.Choice(["hf", "mosaicml", "olmix"]),
              help="Write the recommended mixture for a data loader (-o FILE): HF datasets "
              "probabilities, MosaicML streaming proportions, or olmix weights and repetition "
              "factors. One --model-size.")  # fmt: skip
@click.option("--output", "-o", type=OutputFile(), help="File for --export.")
@click.option("--doc-tokens", help="Mean document length in tokens of each source, e.g. "
              "knowledge=120,web=900 (converts token shares to document draws; hf, mosaicml).")  # fmt: skip
@click.option("--max-repetitions", type=Positive(1e9),
              help="Warn when the recipe repeats the knowledge set more often (needs "
              "--training-tokens).")  # fmt: skip
@knapsack_options
@training_option
@calibration_options
@json_option
@click.pass_context
def advise(ctx: click.Context, model_size, ratio, knowledge_tokens, max_ratio,
           max_web_loss_increase, target_share, compact_tokens_per_fact, plot, export, output,
           doc_tokens, max_repetitions, as_json, model, calibration_args) -> None:  # fmt: skip
    """Mixing-recipe advice from the theory, calibrated on your runs.

    Without a sub-command: knowledge mixing (knapsack model, Gu et al. 2025) for each --model-size
    at the current --ratio: critical ratio, learned fraction and expected accuracy, whether r
    learns, the best keep fraction for random subsampling, compact rephrasings, the ratio for a
    target share and its web-loss cost, a budgeted plan. Every number is a median with an
    interval over the model's draws: its priors unless --critical-ratio or --calibrate.
    """
    ctx.ensure_object(dict)["as_json"] = as_json
    if ctx.invoked_subcommand is not None:
        given = [p for p in _KNOWLEDGE_ONLY
                 if ctx.get_parameter_source(p) == click.core.ParameterSource.COMMANDLINE]  # fmt: skip
        if given:
            raise MixphaseInputError(f"--{given[0].replace('_', '-')} belongs to knowledge mixing "
                                     f"and cannot be used with '{ctx.invoked_subcommand}'")  # fmt: skip
        return
    from dataclasses import replace

    from mixphase.advise.knowledge import advise_knowledge

    if not model_size:
        raise MixphaseInputError("--model-size is required (or use a sub-command: real-share)")
    if ratio is None:
        raise MixphaseInputError("--ratio is required (the current mixing ratio, in (0, 1))")
    sizes = check_sizes(model_size, "--model-size")
    r = check_ratios((ratio,))[0]
    positive("--compact-tokens-per-fact", compact_tokens_per_fact)
    positive("--max-web-loss-increase", max_web_loss_increase)
    open_unit("--max-ratio", max_ratio)
    if not 0 < target_share <= 1:
        raise MixphaseInputError(f"--target-share must lie in (0, 1], got {target_share!r}")
    _check_export(export, output, doc_tokens, max_repetitions, model.training_tokens, len(sizes))
    if calibration_args["critical_ratio"] is not None and calibration_args["calibrate"] is not None:
        raise MixphaseInputError("give --critical-ratio or --calibrate, not both")
    model = replace(model, knowledge=_knowledge(ctx, model.knowledge, knowledge_tokens))
    cal = build_calibration(model, default_size=sizes[0], **calibration_args)
    result = advise_knowledge(
        model, sizes, r, calibration=cal, target_share=target_share,
        compact_tokens_per_fact=compact_tokens_per_fact, max_ratio=max_ratio,
        max_web_loss_increase=max_web_loss_increase,
    )  # fmt: skip
    if plot is not None:
        from mixphase.advise.plot import plot_pareto
        from mixphase.io import output_set

        with output_set((plot, "--plot")):
            plot_pareto(result, plot)
    if export is not None:
        from mixphase.advise import export as ex
        from mixphase.io import output_set

        docs = ex.parse_doc_tokens(doc_tokens) if doc_tokens else None
        recipe = ex.recipe_from_advice(result, docs, max_repetitions)
        with output_set((output, "-o")):
            warnings = ex.write_recipe(recipe, export, output)
        for w in warnings:
            warn(w)
    emit(result, as_json)


def _check_export(export, output, doc_tokens, max_repetitions, training_tokens, n_sizes) -> None:
    if (export is None) != (output is None):
        raise MixphaseInputError("--export FORMAT and -o FILE go together")
    if export is None and (doc_tokens or max_repetitions is not None):
        raise MixphaseInputError("--doc-tokens and --max-repetitions belong to --export")
    if export is None:
        return
    if n_sizes != 1:
        raise MixphaseInputError("--export writes one recipe: give one --model-size")
    if export in ("hf", "mosaicml") and not doc_tokens:
        raise MixphaseInputError(f"--export {export} draws documents: give --doc-tokens "
                                 "knowledge=N,web=N (mean tokens per document of each source)")  # fmt: skip
    if export == "olmix" and training_tokens is None:
        raise MixphaseInputError("--export olmix needs --training-tokens (repetition factors)")
    positive("--max-repetitions", max_repetitions)
    if max_repetitions is not None and training_tokens is None:
        raise MixphaseInputError("--max-repetitions needs --training-tokens")


def _knowledge(ctx: click.Context, knowledge, s1: float | None):
    """Apply --knowledge-tokens: S1 = facts x tokens per fact (checked when all three are given)."""
    from dataclasses import replace

    if s1 is None:
        return knowledge
    positive("--knowledge-tokens", s1)
    tpf_given = (
        ctx.get_parameter_source("tokens_per_fact") == click.core.ParameterSource.COMMANDLINE
    )
    facts_given = ctx.get_parameter_source("facts") == click.core.ParameterSource.COMMANDLINE
    if tpf_given and facts_given:
        if abs(knowledge.tokens - s1) > 1e-6 * s1:
            raise MixphaseInputError(
                f"inconsistent units: --knowledge-tokens {s1:g} but --facts x --tokens-per-fact = "
                f"{knowledge.tokens:g}; give two of the three"
            )
        return knowledge
    if tpf_given:  # S1 and tokens per fact: the number of facts follows
        return replace(knowledge, n_facts=s1 / knowledge.tokens_per_fact)
    return replace(knowledge, tokens_per_fact=s1 / knowledge.n_facts)


@advise.command("real-share")
@click.option("--beta", type=BETA, required=True, help="Zipf exponent of the real data (> 1).")
@click.option(
    "--data-size",
    "-s",
    type=Number(float, 1, 1e15),
    help="Training items |S| (the data budget): gives the critical real share.",
)
@click.option(
    "--real-share",
    "--pi",
    "real_share",
    type=REAL_SHARE,
    help="Your real share pi, in (0, 1]: gives the data size it needs.",
)
@click.option(
    "--cutoff",
    "-k",
    type=Count(1, ITEMS_MAX, reason=ITEMS_REASON),
    help="Synthetic cutoff rank k (at most --n-items).",
)
@click.option("--top-p", type=SHARE, help="Generator's top-p (nucleus) threshold.")
@click.option(
    "--temperature",
    type=TEMPERATURE,
    help="Generator temperature (with --synthetic-samples, default 1e6).",
)
@click.option(
    "--synthetic-samples", type=Number(float, 1, 1e18), help="Number of synthetic samples drawn."
)
@click.option(
    "--n-items",
    type=Count(2, ITEMS_MAX, reason=ITEMS_REASON),
    default=1_000_000,
    show_default=True,
    help="Size of the item universe (ranks) of the Zipf law.",
)
@click.option(
    "--loss-real", type=NonNegative(1e6), help="Bound term: empirical loss on the real data."
)
@click.option(
    "--loss-synthetic", type=NonNegative(1e6), help="Bound term: empirical loss on synthetic data."
)
@click.option("--mmd-real", type=NonNegative(1e6), help="Bound term: MMD(real, test).")
@click.option("--mmd-synthetic", type=NonNegative(1e6), help="Bound term: MMD(synthetic, test).")
@click.option("--ntk-quadratic", type=NonNegative(1e12), help="Bound term: yhat^T Theta0^-1 yhat.")
@click.option(
    "--delta", type=FRACTION, default=0.05, show_default=True, help="Bound's confidence 1-delta."
)
@click.option(
    "--complexity-scale",
    type=Positive(1e6),
    default=1.0,
    show_default=True,
    help="Constant C of the NTK complexity term.",
)
@json_option
@click.pass_context
def real_share_cmd(ctx, beta, data_size, real_share, cutoff, top_p, temperature, synthetic_samples,
                   n_items, loss_real, loss_synthetic, mmd_real, mmd_synthetic, ntk_quadratic, delta,
                   complexity_scale, as_json) -> None:  # fmt: skip
    """Real-synthetic mixing (three-phase model, Wang et al. 2025): the critical real share for a
    data budget, the data a share needs, and the share that minimises the generalisation bound
    (give all five bound terms)."""
    from mixphase.advise.real_share import advise_real_share
    from mixphase.theory.truncation import Truncation

    check_cutoff(cutoff, n_items)
    if real_share is not None and not 0 < real_share <= 1:
        raise MixphaseInputError(f"--real-share must lie in (0, 1], got {real_share!r}")
    open_unit("--delta", delta)
    positive("--complexity-scale", complexity_scale)
    terms = {"loss_real": loss_real, "loss_synthetic": loss_synthetic, "mmd_real": mmd_real,
             "mmd_synthetic": mmd_synthetic, "ntk_quadratic": ntk_quadratic}  # fmt: skip
    bound_terms = terms if any(v is not None for v in terms.values()) else None
    result = advise_real_share(
        beta, Truncation(cutoff, top_p, temperature, synthetic_samples), data_size=data_size,
        real_share=real_share, n_items=n_items, bound_terms=bound_terms, delta=delta,
        complexity_scale=complexity_scale,
    )  # fmt: skip
    emit(result, as_json or (ctx.obj or {}).get("as_json", False))
