"""General capacity allocation: several knowledge groups and web domains (cvxpy and exact).

Generalises Thm 4.3 of Gu et al. (2025) (derived here, docs/theory.md §1.4). A model of capacity
``M`` bits splits it over knowledge groups ``j`` (``H_j`` bits, each stored bit lowers the
training loss by ``v_j`` bits/token: ``v_j = share_j * p_j``) and web domains ``d`` (mixture share
``s_d``, loss ``E_d + A_d * x^(-alpha_d)`` at ``x`` bits):

    minimise   sum_j v_j (H_j - m_j) + sum_d s_d A_d x_d^(-alpha_d)
    subject to sum_j m_j + sum_d x_d <= M,   0 <= m_j <= H_j,   x_d >= 0.

It is convex (a knapsack with concave web utilities). Its KKT conditions give the threshold rule:
with ``lambda`` the multiplier of the capacity constraint, group ``j`` is stored fully if
``v_j > lambda``, not at all if ``v_j < lambda``, and each web domain takes
``x_d = (s_d A_d alpha_d / lambda)^(1/(alpha_d+1))``. The *threshold popularity* of Gu et al. is
``lambda`` expressed as a frequency: a group is learned iff its frequency exceeds ``lambda/share``.

:func:`allocate` solves it exactly by a search over ``lambda`` (fast, default) or with cvxpy
(``method="cvxpy"``, any number of groups and domains; the tests check that both agree and that
the one-group, one-domain case reproduces :mod:`mixphase.theory.knapsack`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError


@dataclass(frozen=True)
class KnowledgeGroup:
    """``bits`` of knowledge, each stored bit worth ``value_per_bit`` bits/token of loss."""

    bits: float
    value_per_bit: float
    name: str = ""


@dataclass(frozen=True)
class WebDomain:
    """A web domain with mixture ``share`` and loss ``E + A*x^(-alpha)`` (bits/token, x in bits)."""

    A: float
    alpha: float
    share: float = 1.0
    E: float = 0.0
    name: str = ""

    def capacity_at(self, lam: float) -> float:
        """``x_d(lambda) = (s*A*alpha/lambda)^(1/(alpha+1))``: where marginal value = lambda."""
        return (self.share * self.A * self.alpha / lam) ** (1.0 / (self.alpha + 1.0))

    def marginal_value(self, x: float) -> float:
        """``-d/dx s*A*x^-alpha = s*A*alpha*x^(-alpha-1)``."""
        return self.share * self.A * self.alpha * x ** (-self.alpha - 1.0)


@dataclass(frozen=True)
class Allocation:
    """Optimal split of capacity: bits per knowledge group and per web domain, and ``lambda``."""

    knowledge_bits: np.ndarray
    web_bits: np.ndarray
    marginal_value: float  # lambda: bits/token per bit at the margin
    objective: float
    method: str
    learned_fraction: np.ndarray  # knowledge_bits / H_j, in [0, 1]

    def to_dict(self) -> dict:
        return {
            "knowledge_bits": self.knowledge_bits.tolist(),
            "web_bits": self.web_bits.tolist(),
            "learned_fraction": self.learned_fraction.tolist(),
            "marginal_value": self.marginal_value,
            "objective": self.objective,
            "method": self.method,
        }


def _objective(groups, domains, m, x) -> float:
    k = sum(g.value_per_bit * (g.bits - mj) for g, mj in zip(groups, m, strict=True))
    w = sum(d.share * (d.E + d.A * xd ** (-d.alpha)) for d, xd in zip(domains, x, strict=True))
    return float(k + w)


def _check(capacity, groups, domains) -> None:
    if not np.isfinite(capacity) or capacity <= 0:
        raise MixphaseInputError(f"capacity must be positive, got {capacity!r}")
    if not domains:
        raise MixphaseInputError("at least one web domain is needed (it keeps the problem bounded)")
    for g in groups:
        if g.bits <= 0 or g.value_per_bit <= 0:
            raise MixphaseInputError(f"knowledge group needs positive bits and value: {g}")
    for d in domains:
        if d.A <= 0 or d.alpha <= 0 or d.share <= 0:
            raise MixphaseInputError(f"web domain needs positive A, alpha and share: {d}")


def allocate(
    capacity: float,
    groups: list[KnowledgeGroup],
    domains: list[WebDomain],
    method: str = "exact",
) -> Allocation:
    """Solve the allocation problem above (``method``: ``"exact"`` or ``"cvxpy"``)."""
    _check(capacity, groups, domains)
    solvers = {"exact": _allocate_exact, "cvxpy": _allocate_cvxpy}
    if method not in solvers:
        raise MixphaseInputError(f"method must be 'exact' or 'cvxpy', got {method!r}")
    m, x, lam = solvers[method](capacity, groups, domains)
    bits = np.array([g.bits for g in groups], dtype=float)
    return Allocation(
        knowledge_bits=m,
        web_bits=x,
        marginal_value=lam,
        objective=_objective(groups, domains, m, x),
        method=method,
        learned_fraction=np.clip(m / bits, 0.0, 1.0) if len(bits) else np.zeros(0),
    )


def _web_lambda(domains: list[WebDomain], web_capacity: float) -> float:
    """The ``lambda`` at which the web domains together take ``web_capacity`` bits."""
    if len(domains) == 1:
        return domains[0].marginal_value(web_capacity)
    from scipy.optimize import brentq  # several domains only; keeps `import theory` light

    used = lambda lam: sum(d.capacity_at(lam) for d in domains) - web_capacity  # noqa: E731
    lo, hi = 1e-300, 1.0
    while used(hi) > 0:
        hi *= 1e3
    while used(lo) < 0:  # pragma: no cover - only for absurd inputs
        lo *= 1e-3
    return float(np.exp(brentq(lambda z: used(np.exp(z)), np.log(lo), np.log(hi), xtol=1e-14)))


def _allocate_exact(capacity, groups, domains) -> tuple[np.ndarray, np.ndarray, float]:
    order = np.argsort([-g.value_per_bit for g in groups], kind="stable")
    values = np.array([groups[j].value_per_bit for j in order])
    bits = np.array([groups[j].bits for j in order])
    m_sorted = np.zeros(len(groups))
    lam = _web_lambda(domains, capacity)  # nothing stored
    filled = 0.0
    for c in range(len(groups)):
        if values[c] <= lam:
            break  # the web is worth more at the margin than group c and all after it
        # group c is worth storing: is the web's marginal value at "c fully stored" still below it?
        web_cap = capacity - filled - bits[c]
        lam_full = _web_lambda(domains, web_cap) if web_cap > 0 else np.inf
        if lam_full <= values[c]:
            m_sorted[c] = bits[c]
            filled += bits[c]
            lam = lam_full
            continue
        # partially stored: web takes x(v_c), group c the rest; lambda = v_c
        web_at = sum(d.capacity_at(values[c]) for d in domains)
        m_sorted[c] = float(np.clip(capacity - filled - web_at, 0.0, bits[c]))
        lam = values[c]
        break
    m = np.empty(len(groups))
    m[order] = m_sorted
    web_total = capacity - m.sum()
    x = np.array([d.capacity_at(lam) for d in domains])
    x *= web_total / x.sum()  # exact split of the remaining capacity (guards rounding)
    return m, x, float(lam)


def _allocate_cvxpy(capacity, groups, domains) -> tuple[np.ndarray, np.ndarray, float]:
    import cvxpy as cp

    # Work in units of the capacity (mu = m/M, xi = x/M) and scale the objective to O(1).
    v = np.array([g.value_per_bit for g in groups]) * capacity
    h = np.array([g.bits for g in groups]) / capacity
    w = np.array([d.share * d.A * capacity ** (-d.alpha) for d in domains])
    scale = max(v.max() if len(v) else 0.0, w.max())
    mu = cp.Variable(len(groups)) if groups else None
    xi = cp.Variable(len(domains), pos=True)
    web_terms = [
        w[i] / scale * cp.power(xi[i], -domains[i].alpha, approx=False) for i in range(len(domains))
    ]
    obj = cp.sum(cp.hstack(web_terms))
    cons_sum = cp.sum(xi)
    constraints = []
    if groups:
        obj = obj - (v / scale) @ mu
        cons_sum = cons_sum + cp.sum(mu)
        constraints += [mu >= 0, mu <= h]
    capacity_con = cons_sum <= 1.0
    constraints.append(capacity_con)
    problem = cp.Problem(cp.Minimize(obj), constraints)
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    if problem.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"cvxpy allocation failed: {problem.status}")
    m = np.clip(np.asarray(mu.value, dtype=float), 0, h) * capacity if groups else np.zeros(0)
    x = np.asarray(xi.value, dtype=float) * capacity
    lam = float(capacity_con.dual_value) * scale / capacity
    return m, x, lam
