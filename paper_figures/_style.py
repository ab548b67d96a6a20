"""Shared look and output of the paper figures: Okabe-Ito colours, font sizes, saving.

Every figure uses :func:`figure` for its axes and :func:`save` for its files, so all of them
share one palette (Okabe & Ito 2008, safe for the common colour-vision deficiencies; each curve
also gets its own line style or marker so nothing depends on colour alone), one font size and
one set of outputs: ``<stem>.png`` (150 dpi), ``<stem>.pdf`` and ``<stem>.csv`` (the data drawn).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Okabe-Ito colours in the order the figures use them (yellow last: weak on white).
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "orange": "#E69F00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}
PALETTE: tuple[str, ...] = tuple(OKABE_ITO.values())
LINESTYLES: tuple = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), "-", "--")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")

FONT_SIZE = 10
RC = {
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.labelsize": FONT_SIZE + 1,
    "legend.fontsize": FONT_SIZE - 1,
    "legend.title_fontsize": FONT_SIZE - 1,
    "xtick.labelsize": FONT_SIZE - 1,
    "ytick.labelsize": FONT_SIZE - 1,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,
}


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th curve of a figure."""
    return {
        "color": color(i),
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float = 3.6):
    """A headless figure with the shared style (``(fig, axes)``; ``axes`` squeezed)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(RC)
    width = width if width is not None else (5.2 if ncols == 1 else 4.4 * ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows), squeeze=True)
    return fig, axes


def save(fig, out: Path, stem: str, rows: Sequence[dict] | None = None) -> list[Path]:
    """Write ``stem``.png/.pdf (and .csv of ``rows``) under ``out``; close the figure."""
    import matplotlib.pyplot as plt

    from mixphase.io import save_figure

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in ("png", "pdf"):
        path = out / f"{stem}.{ext}"
        save_figure(fig, path, metadata={"CreationDate": None} if ext == "pdf" else None)
        paths.append(path)
    plt.close(fig)
    if rows is not None:
        paths.append(write_csv(out / f"{stem}.csv", rows))
    return paths


def write_csv(path: Path, rows: Iterable[dict]) -> Path:
    """Rows (dicts) as CSV; the header is the union of keys in first-seen order."""
    from mixphase.io import atomic_write

    rows = list(rows)
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    with atomic_write(path, "w") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _fmt(v) for k, v in row.items()})
    return Path(path)


def _fmt(v):
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.8g}"
    return v


def legend_below(ax, ncol: int = 2, gap: float = 0.62, **kw):
    """The axes' legend ``gap`` inches below the axes (under the tick labels and the x label),
    outside the data; the figure is saved with ``bbox_inches="tight"``, so nothing is cut."""
    from matplotlib.transforms import ScaledTranslation

    kw.setdefault("frameon", False)
    shift = ax.transAxes + ScaledTranslation(0, -gap, ax.figure.dpi_scale_trans)
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=shift, ncol=ncol,
                     **kw)  # fmt: skip


def size_label(n: float) -> str:
    """``70M``, ``1.4B``, ``20k`` parameters."""
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:.3g}"


def note(ax, text: str, loc: str = "lower left") -> None:
    """A small boxed note inside the axes."""
    from matplotlib.offsetbox import AnchoredText

    box = AnchoredText(text, loc=loc, prop={"size": FONT_SIZE - 1}, frameon=True)
    box.patch.set_boxstyle("round,pad=0.3")
    box.patch.set_alpha(0.85)
    box.patch.set_edgecolor("0.7")
    ax.add_artist(box)
