"""NTK-at-initialisation complexity ``yhat^T Theta0^{-1} yhat`` on block-diagonal Gram matrices.

The network is a one-hidden-layer MLP ``f(x) = W2 relu(W1 x + b1) + b2`` (``d -> hidden -> C``)
at a seeded initialisation (PyTorch's default ``nn.Linear`` law, U(-1/sqrt(fan_in),
1/sqrt(fan_in))). ``Theta0`` is the empirical NTK of the normalised logit sum
``s(x) = sum_c f_c(x) / sqrt(C)``: ``Theta0_ij = <grad_theta s(x_i), grad_theta s(x_j)>``.
For this network the per-example gradients have a closed form, so the Gram needs no P-sized
gradient matrix (the test suite checks it against torch autograd, example by example):

    grad_b2 s = 1/sqrt(C),  grad_W2 s = h/sqrt(C)  (h = relu(W1 x + b1)),
    grad_b1 s = g = (W2^T 1) * 1[W1 x + b1 > 0] / sqrt(C),  grad_W1 s = g x^T
    Theta0_ij = 1 + h_i.h_j + (g_i.g_j) (1 + x_i.x_j)

divided by the mean diagonal on the test set (a scale-free term). For the C outputs we use the
wide-network form ``Theta0 (x) I_C``: the quadratic form is the sum over classes of
``r_c^T Theta0^{-1} r_c`` with residuals ``r = onehot(y) - f0(x)``.

Scaling: a contributor's rows are shuffled (seeded) and cut into blocks of at most ``block``
rows; the Gram is block-diagonal over these blocks and each block's quadratic form comes from
:func:`block_quadratic` (the regularised Cholesky form of
:func:`mixphase.theory.ntk_quadratic_form`, once per block for all C columns; ridge 1e-3).
Cost: O(n * block * (d + hidden)) for the Grams and O(n * block^2) for the solves; never O(n^3).
Row cap (``max_rows``): only the first ``m`` (whole blocks) rows of the shuffle, form scaled by
``n/m``, so a very large contributor costs O(m * block^2) (see :meth:`NTKAtInit.quadratic_form`).
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import cho_factor, solve_triangular


def block_quadratic(gram: np.ndarray, resid: np.ndarray, ridge: float = 1e-3) -> float:
    """``sum_c r_c^T (G + ridge*tr(G)/n*I)^{-1} r_c`` for the columns of ``resid``.

    The regularisation is exactly :func:`mixphase.theory.ntk_quadratic_form`'s; this form factors
    the block once for all C columns and uses triangular solves (the tests check it against the
    theory function column by column).
    """
    n = gram.shape[0]
    reg = ridge * max(np.trace(gram) / n, 1e-12)
    c, _lower = cho_factor(gram + reg * np.eye(n), lower=True)
    z = solve_triangular(c, np.asarray(resid, dtype=float).reshape(n, -1), lower=True)
    return float(np.sum(z * z))


class NTKAtInit:
    """The seeded MLP at initialisation, its NTK Gram blocks and quadratic forms."""

    def __init__(self, n_features: int, n_classes: int, hidden: int = 64, seed: int = 0):
        rng = np.random.default_rng(seed)
        a1, a2 = 1 / np.sqrt(n_features), 1 / np.sqrt(hidden)
        self.w1 = rng.uniform(-a1, a1, (hidden, n_features))
        self.b1 = rng.uniform(-a1, a1, hidden)
        self.w2 = rng.uniform(-a2, a2, (n_classes, hidden))
        self.b2 = rng.uniform(-a2, a2, n_classes)
        self.n_classes = n_classes
        self.diag_scale: float | None = None

    def state_dict(self) -> dict[str, np.ndarray]:
        """Parameters named like ``nn.Sequential(Linear, ReLU, Linear)``'s state dict."""
        return {"0.weight": self.w1, "0.bias": self.b1, "2.weight": self.w2, "2.bias": self.b2}

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x @ self.w1.T + self.b1, 0) @ self.w2.T + self.b2

    def _features(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pre = x @ self.w1.T + self.b1
        h = np.maximum(pre, 0)
        g = (pre > 0) * self.w2.sum(axis=0)[None, :] / np.sqrt(self.n_classes)
        return h, g

    def gram(self, x: np.ndarray, x2: np.ndarray | None = None) -> np.ndarray:
        """Unnormalised ``Theta0`` between the rows of ``x`` and ``x2`` (default ``x``)."""
        h, g = self._features(x)
        if x2 is None:  # one feature pass for a square block
            x2, h2, g2 = x, h, g
        else:
            h2, g2 = self._features(x2)
        return 1.0 + h @ h2.T + (g @ g2.T) * (1.0 + x @ x2.T)

    def calibrate(self, x: np.ndarray) -> float:
        """Fix the normalisation: the mean diagonal ``Theta0_ii`` over ``x`` (the test set)."""
        h, g = self._features(x)
        diag = 1.0 + np.sum(h * h, 1) + np.sum(g * g, 1) * (1.0 + np.sum(x * x, 1))
        self.diag_scale = float(diag.mean()) or 1.0
        return self.diag_scale

    def quadratic_form(self, x: np.ndarray, y: np.ndarray, block: int = 256, seed: int = 0,
                       ridge: float = 1e-3, max_rows: int | None = None) -> float:  # fmt: skip
        """``sum_blocks sum_c r_c^T Theta0_block^{-1} r_c`` for the rows ``x`` with labels ``y``.

        ``max_rows`` (rounded down to whole blocks, at least one): with ``n > max_rows`` only the
        first ``m`` rows of the seeded shuffle are used (``m/block`` full blocks, the same blocks
        the full computation starts with) and the sum is scaled by ``n/m``: ``(n/m) * sum_{b <= m/block}
        q_b`` estimates the full block sum (unbiased over the shuffle when ``block`` divides ``n``,
        since every full block's form has the same law). ``n <= max_rows`` is exact.
        """
        if self.diag_scale is None:
            self.calibrate(x)
        n = len(x)
        order = np.random.default_rng(seed).permutation(n)
        scale = 1.0
        if max_rows is not None and n > max_rows:
            m = max(block, (max_rows // block) * block)
            if n > m:
                order, scale = order[:m], n / m
        xs = x[order]
        resid = np.eye(self.n_classes)[y[order]] - self.forward(xs)
        total = 0.0
        for lo in range(0, len(order), block):
            g = self.gram(xs[lo : lo + block]) / self.diag_scale
            total += block_quadratic(g, resid[lo : lo + block], ridge=ridge)
        return float(total * scale)
