"""The folder every bad-input case runs in: small valid input files plus hostile targets.

Files (names used verbatim in ``corpus.txt``):

- ``curve.csv`` (x,y: a broken power law), ``trans.csv`` (x,y: a sigmoid in log x, accuracy),
  ``pl.csv`` (x,y: a power law), ``runs.csv`` (model_size,ratio,accuracy: calibration runs),
  ``web.csv`` (model_size,web_loss), ``pop.csv`` (popularity,correct),
  ``data.csv`` / ``test.csv`` (a valuation pool and its test set), ``bom.csv`` (curve.csv with a
  UTF-8 byte-order mark), ``text.txt`` (web text), ``empty.csv`` (no bytes), ``header.csv``
  (a header only), ``junk.csv`` (not a table), ``nan.csv`` / ``huge.csv`` / ``tiny.csv`` /
  ``neg.csv`` (y NaN, ~1e300, ~1e-302, negative), ``huge_x.csv`` (x ~ 1e290),
  ``pl_overflow.csv`` (a power law whose prefactor is 1e350),
  ``huge_feature.csv`` (a valuation pool with a feature at 1e300), ``sweep/results.jsonl``.
- Targets a write must not replace: ``fifo`` (named pipe), ``chardev`` (a null device, made only
  when running as root), ``sock`` (a socket), ``folder/`` (a folder), ``link_fifo`` (a symlink
  to ``fifo``), ``file.txt`` (a plain file, e.g. to use as a parent folder).
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import stat
from pathlib import Path

import numpy as np


def _curve_rows(x, y) -> str:
    return "x,y\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, y, strict=True))


def make_workdir(root: Path) -> dict:
    """Create the files above in ``root``; return ``{"chardev": bool}`` (what could be made)."""
    rng = np.random.default_rng(0)
    x = np.logspace(0, 6, 30)
    lx = np.log(x)
    ly = -0.8 * lx + 0.75 * np.maximum(lx - np.log(1e2), 0) + 0.05 * rng.standard_normal(x.size)
    (root / "curve.csv").write_text(_curve_rows(x, np.exp(ly)))
    (root / "bom.csv").write_bytes(b"\xef\xbb\xbf" + _curve_rows(x, np.exp(ly)).encode())
    xt = np.logspace(-3, 0, 20)
    acc = 1 / (1 + np.exp(-4 * (np.log(xt) - np.log(0.03))))
    (root / "trans.csv").write_text(_curve_rows(xt, acc))
    (root / "pl.csv").write_text(_curve_rows(x[::3], 3 * x[::3] ** -0.5))
    (root / "nan.csv").write_text(_curve_rows(x[:5], [1, 2, math.nan, 4, 5]))
    (root / "huge.csv").write_text(_curve_rows(x, 1e300 * np.exp(ly)))
    (root / "tiny.csv").write_text(_curve_rows(x, 1e-302 * np.exp(ly)))
    (root / "neg.csv").write_text(_curve_rows(x, -np.exp(ly)))
    (root / "huge_x.csv").write_text(_curve_rows(1e290 * x, np.exp(ly)))
    xo = np.logspace(-200, -190, 20)
    (root / "pl_overflow.csv").write_text(_curve_rows(xo, (xo * 1e175) ** 2))  # A = 1e350
    (root / "empty.csv").write_text("")
    (root / "header.csv").write_text("x,y\n")
    (root / "junk.csv").write_bytes(b"\x00\xff\xfe garbage \x00\n\x01")
    (root / "runs.csv").write_text(
        "model_size,ratio,accuracy\n"
        + "".join(
            f"{n},{r},{a}\n"
            for n in (1e6, 4e6)
            for r, a in ((0.01, 0.02), (0.05, 0.3), (0.1, 0.7), (0.2, 0.9))
        )
    )
    (root / "web.csv").write_text("model_size,web_loss\n1e6,3.1\n4e6,2.8\n1.6e7,2.6\n")
    (root / "pop.csv").write_text(
        "popularity,correct\n" + "".join(f"{p},{int(p > 50)}\n" for p in range(1, 200, 3))
    )
    feats = rng.standard_normal((60, 2))
    contrib = [f"c{i % 6}" for i in range(60)]
    feats = feats.tolist()
    rows = "".join(f"{int(f[0] > 0)},{c},{i % 2},{f[0]!r},{f[1]!r}\n"
                   for i, (f, c) in enumerate(zip(feats, contrib, strict=True)))  # fmt: skip
    (root / "data.csv").write_text("label,contributor,is_synthetic,f0,f1\n" + rows)
    (root / "huge_feature.csv").write_text(
        "label,contributor,is_synthetic,f0,f1\n" + rows.replace(f"{feats[3][1]!r}\n", "1e300\n")
    )
    tf = rng.standard_normal((20, 2)).tolist()
    (root / "test.csv").write_text(
        "label,f0,f1\n" + "".join(f"{int(f[0] > 0)},{f[0]!r},{f[1]!r}\n" for f in tf)
    )
    (root / "text.txt").write_text("Some web text. " * 200)
    (root / "sweep").mkdir()
    (root / "sweep" / "results.jsonl").write_text("")
    (root / "folder").mkdir()
    (root / "file.txt").write_text("a plain file\n")
    os.mkfifo(root / "fifo")
    os.symlink("fifo", root / "link_fifo")
    made = {"chardev": False, "sock": False}
    with contextlib.suppress(OSError):
        os.mknod(root / "chardev", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        made["chardev"] = True
    with contextlib.suppress(OSError):
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(root / "sock"))
        s.close()
        made["sock"] = True
    return made


def snapshot(root: Path) -> dict:
    """Everything observable about the folder: each entry's type, size, mtime and mode."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            out[str(p.relative_to(root))] = (stat.S_IFMT(st.st_mode), st.st_size,
                                             st.st_mtime_ns, stat.S_IMODE(st.st_mode))  # fmt: skip
    return out
