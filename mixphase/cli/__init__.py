"""The ``mixphase`` command line: a thin click shell over the library.

Sub-commands are imported lazily (``LazyGroup``) so that ``mixphase --help`` and
``mixphase predict`` never import torch, pymc or cvxpy. Each command group lives in its own
module (``mixphase/cli/<group>.py``) and holds no science: it parses options, calls the library
and prints the result's ``__str__`` or, with ``--json``, its ``to_dict()``.

Errors: a :class:`~mixphase.errors.MixphaseInputError` or a click usage error becomes one line
``mixphase: error: ...`` on stderr and exit code 2, with no traceback; a
:class:`~mixphase.errors.MixphaseRunError` (work that failed where it ran, e.g. a sweep task on a
cluster) one such line and exit code 1.
"""

from __future__ import annotations

import importlib
import sys

import click

from mixphase import __version__
from mixphase.errors import MixphaseInputError, MixphaseRunError

# name -> "module:attribute"; the module is imported only when the command runs (or --help).
COMMANDS: dict[str, tuple[str, str]] = {
    "predict": ("mixphase.cli.predict:predict", "Predict critical ratios, sizes and breakpoints."),
    "simulate": ("mixphase.cli.simulate:simulate", "Simulate curves and phase diagrams."),
    "fit": ("mixphase.cli.fit:fit", "Bayesian fits of breakpoints, transitions, power laws."),
    "validate": ("mixphase.cli.validate:validate", "Train small transformers to test the theory."),
    "value": ("mixphase.cli.value:value", "Truncation-aware data valuation."),
    "advise": ("mixphase.cli.advise:advise", "Mixing-recipe advice calibrated on your runs."),
    "figures": ("mixphase.cli.figures:figures", "Reproduce the papers' figures."),
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (target, _) in COMMANDS.items() if _module_exists(target)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not _module_exists(COMMANDS[name][0]):
            return None
        module_name, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help from the table above, so --help imports no sub-command module.
        rows = [(n, COMMANDS[n][1]) for n in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mixphase")
def cli() -> None:
    """mixphase: predict, simulate, fit and check phase transitions in data mixtures."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, mapping bad input to a one-line error and exit code 2.

    SIGTERM/SIGHUP become an exception while the command runs, so temporary files and staged
    outputs are removed on the way out (exit 143 / 129), as on Ctrl-C (exit 130).
    """
    from mixphase.io import Terminated, signals_raise

    try:
        with signals_raise():
            rv = cli.main(args=argv, prog_name="mixphase", standalone_mode=False)
    except MixphaseInputError as exc:
        _fail(str(exc))
    except MixphaseRunError as exc:
        _fail(str(exc), code=1)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help(), err=True)  # the help as click prints it, not one line
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("mixphase: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        _fail(exc.format_message())
    except OSError as exc:
        _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    except KeyboardInterrupt:
        click.echo("mixphase: interrupted", err=True)
        sys.exit(130)
    except Terminated as exc:
        click.echo(f"mixphase: {exc}", err=True)
        sys.exit(128 + exc.signum)
    sys.exit(rv if isinstance(rv, int) else 0)


def _fail(message: str, code: int = 2) -> None:
    one_line = " ".join(str(message).split())
    click.echo(f"mixphase: error: {one_line}", err=True)
    sys.exit(code)
