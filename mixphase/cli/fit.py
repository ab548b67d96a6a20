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
x_col_option = click.option("--x-col", default="x", show_default=True,
                            help="Column of x (e.g. 'Step' in a TensorBoard/W&B CSV export).")  # fmt: skip
curve_col_option = click.option("--curve-col", default="curve", show_default=True,
                                help="Column naming the curve (fit each curve separately).")  # fmt: skip
plot_option = click.option("--plot", "plot_path", type=OutputFile(figure=True),
                           help="Write a figure (PNG/PDF/SVG by extension).")  # fmt: skip
save_option = click.option("--save", "save_path", type=OutputFile(),
                           help="Write the posterior as ArviZ InferenceData netCDF (.nc).")  # fmt: skip
engine_option = click.option("--engine", type=click.Choice(["fast", "pymc"]), default="fast",
                             show_default=True,
                             help="fast: exact marginal on a grid; pymc: NUTS (Student-t noise).")  # fmt: skip
sampler_options = [
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


def _check_sampler(draws, tune, chains):
    for name, v, low in (("--draws", draws, 10), ("--tune", tune, 0), ("--chains", chains, 1)):
        if v < low:
            raise MixphaseInputError(f"{name} must be at least {low}, got {v}")


@click.group()
@group_json_option
def fit(as_json: bool) -> None:
    """Bayesian fits of breakpoints, phase transitions and power laws (CSV or JSONL input)."""


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


def _write(results: list[tuple[str, object]], plot_path, save_path) -> None:
    several = len(results) > 1
    if save_path is not None:
        for name, res in results:
            res.save(_suffixed(save_path, name, several))
    if plot_path is not None:
        _plot(results, plot_path)


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


def _plot(results, path: Path) -> None:
    from matplotlib.figure import Figure

    from mixphase.fit.plots import save_figure

    n = len(results)
    cols = min(n, 3)
    rows = -(-n // cols)
    fig = Figure(figsize=(5.5 * cols, 3.8 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (name, res) in zip(axes, results, strict=False):
        res.plot(ax=ax, title=name if n > 1 else None)
    for ax in axes[n:]:
        ax.set_visible(False)
    save_figure(axes[0], path)


def _fit_each(curves: dict, fit_one) -> list:
    """``[(name, fit_one(table)), ...]`` over the curves; an input error names its curve."""
    results = []
    for name, t in curves.items():
        try:
            results.append((name, fit_one(t)))
        except MixphaseInputError as exc:
            raise MixphaseInputError(
                f"curve {name!r}: {exc}" if len(curves) > 1 else str(exc)
            ) from None
    return results


@fit.command("breakpoints")
@file_arg
@click.option("--n-breakpoints", "-k", default="2", show_default=True,
              help="Number of breakpoints (0-3) or 'auto' (PSIS-LOO comparison).")  # fmt: skip
@ci_option
@seed_option
@engine_option
@click.option("--noise", type=click.Choice(["normal", "student_t"]), default="normal",
              show_default=True, help="Noise on log y (student_t needs --engine pymc).")  # fmt: skip
@x_col_option
@click.option("--y-col", default="y", show_default=True, help="Column of y (e.g. 'Value').")
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
@save_option
def breakpoints_cmd(path, n_breakpoints, ci, seed, engine, noise, x_col, y_col, y_err_col,
                    curve_col, smoothness, share, draws, tune, chains, as_json, plot_path,
                    save_path):  # fmt: skip
    """Where does a logged curve change phase? Piecewise power-law fit of CURVE (CSV/JSONL)."""
    from mixphase.fit import fit_breakpoints, read_curves

    k = n_breakpoints.strip().lower()
    if k != "auto":
        if k not in {"0", "1", "2", "3"}:
            raise MixphaseInputError(f"--n-breakpoints must be 0, 1, 2, 3 or auto, got {k!r}")
        k = int(k)
    _check_sampler(draws, tune, chains)
    if noise == "student_t" and engine != "pymc":
        raise MixphaseInputError("--noise student_t needs --engine pymc")
    if share is not None and engine != "pymc":
        raise MixphaseInputError("--share needs --engine pymc (one joint NUTS fit)")
    curves = read_curves(path, x_col, y_col, curve_col, extra_cols=(y_err_col,))
    if share is not None:
        _shared(curves, k, share, curve_col, y_err_col, as_json, plot_path, save_path, ci=ci, seed=seed,
                noise=noise, smoothness=smoothness, draws=draws, tune=tune, chains=chains)  # fmt: skip
        return
    with _outputs(curves, plot_path, save_path):
        results = _fit_each(curves, lambda t: fit_breakpoints(
            t["x"], t["y"], k, ci=ci, seed=seed, engine=engine, noise=noise,
            y_err=t.get(y_err_col), smoothness=smoothness, draws=draws, tune=tune, chains=chains))  # fmt: skip
        _write(results, plot_path, save_path)
    _finish(results, as_json)


def _shared(curves, k, share, curve_col, y_err_col, as_json, plot_path, save_path, **kw) -> None:
    """``--share``: one joint fit of all curves, printed as one object."""
    from mixphase.fit import fit_breakpoints_shared

    if len(curves) < 2:
        raise MixphaseInputError(f"--share needs several curves (a {curve_col!r} column with at "
                                 f"least two values), found {len(curves)}")  # fmt: skip
    if k == "auto":
        raise MixphaseInputError("--share needs a fixed --n-breakpoints (1-3), not auto")
    from mixphase.io import output_set

    data = {name: (t["x"], t["y"], t.get(y_err_col)) for name, t in curves.items()}
    with output_set((plot_path, "--plot"), (save_path, "--save")):
        res = fit_breakpoints_shared(data, k, share=share, **kw)
        if save_path is not None:
            res.save(save_path)
        if plot_path is not None:
            _plot(list(res.fits.items()), plot_path)
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
@save_option
def transition_cmd(path, ci, seed, engine, x_col, y_col, correct_col, total_col, curve_col,
                   draws, tune, chains, as_json, plot_path, save_path):  # fmt: skip
    """Critical point of a sigmoid transition in log x (accuracy vs. ratio or size)."""
    from mixphase.fit import fit_transition, read_curves
    from mixphase.fit.data import _read_rows

    _check_sampler(draws, tune, chains)
    rows = _read_rows(Path(path))
    present = set().union(*(r.keys() for r in rows)) if rows else set()
    counts = correct_col in present and total_col in present
    curves = read_curves(path, x_col, None if counts else y_col, curve_col,
                         extra_cols=(correct_col, total_col) if counts else ())  # fmt: skip
    kw = dict(ci=ci, seed=seed, engine=engine, draws=draws, tune=tune, chains=chains)

    def fit_one(t):
        if counts:
            return fit_transition(t["x"], correct=t[correct_col], total=t[total_col], **kw)
        return fit_transition(t["x"], t["y"], **kw)

    with _outputs(curves, plot_path, save_path):
        results = _fit_each(curves, fit_one)
        _write(results, plot_path, save_path)
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
@save_option
def power_law_cmd(path, ci, seed, x_col, y_col, y_lower_col, y_upper_col, interval_level,
                  predicted_exponent, curve_col, as_json, plot_path, save_path):  # fmt: skip
    """Exponent of a power law y = A x^alpha (e.g. critical ratio vs. model size)."""
    from mixphase.fit import fit_power_law, read_curves

    curves = read_curves(path, x_col, y_col, curve_col, extra_cols=(y_lower_col, y_upper_col))
    with _outputs(curves, plot_path, save_path):
        results = _fit_each(curves, lambda t: fit_power_law(
            t["x"], t["y"], t.get(y_lower_col), t.get(y_upper_col), ci=ci, seed=seed,
            predicted_exponent=predicted_exponent, interval_level=interval_level))  # fmt: skip
        _write(results, plot_path, save_path)
    _finish(results, as_json)
