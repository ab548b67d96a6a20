"""Symbolic derivation of the knapsack model's closed forms with sympy.

Nothing here is typed in: starting from the allocation objective (Gu et al. 2025, Thm 4.3)

    L(m) = r*p*(H_tot - m) + (1 - r)*(E + A*(M - m)^(-alpha)),

sympy solves the first-order condition for the optimal knowledge allocation ``m*``, the onset
condition ``m* = 0`` for the critical ratio and the critical capacity, and differentiates the
critical ratio for its log-log slope in model size. :mod:`mixphase.theory.knapsack` implements
the same forms numerically; the tests check that the two agree (and both agree with a direct
numeric optimisation of ``L``). sympy is imported inside :func:`derive`, so importing this module
is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class KnapsackDerivation:
    """sympy expressions of the closed forms, and the symbols they are written in."""

    symbols: dict[str, Any]
    objective: Any
    optimal_knowledge_bits: Any  # m*(M, r) before clipping to [0, H_tot]
    critical_ratio: Any  # r at which m* = phi*H_tot (phi symbol, 0 = onset)
    critical_capacity: Any  # M at which m* = phi*H_tot
    odds_exponent: Any  # d ln(r_c/(1-r_c)) / d ln M
    ratio_exponent: Any  # d ln r_c / d ln M

    def lambdify(self, name: str):
        """A numpy function of ``(M, r, p, A, alpha, H_tot, phi)`` for the named expression."""
        import sympy as sp

        s = self.symbols
        args = [s["M"], s["r"], s["p"], s["A"], s["alpha"], s["H_tot"], s["phi"]]
        return sp.lambdify(args, getattr(self, name), "numpy")


@lru_cache(maxsize=1)
def derive() -> KnapsackDerivation:
    """Derive the closed forms from the objective (cached: sympy takes ~1 s)."""
    import sympy as sp

    M, A, alpha, p, H, m = sp.symbols("M A alpha p H_tot m", positive=True)
    r = sp.symbols("r", positive=True)
    phi = sp.symbols("phi", nonnegative=True)
    E = sp.symbols("E", real=True)

    objective = r * p * (H - m) + (1 - r) * (E + A * (M - m) ** (-alpha))
    # First-order condition dL/dm = 0; L is convex in m (A, alpha > 0), so this is the minimum.
    foc = sp.Eq(sp.diff(objective, m), 0)
    (m_star,) = sp.solve(foc, m)
    m_star = sp.simplify(m_star)

    # Critical ratio: the optimum stores exactly phi*H_tot (phi = 0: onset of memorisation).
    (r_crit,) = sp.solve(sp.Eq(m_star, phi * H), r)
    r_crit = sp.simplify(r_crit)
    (m_crit,) = sp.solve(sp.Eq(m_star, phi * H), M)
    m_crit = sp.simplify(m_crit)

    # Log-log slopes in capacity (= in model size, since M = b*N).
    odds = sp.simplify(r_crit / (1 - r_crit))
    odds_exponent = sp.simplify(sp.diff(sp.log(odds), M) * M)
    ratio_exponent = sp.simplify(sp.diff(sp.log(r_crit), M) * M)

    return KnapsackDerivation(
        symbols={"M": M, "A": A, "alpha": alpha, "p": p, "H_tot": H, "m": m, "r": r, "phi": phi},
        objective=objective,
        optimal_knowledge_bits=m_star,
        critical_ratio=r_crit,
        critical_capacity=m_crit,
        odds_exponent=odds_exponent,
        ratio_exponent=ratio_exponent,
    )


def asymptotic_exponent() -> Any:
    """``lim_{M->oo} d ln r_c / d ln M`` at the onset, as a sympy expression (= -(alpha+1))."""
    import sympy as sp

    d = derive()
    s = d.symbols
    expr = d.ratio_exponent.subs(s["phi"], 0)
    return sp.simplify(sp.limit(expr, s["M"], sp.oo))
