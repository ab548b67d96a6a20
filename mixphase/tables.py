"""Plain-text tables of predictions whose cells are numbers or :class:`Estimate` records."""

from __future__ import annotations

import numpy as np

from mixphase.records import Estimate


def cell(v) -> str:
    """An estimate as ``median [lower, upper]`` ("never" where a bound is infinite), a number
    to 4 significant digits, strings as they are."""
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if isinstance(v, Estimate):
        if not np.isfinite(v.median):
            return "never"
        hi = "never" if not np.isfinite(v.upper) else f"{v.upper:.3g}"
        return f"{v.median:.3g} [{v.lower:.3g}, {hi}]"
    if isinstance(v, bool):
        return "yes" if v else "no"
    v = float(v)
    return "never" if not np.isfinite(v) else f"{v:.4g}"


def table_lines(rows: list[dict], columns: list[tuple], indent: int = 2) -> list[str]:
    """Header and one line per row; ``columns`` are ``(title, row -> value)`` pairs."""
    cells = [[cell(get(r)) for _, get in columns] for r in rows]
    widths = [max(len(t), *(len(c[j]) for c in cells)) for j, (t, _) in enumerate(columns)]
    pad = " " * indent
    out = [pad + "  ".join(t.rjust(w) for (t, _), w in zip(columns, widths, strict=True))]
    out += [pad + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return out


__all__ = ["cell", "table_lines"]
