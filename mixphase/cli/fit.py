"""``mixphase fit``: Bayesian fits of breakpoints, transitions and power laws to logged curves.

Thin shell over :mod:`mixphase.fit`: reads the file, fits each curve, prints ``__str__`` or
``--json`` (one object; a list of objects with a ``curve`` key when the file has several
curves), and optionally writes a plot (``--plot``) and the posterior as netCDF (``--save``).
"""

from __future__ import annotations

from pathlib import Path

import click

from mixphase.cli._common import (
    FRACTION,
    Count,
    Number,
    OutputFile,
    group_json_option,
    json_option,
    seed_option,
    want_json,
)
from mixphase.errors import MixphaseInputError
from mixphase.records import dumps

file_arg = click.argument("path", type=click.Path(path_type=Path))
ci_option = click.option("--ci", type=FRACTION, default=0.9, show_default=True,
                         help="Level of the central credible intervals.")  # fmt: skip
x_col_option = click.option("--x-col", default=None,
                            help="Column (or TensorBoard scalar tag) of x. Default: 'x', else a "
                            "step column (step, _step, global_step; a TensorBoard run's step).")  # fmt: skip
curve_col_option = click.option("--curve-col", default=None,
                                help="Column naming the curve (fit each curve separately). "
                                "Default: 'curve' or 'run' when present; TensorBoard and W&B "
                                "runs are curves.")  # fmt: skip
plot_option = click.option("--plot", "plot_path", type=OutputFile(figure=True),
                           help="Write a figure (PNG/PDF/SVG by extension).")  # fmt: skip
save_option = click.option("--save", "save_path", type=OutputFile(),
                           help="Write the posterior as ArviZ InferenceData netCDF (.nc).")  # fmt: skip
label_options = [
    click.option("--x-label", help="x-axis label of --plot (default: the x column), e.g. "
                 "'model size (parameters)'."),
    click.option("--y-label", help="y-axis label of --plot (default: the y column)."),
]  # fmt: skip
engine_option = click.option("--engine", type=click.Choice(["fast", "pymc"]), default="fast",
                             show_default=True,
                             help="fast: exact marginal on a grid; pymc: NUTS (Student-t noise).")  # fmt: skip
sampler_options = [
    click.option(
        "--sampler",
        type=click.Choice(["auto", "nutpie", "numpyro", "pymc"]),
        default="auto",
        show_default=True,
        help="NUTS implementation for --engine pymc (same posterior; auto: the fastest "
        "installed, nutpie > pymc > numpyro; nutpie: pip install 'mixphase[fast-nuts]').",
    ),
    click.option(
        "--draws", type=Count(10, 10**6), default=1000, show_default=True, help="NUTS draws/chain."
    ),
    click.option(
        "--tune", type=Count(0, 10**6), default=1000, show_default=True, help="NUTS tuning steps."
    ),
    click.option("--chains", type=Count(1, 64), default=4, show_default=True, help="NUTS chains."),
]


def _sampler(func):
    for opt in reversed(sampler_options):
        func = opt(func)
    return func


def _labels(func):
    for opt in reversed(label_options):
        func = opt(func)
    return func


def _read(path, x_col, y_col):
    """The table and its x column's name (resolved: --x-col, or a step column)."""
    from mixphase.readers import read_table, x_column

    table = read_table(path, metric=y_col)
    return table, (x_column(table, x_col) if table.records else x_col)


def _check_sampler(draws, tune, chains):
    for name, v, low in (("--draws", draws, 10), ("--tune", tune, 0), ("--chains", chains, 1)):
        if v < low:
            raise MixphaseInputError(f"{name} must be at least {low}, got {v}")


def _sampler_for(engine: str, sampler: str) -> str | None:
    """``--sampler`` applies to ``--engine pymc``; a named one with the fast engine is an error."""
    if engine != "pymc":
        if sampler != "auto":
            raise MixphaseInputError(f"--sampler {sampler} needs --engine pymc (the fast engine "
                                     "does not sample)")  # fmt: skip
        return None
    return sampler


@click.group()
@group_json_option
def fit(as_json: bool) -> None:
    """Bayesian fits of breakpoints, phase transitions and power laws; swarm threshold checks.

    Input: CSV/TSV, JSON/JSONL, Parquet, a TensorBoard event folder or a W&B export (see
    docs/inputs.md); each run or curve is fitted separately.
    """


