"""Helpers shared by the click command modules: output and option validation."""

from __future__ import annotations

import math
from typing import Any

import click

from mixphase.errors import MixphaseInputError
from mixphase.records import dumps

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object on stdout and nothing else."
)
seed_option = click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed (bit-reproducible on CPU)."
)


def emit(result: Any, as_json: bool) -> None:
    """Print a result: its ``to_dict()`` as one JSON line, or its readable ``__str__``."""
    if as_json:
        click.echo(dumps(result))
    else:
        click.echo(str(result))


def warn(message: str | None) -> None:
    """Print ``mixphase: warning: MESSAGE`` on stderr (nothing for None): stdout stays clean."""
    if message:
        click.echo(f"mixphase: warning: {message}", err=True)


def positive(name: str, value: float | None) -> float | None:
    """Check a finite, strictly positive number (None passes through)."""
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0:
        raise MixphaseInputError(f"{name} must be a positive finite number, got {value!r}")
    return value


def open_unit(name: str, value: float | None) -> float | None:
    """Check a number strictly inside (0, 1) (None passes through)."""
    if value is None:
        return None
    if not math.isfinite(value) or not 0 < value < 1:
        raise MixphaseInputError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return value
