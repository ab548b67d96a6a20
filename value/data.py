"""Valuation data: a training pool split into contributors, and a test set (the target).

A :class:`ValuationData` holds features ``x`` (n, d), integer labels ``y``, a ``contributor``
name and an ``is_synthetic`` flag per training row, optional ``item`` ids (the knowledge item a
row teaches, used for the Zipf / truncation estimate; labels stand in for items when absent),
and the test set ``x_test``, ``y_test`` (optional ``item_test``).

Readers for a user's own files (:func:`load_training`, :func:`load_test`):

- ``.npz``: arrays ``x`` (or ``X``/``features``), ``y`` (or ``label``/``labels``),
  ``contributor``, ``is_synthetic``, optional ``item``. The test file needs ``x`` and ``y``.
- ``.csv`` / ``.parquet``: columns ``label`` (or ``y``), ``contributor``, ``is_synthetic``,
  optional ``item``; every other column is a numeric feature. The test file has ``label`` (and
  optionally ``item``) plus the same feature columns (matched by name).

Every problem raises :class:`~mixphase.errors.MixphaseInputError` (CLI: exit code 2), among
them: a test set with labels no training row has, a contributor with a single row, and feature
counts that differ between the files (by position for .npz, by column name for .csv/.parquet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mixphase.errors import MixphaseInputError

FEATURE_MAX = 1e100  # |feature| beyond: squared distances and variances overflow float64
RESERVED = {"label", "y", "contributor", "is_synthetic", "item"}
_TRUE = {"1", "true", "t", "yes", "y", "synthetic", "syn"}
_FALSE = {"0", "false", "f", "no", "n", "real", ""}


@dataclass
class ValuationData:
    """Training rows with contributor / synthetic flags, plus the target test set."""

    x: np.ndarray
    y: np.ndarray
    contributor: np.ndarray
    is_synthetic: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    item: np.ndarray | None = None
    item_test: np.ndarray | None = None
    name: str = "data"
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.x = _features(self.x, "training features")
        self.x_test = _features(self.x_test, "test features")
        n = self.x.shape[0]
        if self.x_test.shape[1] != self.x.shape[1]:
            raise MixphaseInputError(
                f"training data have {self.x.shape[1]} features but the test set has "
                f"{self.x_test.shape[1]}"
            )
        self.contributor = np.asarray(self.contributor).astype(str)
        self.is_synthetic = _bools(self.is_synthetic)
        for name, arr in [("labels", self.y), ("contributor", self.contributor),
                          ("is_synthetic", self.is_synthetic)]:  # fmt: skip
            if len(arr) != n:
                raise MixphaseInputError(f"{name} has {len(arr)} rows, features have {n}")
        if len(self.y_test) != self.x_test.shape[0]:
            raise MixphaseInputError("test labels and test features differ in length")
        # Labels may be any hashable values: map them to 0..C-1 over train and test together.
        y_all = np.concatenate(
            [np.asarray(self.y).astype(str), np.asarray(self.y_test).astype(str)]
        )
        self.classes, codes = np.unique(y_all, return_inverse=True)
        self.y, self.y_test = codes[:n].astype(int), codes[n:].astype(int)
        if self.item is not None:
            if self.item_test is None or len(self.item) != n:
                raise MixphaseInputError("'item' must be given for every training and test row")
            it = np.concatenate([np.asarray(self.item).astype(str),
                                 np.asarray(self.item_test).astype(str)])  # fmt: skip
            _, icodes = np.unique(it, return_inverse=True)
            self.item, self.item_test = icodes[:n].astype(int), icodes[n:].astype(int)
        if n < 2 or self.x_test.shape[0] < 2:
            raise MixphaseInputError("need at least 2 training rows and 2 test rows")
        unseen = np.setdiff1d(self.y_test, self.y)
        if unseen.size:
            shown = ", ".join(repr(str(c)) for c in self.classes[unseen[:5]])
            raise MixphaseInputError(
                f"the test set has {unseen.size} label(s) that no training row has ({shown}"
                f"{', ...' if unseen.size > 5 else ''}): no contributor can be valued on them; "
                "drop those test rows or add training data with those labels"
            )
        names, counts = np.unique(self.contributor, return_counts=True)
        if np.any(counts < 2):
            single = ", ".join(repr(str(c)) for c in names[counts < 2][:5])
            raise MixphaseInputError(
                f"{int(np.sum(counts < 2))} contributor(s) have a single row ({single}): every "
                "contributor needs at least 2 rows (merge or drop them)"
            )

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def contributors(self) -> list[str]:
        """Contributor names in order of first appearance."""
        _, first = np.unique(self.contributor, return_index=True)
        return [str(self.contributor[i]) for i in sorted(first)]

    def rows(self, name: str) -> np.ndarray:
        return np.flatnonzero(self.contributor == name)

    def items_or_labels(self) -> tuple[np.ndarray, np.ndarray]:
        """Item ids for the Zipf estimate (the labels when no item column was given)."""
        if self.item is not None:
            return self.item, self.item_test
        return self.y, self.y_test


def _features(x, what: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise MixphaseInputError(f"{what} must be numeric") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise MixphaseInputError(f"{what} must be a 2-d array (rows x features)")
    if not np.all(np.isfinite(arr)):
        raise MixphaseInputError(f"{what} contain NaN or infinite values")
    big = float(np.max(np.abs(arr))) if arr.size else 0.0
    if big > FEATURE_MAX:
        raise MixphaseInputError(
            f"{what} reach {big:.3g}; values beyond {FEATURE_MAX:g} overflow the kernels "
            "(squared distances): rescale the features"
        )
    return arr


def _bools(v) -> np.ndarray:
    arr = np.asarray(v)
    if arr.dtype == bool:
        return arr
    if np.issubdtype(arr.dtype, np.number):
        if not np.all(np.isin(arr, [0, 1])):
            raise MixphaseInputError("is_synthetic must be 0/1 or true/false")
        return arr.astype(bool)
    low = np.char.lower(np.char.strip(arr.astype(str)))
    bad = ~np.isin(low, list(_TRUE | _FALSE))
    if bad.any():
        raise MixphaseInputError(f"is_synthetic has an unreadable value {arr[bad][0]!r}")
    return np.isin(low, list(_TRUE))


# ----------------------------------------------------------------------------------- readers
def _read_table(path: Path) -> dict[str, np.ndarray]:
    """Columns of a .npz / .csv / .parquet file as arrays (features kept separate for npz)."""
    if not path.exists():
        raise MixphaseInputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        if suffix == ".csv":
            import pandas as pd

            df = pd.read_csv(path)
        elif suffix in (".parquet", ".pq"):
            import pandas as pd

            try:
                df = pd.read_parquet(path)
            except ImportError:
                raise MixphaseInputError(
                    "reading parquet needs pyarrow: pip install 'mixphase[parquet]'"
                ) from None
        else:
            raise MixphaseInputError(f"{path}: unsupported format (use .npz, .csv or .parquet)")
    except MixphaseInputError:
        raise
    except Exception as exc:  # malformed file: one clear line, no traceback
        raise MixphaseInputError(f"cannot read {path}: {exc}") from None
    if df.shape[0] == 0:
        raise MixphaseInputError(f"{path} has no rows")
    cols = {str(c): df[c].to_numpy() for c in df.columns}
    feats = [c for c in cols if c not in RESERVED]
    if not feats:
        raise MixphaseInputError(f"{path} has no feature columns")
    for c in feats:
        if not np.issubdtype(cols[c].dtype, np.number):
            raise MixphaseInputError(f"{path}: feature column {c!r} is not numeric")
    out = {k: v for k, v in cols.items() if k in RESERVED}
    out["x"] = np.column_stack([cols[c] for c in feats]).astype(float)
    out["__feature_names__"] = np.array(feats)
    return out


def _pick(table: dict, names: tuple[str, ...], path: Path, required: bool = True):
    for n in names:
        if n in table:
            return table[n]
    if required:
        raise MixphaseInputError(f"{path} needs a column/array named {names[0]!r}")
    return None


def load_data(train_path, test_path) -> ValuationData:
    """Read a user's training file (with contributors) and test file into :class:`ValuationData`."""
    train_path, test_path = Path(train_path), Path(test_path)
    tr, te = _read_table(train_path), _read_table(test_path)
    x = _pick(tr, ("x", "X", "features"), train_path)
    xt = _pick(te, ("x", "X", "features"), test_path)
    if "__feature_names__" in tr and "__feature_names__" in te:
        names_tr = [str(c) for c in tr["__feature_names__"]]
        names_te = [str(c) for c in te["__feature_names__"]]
        missing = [c for c in names_tr if c not in names_te]
        if missing:
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise MixphaseInputError(
                f"{test_path} lacks feature columns {', '.join(map(str, missing[:5]))}{more}"
            )
        extra = [c for c in names_te if c not in names_tr]
        if extra:
            more = f" and {len(extra) - 5} more" if len(extra) > 5 else ""
            raise MixphaseInputError(
                f"{test_path} has {len(names_te)} feature columns, the training file "
                f"{len(names_tr)}: {', '.join(extra[:5])}{more} are not in {train_path.name}"
            )
        xt = xt[:, [names_te.index(c) for c in names_tr]]
    item = _pick(tr, ("item",), train_path, required=False)
    item_test = _pick(te, ("item",), test_path, required=False)
    if (item is None) != (item_test is None):
        raise MixphaseInputError("give an 'item' column in both files or in neither")
    return ValuationData(
        x=x,
        y=_pick(tr, ("y", "label", "labels"), train_path),
        contributor=_pick(tr, ("contributor",), train_path),
        is_synthetic=_pick(tr, ("is_synthetic",), train_path),
        x_test=xt,
        y_test=_pick(te, ("y", "label", "labels"), test_path),
        item=item,
        item_test=item_test,
        name=train_path.name,
    )


def save_npz(data: ValuationData, train_path, test_path) -> None:
    """Write a problem in the ``.npz`` format :func:`load_data` reads (used by tests/examples)."""
    extra = {} if data.item is None else {"item": data.item}
    np.savez(train_path, x=data.x, y=data.classes[data.y], contributor=data.contributor,
             is_synthetic=data.is_synthetic, **extra)  # fmt: skip
    extra_t = {} if data.item_test is None else {"item": data.item_test}
    np.savez(test_path, x=data.x_test, y=data.classes[data.y_test], **extra_t)


def standardise(data: ValuationData) -> tuple[np.ndarray, np.ndarray]:
    """Centre on the test mean and divide by one global scale (keeps the geometry)."""
    mu = data.x_test.mean(axis=0)
    scale = float(np.sqrt(np.mean(data.x_test.var(axis=0)))) or 1.0
    return (data.x - mu) / scale, (data.x_test - mu) / scale
