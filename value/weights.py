"""Term weights fitted on a few retrained *anchor* contributors (mixphase's optional calibration).

The value is ``v = intercept - terms @ coef`` with ``coef >= 0``. Without anchors the weights are
fixed (``prior``); with anchors they solve a non-negative least-squares fit of the anchors'
retrained test accuracy on the standardised terms, shrunk towards the prior by a ridge whose
strength is picked by leave-one-anchor-out cross-validation (:func:`fit_weights`). Anchors are
chosen without labels (:func:`choose_anchors`) and must be left out of any evaluation of the
result (:mod:`mixphase.value.protocol`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls

RIDGE_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
MIN_CONTRIBUTORS_FOR_ANCHORS = 6


@dataclass
class Weights:
    """``v = intercept - terms @ coef``; ``source`` is 'memoriser' (fixed) or 'anchors'."""

    names: tuple[str, ...]
    coef: np.ndarray
    intercept: float
    source: str
    anchors: list[str] = field(default_factory=list)
    ridge: float | None = None
    cv_rmse: float | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"source": self.source,
                "weights": dict(zip(self.names, self.coef.tolist(), strict=True)),
                "intercept": self.intercept, "anchors": self.anchors, "ridge": self.ridge,
                "cv_rmse": self.cv_rmse, "seconds": self.seconds}  # fmt: skip


def _nnls_ridge(z: np.ndarray, y: np.ndarray, prior: np.ndarray, lam: float) -> np.ndarray:
    """``argmin_{w>=0} |-z w - y|^2 + lam*m*|w - prior|^2`` (z, y centred)."""
    m, p = z.shape
    a = np.vstack([-z, np.sqrt(lam * m) * np.eye(p)])
    b = np.concatenate([y, np.sqrt(lam * m) * prior])
    return nnls(a, b)[0]


def fit_weights(terms: np.ndarray, anchor_idx: np.ndarray, truth: np.ndarray,
                prior: np.ndarray | None = None,
                ridge_grid=RIDGE_GRID) -> tuple[np.ndarray, float, float, float]:  # fmt: skip
    """NNLS weights on the anchors with a ridge towards ``prior`` (raw units, ``>= 0``).

    Terms are standardised over all contributors (no labels needed); ``prior`` None shrinks
    towards equal standardised weights ``c`` (``c >= 0`` the one-parameter least-squares fit of
    the anchors on the sum of standardised terms). The ridge strength is picked by
    leave-one-anchor-out cross-validation over ``ridge_grid``. Returns
    ``(coef_raw, intercept, ridge, cv_rmse)``; ``v = intercept - terms @ coef_raw``.
    """
    scale = terms.std(axis=0)
    scale[scale < 1e-12] = 1.0
    z_all = (terms - terms.mean(axis=0)) / scale
    za, ya = z_all[anchor_idx], np.asarray(truth, dtype=float)
    m = len(anchor_idx)

    def solve(zk: np.ndarray, yk: np.ndarray, lam: float) -> np.ndarray:
        zc, yc = zk - zk.mean(0), yk - yk.mean()
        if prior is None:
            s = -zc.sum(axis=1)
            pz = np.full(zk.shape[1], max(float(s @ yc) / (float(s @ s) + 1e-12), 0.0))
        else:
            pz = np.asarray(prior, dtype=float) * scale
        return _nnls_ridge(zc, yc, pz, lam)

    best = (np.inf, ridge_grid[0])
    for lam in ridge_grid:
        err = []
        for i in range(m):
            keep = np.arange(m) != i
            zk, yk = za[keep], ya[keep]
            pred = yk.mean() - (za[i] - zk.mean(0)) @ solve(zk, yk, lam)
            err.append((pred - ya[i]) ** 2)
        rmse = float(np.sqrt(np.mean(err)))
        if rmse < best[0] - 1e-12:
            best = (rmse, lam)
    lam = best[1]
    coef = solve(za, ya, lam) / scale
    intercept = float(np.mean(ya + terms[anchor_idx] @ coef))
    return coef, intercept, float(lam), best[0]


def choose_anchors(scores: np.ndarray, n_anchors: int) -> np.ndarray:
    """Evenly spaced quantiles of a label-free score (deterministic): sorted indices."""
    order = np.argsort(scores, kind="stable")
    pos = np.unique(np.round(np.linspace(0, len(order) - 1, n_anchors)).astype(int))
    return np.sort(order[pos])