def _suffixed(path: Path, curve: str, several: bool) -> Path:
    if not several:
        return path
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in curve)
    return path.with_name(f"{path.stem}_{safe}{path.suffix}")


def _outputs(names, plot_path: Path | None, save_path: Path | None):
    """The command's files (one --save file per curve), checked now and written together."""
    from mixphase.io import output_set

    several = len(names) > 1
    saves = [(_suffixed(save_path, n, several), "--save") for n in names] if save_path else []
    return output_set((plot_path, "--plot"), *saves)


def _write(results: list[tuple[str, object]], plot_path, save_path, labels: dict) -> None:
    several = len(results) > 1
    if save_path is not None:
        for name, res in results:
            res.save(_suffixed(save_path, name, several))
    if plot_path is not None:
        _plot(results, plot_path, labels)


def _finish(results: list[tuple[str, object]], as_json: bool) -> None:
    several = len(results) > 1
    if want_json(as_json):
        if several:
            click.echo(dumps([{"curve": name, **res.to_dict()} for name, res in results]))
        else:
            click.echo(dumps(results[0][1].to_dict()))
        return
    for i, (name, res) in enumerate(results):
        if several:
            click.echo(("\n" if i else "") + f"== curve: {name} ==")
        click.echo(str(res))


def _plot(results, path: Path, labels: dict) -> None:
    """One panel per curve (no empty panels), one legend for all, outside the data."""
    from matplotlib.figure import Figure

    from mixphase.fit.plots import save_figure

    n = len(results)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig = Figure(figsize=(5.5 * cols, 3.8 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (name, res) in zip(axes, results, strict=False):
        res.plot(ax=ax, title=name if n > 1 else None, legend=False,
                 **{k: v for k, v in labels.items() if v})  # fmt: skip
    for ax in axes[n:]:
        fig.delaxes(ax)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncol=min(len(names), 4),
               frameon=False, fontsize=9)  # fmt: skip
    save_figure(axes[0], path)


def _fit_each(curves: dict, fit_one, as_json: bool) -> list:
    """``[(name, fit_one(table, progress)), ...]`` over the curves; an input error names its
    curve. Progress: a bar over several curves, else the one fit's own (NUTS) bar."""
    from mixphase import progress

    several = len(curves) > 1
    quiet = want_json(as_json)
    show = progress.enabled(quiet)
    results = []
    for name, t in progress.bar(curves.items(), total=len(curves), desc="curves", unit="curve",
                                quiet=quiet or not several):  # fmt: skip
        try:
            results.append((name, fit_one(t, show and not several)))
        except MixphaseInputError as exc:
            raise MixphaseInputError(
                f"curve {name!r}: {exc}" if len(curves) > 1 else str(exc)
            ) from None
    return results


@fit.command("breakpoints")
@file_arg
@click.option("--n-breakpoints", "-k", default="2", show_default=True,
              help="Number of breakpoints (0-3) or 'auto' (by exact evidence with the fast "
              "engine, PSIS-LOO with pymc).")  # fmt: skip
@ci_option
@seed_option
@engine_option
@click.option("--noise", type=click.Choice(["normal", "student_t"]), default="normal",
              show_default=True, help="Noise on log y (student_t needs --engine pymc).")  # fmt: skip
@x_col_option
@click.option("--y-col", default="y", show_default=True,
              help="Column, TensorBoard scalar tag or W&B metric of y (e.g. 'train/loss').")  # fmt: skip
@click.option("--y-err-col", default="y_err", show_default=True,
              help="Column of known standard errors of y (used when present).")  # fmt: skip
@curve_col_option
@click.option("--smoothness", type=Number(float, 0, 1), default=0.003, show_default=True,
              help="Softplus width of each kink, as a fraction of the log-x range (0 = hinge).")  # fmt: skip
@click.option("--share", default=None,
              help="Fit all curves jointly sharing 'breakpoints' (or 'breakpoints,slopes'); "
              "needs --engine pymc and several curves.")  # fmt: skip
@_sampler
@json_option
@plot_option
@_labels
@save_option
def breakpoints_cmd(path, n_breakpoints, ci, seed, engine, noise, x_col, y_col, y_err_col,
                    curve_col, smoothness, share, sampler, draws, tune, chains, as_json,
                    plot_path, x_label, y_label, save_path):  # fmt: skip
    """Where does a logged curve change phase? Piecewise power-law fit of each curve in PATH."""
    from mixphase.fit import fit_breakpoints, read_curves

    k = n_breakpoints.strip().lower()
    if k != "auto":
        if k not in {"0", "1", "2", "3"}:
            raise MixphaseInputError(f"--n-breakpoints must be 0, 1, 2, 3 or auto, got {k!r}")
        k = int(k)
    _check_sampler(draws, tune, chains)
    sampler = _sampler_for(engine, sampler)
    if noise == "student_t" and engine != "pymc":
        raise MixphaseInputError("--noise student_t needs --engine pymc")
    if share is not None and engine != "pymc":
        raise MixphaseInputError("--share needs --engine pymc (one joint NUTS fit)")
    table, x_col = _read(path, x_col, y_col)
    curves = read_curves(table, x_col, y_col, curve_col, extra_cols=(y_err_col,))
    labels = {"xlabel": x_label or x_col, "ylabel": y_label or y_col}
    if share is not None:
        from mixphase import progress

        _shared(curves, k, share, curve_col, y_err_col, as_json, plot_path, save_path, labels,
                ci=ci, seed=seed, noise=noise, smoothness=smoothness, draws=draws, tune=tune,
                chains=chains, sampler=sampler,
                progress=progress.enabled(want_json(as_json)))  # fmt: skip
        return
    with _outputs(curves, plot_path, save_path):
        results = _fit_each(curves, lambda t, show: fit_breakpoints(
            t["x"], t["y"], k, ci=ci, seed=seed, engine=engine, noise=noise,
            y_err=t.get(y_err_col), smoothness=smoothness, draws=draws, tune=tune, chains=chains,
            sampler=sampler, progress=show), as_json)  # fmt: skip
        _write(results, plot_path, save_path, labels)
    _finish(results, as_json)


def _shared(curves, k, share, curve_col, y_err_col, as_json, plot_path, save_path, labels,
            **kw) -> None:  # fmt: skip
    """``--share``: one joint fit of all curves, printed as one object."""
    from mixphase.fit import fit_breakpoints_shared

    if len(curves) < 2:
        raise MixphaseInputError(f"--share needs several curves (a {curve_col or 'curve'!r} column "
                                 f"with at least two values), found {len(curves)}")  # fmt: skip
    if k == "auto":
        raise MixphaseInputError("--share needs a fixed --n-breakpoints (1-3), not auto")
    from mixphase.io import output_set

    data = {name: (t["x"], t["y"], t.get(y_err_col)) for name, t in curves.items()}
    with output_set((plot_path, "--plot"), (save_path, "--save")):
        res = fit_breakpoints_shared(data, k, share=share, **kw)
        if save_path is not None:
            res.save(save_path)
        if plot_path is not None:
            _plot(list(res.fits.items()), plot_path, labels)
    click.echo(dumps(res.to_dict()) if want_json(as_json) else str(res))


@fit.command("transition")
@file_arg
@ci_option
@seed_option
@engine_option
@x_col_option
@click.option("--y-col", default="y", show_default=True,
              help="Column of the measured value (accuracy), used without counts.")  # fmt: skip
@click.option("--correct-col", default="correct", show_default=True,
              help="Column of correct counts (binomial likelihood with --total-col).")  # fmt: skip
@click.option("--total-col", default="total", show_default=True, help="Column of trial counts.")
@curve_col_option
@_sampler
@json_option
@plot_option
@_labels
@save_option
def transition_cmd(path, ci, seed, engine, x_col, y_col, correct_col, total_col, curve_col,
                   sampler, draws, tune, chains, as_json, plot_path, x_label, y_label,
                   save_path):  # fmt: skip
    """Critical point of a sigmoid transition in log x (accuracy vs. ratio or size)."""
    from mixphase.fit import fit_transition, read_curves

    _check_sampler(draws, tune, chains)
    sampler = _sampler_for(engine, sampler)
    table, x_col = _read(path, x_col, y_col)
    counts = all(table.find(c, required=False) for c in (correct_col, total_col))
    ylabel = y_label or (f"accuracy ({correct_col} / {total_col})" if counts else y_col)
    curves = read_curves(table, x_col, None if counts else y_col, curve_col,
                         extra_cols=(correct_col, total_col) if counts else ())  # fmt: skip
    kw = dict(ci=ci, seed=seed, engine=engine, draws=draws, tune=tune, chains=chains,
              sampler=sampler)  # fmt: skip

    def fit_one(t, show):
        if counts:
            return fit_transition(t["x"], correct=t[correct_col], total=t[total_col],
                                  progress=show, **kw)  # fmt: skip
        return fit_transition(t["x"], t["y"], progress=show, **kw)

    with _outputs(curves, plot_path, save_path):
        results = _fit_each(curves, fit_one, as_json)
        _write(results, plot_path, save_path, {"xlabel": x_label or x_col, "ylabel": ylabel})
    _finish(results, as_json)


@fit.command("power-law")
@file_arg
@ci_option
@seed_option
@x_col_option
@click.option("--y-col", default="y", show_default=True, help="Column of y (e.g. critical ratio).")
@click.option("--y-lower-col", default="y_lower", show_default=True,
              help="Column of each point's lower interval bound (used when present).")  # fmt: skip
@click.option("--y-upper-col", default="y_upper", show_default=True,
              help="Column of each point's upper interval bound.")  # fmt: skip
@click.option("--interval-level", type=FRACTION, default=0.9, show_default=True,
              help="Level of the per-point intervals.")  # fmt: skip
@click.option(
    "--predicted-exponent",
    type=Number(float, -100, 100),
    help="The theory's exponent to compare with.",
)
@curve_col_option
@json_option
@plot_option
@_labels
@save_option
def power_law_cmd(path, ci, seed, x_col, y_col, y_lower_col, y_upper_col, interval_level,
                  predicted_exponent, curve_col, as_json, plot_path, x_label, y_label,
                  save_path):  # fmt: skip
    """Exponent of a power law y = A x^alpha (e.g. critical ratio vs. model size)."""
    from mixphase.fit import fit_power_law, read_curves

    table, x_col = _read(path, x_col, y_col)
    curves = read_curves(table, x_col, y_col, curve_col, extra_cols=(y_lower_col, y_upper_col))
    with _outputs(curves, plot_path, save_path):
        results = _fit_each(curves, lambda t, show: fit_power_law(
            t["x"], t["y"], t.get(y_lower_col), t.get(y_upper_col), ci=ci, seed=seed,
            predicted_exponent=predicted_exponent, interval_level=interval_level), as_json)  # fmt: skip
        _write(
            results, plot_path, save_path, {"xlabel": x_label or x_col, "ylabel": y_label or y_col}
        )
    _finish(results, as_json)


@fit.command("swarm")
@click.argument("ratios", type=click.Path(path_type=Path))
@click.argument("metrics", type=click.Path(path_type=Path), required=False)
@click.option("--domains", help="Comma-separated weight columns (default: every column of RATIOS "
              "but the run id; required when one file holds weights and metrics).")  # fmt: skip
@click.option("--metric", "metric_names", multiple=True,
              help="Metric column to check (repeatable; default: every metric column).")  # fmt: skip
@click.option("--run-col", default=None,
              help="Run id column joining the files (default: run_id, run, id or name).")  # fmt: skip
@click.option("--sum-tol", type=FRACTION, default=0.01, show_default=True,
              help="Tolerance on each run's weights summing to 1.")  # fmt: skip
@click.option("--threshold", "log_bf", type=Number(float, 0, 100), default=3.0, show_default=True,
              help="Log Bayes factor (transition vs smooth) needed to call a threshold.")  # fmt: skip
@ci_option
@seed_option
@json_option
def swarm_cmd(ratios, metrics, domains, metric_names, run_col, sum_tol, log_bf, ci, seed,
              as_json):  # fmt: skip
    """Which domains of a mixture swarm have a threshold? olmix layout: RATIOS (one row per run:
    run id, one weight column per domain) and METRICS (run id, metric columns), or one file.

    Per metric and domain, a step in the domain's log weight is compared with a smooth law by
    their marginal likelihoods (log Bayes factor); see mixphase.fit.swarm.
    """
    from mixphase.cli._common import emit
    from mixphase.fit.swarm import check_swarm
    from mixphase.readers.swarm import read_swarm

    doms = [d.strip() for d in domains.split(",") if d.strip()] if domains else None
    data = read_swarm(ratios, metrics, domains=doms, metric_names=metric_names or None,
                      run_col=run_col, sum_tol=sum_tol)  # fmt: skip
    emit(check_swarm(data.weights, data.metrics, data.domains, ci=ci, seed=seed, threshold=log_bf,
                     sum_tol=sum_tol, source=data.source), as_json)  # fmt: skip
