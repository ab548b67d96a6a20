"""Helpers shared by the click command modules: output and option validation."""

from __future__ import annotations

import math
from typing import Any

import click

from mixphase.errors import MixphaseInputError
from mixphase.records import dumps


class Number(click.ParamType):
    """A finite number inside ``[low, high]`` (ends open when asked), checked at parsing.

    Integers also accept integral scientific notation (``--n-items 1e6``). Every bound is explicit:
    NaN and infinities are refused, and ``high_reason`` names what sets an upper bound (memory,
    overflow), so a message says why. Used by every command, so one kind of option is checked
    one way everywhere.
    """

    def __init__(self, kind: type = float, low: float | None = None, high: float | None = None,
                 *, low_open: bool = False, high_open: bool = False,
                 high_reason: str = "") -> None:  # fmt: skip
        self.kind, self.low, self.high = kind, low, high
        self.low_open, self.high_open, self.high_reason = low_open, high_open, high_reason
        self.name = "integer" if kind is int else "float"

    def describe(self) -> str:
        what = "an integer" if self.kind is int else "a number"
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            what += f" in {'(' if self.low_open else '['}{_g(lo)}, {_g(hi)}{')' if self.high_open else ']'}"
        elif lo is not None:
            what += f" {'>' if self.low_open else '>='} {_g(lo)}"
        elif hi is not None:
            what += f" {'<' if self.high_open else '<='} {_g(hi)}"
        return what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, bool):
            self.fail(f"must be {self.describe()}, got {value!r}", param, ctx)
        v = value if isinstance(value, int | float) else self._parse(str(value).strip(), param, ctx)
        if not math.isfinite(v):
            self.fail(f"must be a finite number ({self.describe()}), got {value}", param, ctx)
        too_low = self.low is not None and (v <= self.low if self.low_open else v < self.low)
        too_high = self.high is not None and (v >= self.high if self.high_open else v > self.high)
        if too_low or too_high:
            why = f" ({self.high_reason})" if too_high and self.high_reason else ""
            self.fail(f"must be {self.describe()}{why}, got {value}", param, ctx)
        return v

    def _parse(self, text: str, param, ctx) -> float:
        try:
            f = float(text)
        except ValueError:
            self.fail(f"{text!r} is not {'an integer' if self.kind is int else 'a number'}",
                      param, ctx)  # fmt: skip
        if self.kind is not int or not math.isfinite(f):
            return f
        try:
            return int(text)
        except ValueError:
            if f != int(f):
                self.fail(f"{text!r} is not an integer", param, ctx)
            return int(f)


def _g(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e12 else f"{v:g}"


def Positive(high: float | None = None, *, kind: type = float, reason: str = "") -> Number:
    """A number > 0 (and <= ``high``)."""
    return Number(kind, 0, high, low_open=True, high_reason=reason)


def NonNegative(high: float | None = None, *, kind: type = float, reason: str = "") -> Number:
    """A number >= 0 (and <= ``high``)."""
    return Number(kind, 0, high, high_reason=reason)


def Count(low: int = 1, high: int | None = None, reason: str = "") -> Number:
    """An integer count in ``[low, high]``."""
    return Number(int, low, high, high_reason=reason)


# Shared ranges: bounds where overflow or memory would otherwise fail later, with the reason.
FRACTION = Number(float, 0, 1, low_open=True, high_open=True)  # strictly inside (0, 1)
RATIO = Number(float, 1e-12, 1, high_open=True)  # a mixing ratio (below 1e-12: nothing to mix)
TEMPERATURE = Number(float, 1e-3, 1e3)  # a generator's sampling temperature
REAL_SHARE = Number(float, 1e-12, 1)  # the real share pi of a mixture (|S|/pi must stay finite)
SHARE = Number(float, 0, 1, low_open=True)  # (0, 1]
PROBABILITY = Number(float, 0, 1)  # [0, 1]
MODEL_SIZE = Number(
    float, 1, 1e18, high_reason="parameters; larger sizes overflow the scaling laws"
)
TOKENS = Positive(1e18, reason="tokens; larger counts overflow the scaling laws")
SEED = Count(0, 2**32 - 1, reason="seeds are 32-bit")
ITEMS_MAX = 100_000_000  # 8-byte arrays of this length take 0.8 GB; the simulators hold several
ITEMS_REASON = "memory: arrays over the ranks need ~8 bytes each, several at once"


class OutputFile(click.ParamType):
    """A file a command will write: refused at parsing when it exists as a folder, device, FIFO
    or socket (links are followed: :func:`mixphase.io.resolve_target`); ``figure=True`` also
    needs a suffix matplotlib can write (png, pdf, svg, ...)."""

    name = "file"

    def __init__(self, figure: bool = False) -> None:
        self.figure = figure

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        from pathlib import Path

        from mixphase.io import check_figure_path, resolve_target

        path = Path(value)
        try:
            resolve_target(path)
            if self.figure:
                check_figure_path(path, option="")
        except MixphaseInputError as exc:
            self.fail(str(exc).strip(), param, ctx)
        return path


JSON_META = "mixphase.json"


def _json_callback(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[JSON_META] = True  # ctx.meta is shared with the sub-command's context
    return value


json_option = click.option(
    "--json", "as_json", is_flag=True, callback=_json_callback,
    help="Print one JSON object on stdout and nothing else.",
)  # fmt: skip
group_json_option = click.option(
    "--json", "as_json", is_flag=True, callback=_json_callback,
    help="JSON output for the sub-command (same as its own --json).",
)  # fmt: skip


def want_json(as_json: bool = False) -> bool:
    """``--json`` given to this command or to its group (``mixphase predict --json ...``)."""
    ctx = click.get_current_context(silent=True)
    return bool(as_json or (ctx is not None and ctx.meta.get(JSON_META)))


seed_option = click.option(
    "--seed", type=SEED, default=0, show_default=True, help="Random seed (bit-reproducible on CPU)."
)


def emit(result: Any, as_json: bool) -> None:
    """Print a result: its ``to_dict()`` as one JSON line, or its readable ``__str__``."""
    if want_json(as_json):
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
