"""Exact marginalisation of linear coefficients: the core of the fast engine.

Model (all quantities standardised, see :class:`Standardiser`)::

    v = X(theta) beta + eps,   beta ~ N(0, diag(tau^2)),   eps_i ~ N(0, sigma^2 + e_i^2)

where ``theta`` are the few non-linear parameters (breakpoints; critical point and width) that
the caller puts on a grid, ``e_i`` are known per-point errors (optional) and ``sigma`` is an
extra noise scale with a half-normal prior, integrated on a dense log-spaced grid.

Given ``theta`` and ``sigma``, ``beta`` integrates out in closed form (the marginal of a
Gaussian linear model, Bishop 2006 §3.5): ``v ~ N(0, D + X T X^T)`` with ``D = diag(sigma^2 +
e^2)``, ``T = diag(tau^2)``. With ``Z = X T^{1/2}`` and no known errors, one eigendecomposition of
``Z^T Z = Q L Q^T`` per ``theta`` gives the log marginal for every ``sigma`` in O(p):

    log|S| = n log s^2 + sum_i log(1 + l_i/s^2)
    v^T S^{-1} v = (v.v)/s^2 - sum_i h_i^2 / (s^2 (s^2 + l_i)),    h = Q^T Z^T v.

The posterior of ``beta`` given ``(theta, sigma)`` is Gaussian and is sampled exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Standardiser:
    """Affine maps ``u = (t - t0)/ts`` used so that default priors are scaled to the data."""

    center: float
    scale: float

    @classmethod
    def of(cls, values: np.ndarray) -> Standardiser:
        values = np.asarray(values, dtype=float)
        scale = float(np.std(values))
        if not scale > 0:
            scale = 1.0
        return cls(float(np.mean(values)), scale)

    def to(self, t):
        return (np.asarray(t, dtype=float) - self.center) / self.scale

    def back(self, u):
        return np.asarray(u, dtype=float) * self.scale + self.center


def log_sigma_prior(sigma: np.ndarray, scale: float) -> np.ndarray:
    """log HalfNormal(scale) density of ``sigma`` plus the log-Jacobian of a log-spaced grid."""
    return (
        0.5 * np.log(2 / np.pi)
        - np.log(scale)
        - 0.5 * (sigma / scale) ** 2
        + np.log(sigma)  # d sigma = sigma d log sigma
    )


def log_marginal(X: np.ndarray, v: np.ndarray, tau: np.ndarray, sigma: np.ndarray, e=None):
    """``log p(v | theta_g, sigma_s)`` for a batch of designs ``X`` (G, n, p): shape (G, S)."""
    X = np.asarray(X, dtype=float)
    G, n, p = X.shape
    Z = X * tau[None, None, :]
    s2 = sigma[None, :] ** 2  # (1, S)
    if e is None:
        M = np.einsum("gni,gnj->gij", Z, Z)
        lam, Q = np.linalg.eigh(M)  # (G, p), (G, p, p)
        lam = np.clip(lam, 0.0, None)
        g = np.einsum("gni,n->gi", Z, v)
        h2 = np.einsum("gij,gi->gj", Q, g) ** 2  # (G, p)
        vv = float(v @ v)
        s2e = s2[:, :, None]  # (1, S, 1)
        logdet = n * np.log(s2) + np.log1p(lam[:, None, :] / s2e).sum(-1)
        quad = vv / s2 - (h2[:, None, :] / (s2e * (s2e + lam[:, None, :]))).sum(-1)
        return -0.5 * (n * LOG_2PI + logdet + quad)
    d = s2.T + np.asarray(e, dtype=float)[None, :] ** 2  # (S, n)
    w = 1.0 / d
    outer = (Z[:, :, :, None] * Z[:, :, None, :]).reshape(G, n, p * p)
    A = np.matmul(w[None], outer).reshape(G, -1, p, p) + np.eye(p)  # (G, S, p, p)
    b = np.matmul(w[None], Z * v[None, :, None])  # (G, S, p)
    L = np.linalg.cholesky(A)
    logdet = np.log(d).sum(-1)[None, :] + 2 * np.log(np.diagonal(L, axis1=-2, axis2=-1)).sum(-1)
    quad = (w * v[None, :] ** 2).sum(-1)[None, :] - np.einsum(
        "gsi,gsi->gs", b, np.linalg.solve(A, b[..., None])[..., 0]
    )
    return -0.5 * (n * LOG_2PI + logdet + quad)


def sample_coefficients(X, v, tau, sigma, e, rng):
    """One exact draw of ``beta | theta, sigma, v`` for each row: X (M, n, p), sigma (M,)."""
    M, _, p = X.shape
    Z = X * tau[None, None, :]
    d = sigma[:, None] ** 2 + (0.0 if e is None else np.asarray(e, dtype=float)[None, :] ** 2)
    w = 1.0 / d
    A = np.einsum("mni,mn,mnj->mij", Z, w, Z) + np.eye(p)
    b = np.einsum("mni,mn,n->mi", Z, w, v)
    L = np.linalg.cholesky(A)
    mean = np.linalg.solve(A, b[..., None])[..., 0]
    # A = L L^T  ->  gamma = mean + L^{-T} z has covariance A^{-1}
    z = rng.standard_normal((M, p))
    dev = np.linalg.solve(np.swapaxes(L, -1, -2), z[..., None])[..., 0]
    return (mean + dev) * tau[None, :]


@dataclass
class GridPosterior:
    """A posterior on a product grid of cells: centres, half-widths and normalised weights."""

    points: np.ndarray  # (G, k) cell centres of the non-linear parameters
    half: np.ndarray  # (k,) half cell widths
    sigma: np.ndarray  # (S,)
    log_dsigma: float
    logw: np.ndarray  # (G, S) unnormalised log posterior mass of each cell
    log_evidence: float

    def __post_init__(self):
        w = np.exp(self.logw - self.logw.max())
        self.weights = w / w.sum()

    def draw(self, n_draws: int, rng: np.random.Generator):
        """I.i.d. draws: a cell by its mass, then uniform within the cell (theta and log sigma)."""
        w = self.weights.ravel()
        idx = rng.choice(w.size, size=n_draws, p=w)
        gi, si = np.divmod(idx, self.sigma.size)
        theta = self.points[gi] + rng.uniform(-1, 1, (n_draws, self.points.shape[1])) * self.half
        log_s = np.log(self.sigma[si]) + rng.uniform(-0.5, 0.5, n_draws) * self.log_dsigma
        return theta, np.exp(log_s)


def _quantile_range(values, w, tail):
    order = np.argsort(values)
    cdf = np.cumsum(w[order])
    lo = values[order][min(np.searchsorted(cdf, tail), len(cdf) - 1)]
    hi = values[order][min(np.searchsorted(cdf, 1 - tail), len(cdf) - 1)]
    return lo, hi


def grid_posterior(logpost_fn, lo, hi, n_per_dim=(40, 64), sigma_range=(1e-4, 3.0), ordered=False,
                   rounds: int = 4, tail: float = 1e-4, log_prior_density: float = 0.0,
                   n_sigma: tuple[int, int] = (120, 48)) -> GridPosterior:  # fmt: skip
    """Evaluate a posterior on a grid over the box ``[lo, hi]`` x sigma and zoom in on its mass.

    ``logpost_fn(points, sigma) -> (G, S)`` returns log likelihood + log prior density of sigma
    (per unit log sigma) at cell centres. Each round shrinks the box and the sigma range to the
    marginal ``tail``/``1-tail`` quantiles (plus two cells) and re-grids them, until the box
    stops shrinking. ``n_per_dim``: cells per dimension (first round, later rounds). ``ordered`` keeps only cells with increasing coordinates (ordered
    breakpoints). ``log_prior_density`` is the (constant) prior density of theta in the box,
    used for the evidence. With an empty box (k = 0) only sigma is gridded.
    """
    lo = np.asarray(lo, dtype=float).reshape(-1)
    hi = np.asarray(hi, dtype=float).reshape(-1)
    k = lo.size
    box_lo, box_hi = lo.copy(), hi.copy()
    no_sigma = sigma_range is None
    if no_sigma:  # a model without a noise scale (e.g. binomial): one dummy sigma cell
        sigma_range, n_sigma = (1.0, 1.0), (1, 1)
    s_lo, s_hi = np.log(sigma_range[0]), np.log(sigma_range[1])
    n_s = n_sigma[0]
    n_g = n_per_dim[0]
    post = None
    for _ in range(rounds if k else 2 - no_sigma):
        log_s = np.linspace(s_lo, s_hi, n_s)
        sigma, log_ds = np.exp(log_s), float(log_s[1] - log_s[0]) if n_s > 1 else 0.0
        h = (box_hi - box_lo) / n_g
        axes = [box_lo[d] + (np.arange(n_g) + 0.5) * h[d] for d in range(k)]
        pts = (
            np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, k)
            if k
            else np.zeros((1, 0))
        )
        if ordered and k > 1:
            pts = pts[np.all(np.diff(pts, axis=1) > 0, axis=1)]
        logw = logpost_fn(pts, sigma) + np.log(np.prod(h)) + log_ds + log_prior_density
        m = logw.max()
        log_ev = float(m + np.log(np.exp(logw - m).sum()))
        post = GridPosterior(pts, h / 2, sigma, log_ds, logw, log_ev)
        # zoom: sigma first (its range shrinks a lot after round one), then the box
        q_lo, q_hi = _quantile_range(log_s, post.weights.sum(0), tail)
        new_s = (max(np.log(sigma_range[0]), q_lo - 3 * log_ds),
                 min(np.log(sigma_range[1]), q_hi + 3 * log_ds))  # fmt: skip
        w = post.weights.sum(1)
        new_lo, new_hi = box_lo.copy(), box_hi.copy()
        for d in range(k):
            q_lo, q_hi = _quantile_range(pts[:, d], w, tail)
            new_lo[d] = max(lo[d], q_lo - 2 * h[d])
            new_hi[d] = min(hi[d], q_hi + 2 * h[d])
        shrunk_s = not no_sigma and (new_s[1] - new_s[0]) < 0.6 * (s_hi - s_lo)
        shrunk_box = k and np.any((new_hi - new_lo) < 0.6 * (box_hi - box_lo))
        if not (shrunk_s or shrunk_box):
            break
        s_lo, s_hi = new_s
        box_lo, box_hi = new_lo, new_hi
        n_s = n_sigma[1]
        n_g = n_per_dim[1]
    return post
