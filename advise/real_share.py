"""Real-synthetic mixing advice: how much real data a truncated synthetic mixture needs.

On the three-phase model (Wang et al. 2025, arXiv 2511.13640; :mod:`mixphase.theory.mixture`)
the tail-learning phase starts at ``|S|_2 = 1/(pi * p_{k+1})`` (:func:`mixphase.theory.breakpoints`),
so for a data budget ``|S|``:

- the **critical real share** ``pi_c = |S|_2(pi=1) / |S|`` is the smallest share that reaches tail
  learning (above 1: no share does at this budget);
- a share ``pi`` needs ``|S|_2(pi)`` training items to get there.

Given the terms of the generalisation bound (:func:`mixphase.theory.mixture_bound`, with the
truncation term :func:`mixphase.theory.truncation_term`), the share minimising the bound is found
by a grid over ``[0.001, 1]`` refined with a bounded scalar search, and each term's contribution is
reported at that share, at the user's share and at all-real data. Estimating the terms from data
is :mod:`mixphase.value`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.bound import mixture_bound, truncation_term
from mixphase.theory.mixture import breakpoints, expected_error, mixture_distribution
from mixphase.theory.truncation import Truncation

#: The bound is searched on [MIN_SHARE, 1]: the truncation term needs some real data.
MIN_SHARE = 1e-3
BOUND_TERMS = ("loss_real", "loss_synthetic", "mmd_real", "mmd_synthetic", "ntk_quadratic")


@dataclass(frozen=True)
class RealShareAdvice:
    beta: float
    cutoff: int
    mechanism: str
    data_size: float | None
    critical_real_share: float | None
    real_share: float | None
    data_size_needed: float | None
    phase: int | None
    expected_error: float | None
    bound: dict | None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def __str__(self) -> str:
        lines = [
            f"Real-synthetic mixing advice (three-phase model, Wang et al. 2025): beta={self.beta:g},"
            f" truncation {self.mechanism} -> cutoff k={self.cutoff:,}"
        ]
        if self.data_size is not None:
            pc = self.critical_real_share
            verdict = (f"{pc:.4g}" if pc <= 1 else
                       f"{pc:.4g} > 1: no share reaches tail learning at this budget")  # fmt: skip
            lines.append(f"  critical real share at |S|={self.data_size:.4g}: {verdict}")
        if self.real_share is not None:
            lines.append(f"  at real share pi={self.real_share:g}, tail learning starts at "
                         f"|S|={self.data_size_needed:.4g}")  # fmt: skip
            if self.phase is not None:
                lines.append(f"  at |S|={self.data_size:.4g}: phase {self.phase} "
                             f"({('rapid learning', 'plateau', 'tail learning')[self.phase - 1]}), "
                             f"expected error {self.expected_error:.4g}")  # fmt: skip
        if self.bound is not None:
            b = self.bound
            lines += ["", f"  Generalisation bound (Wang et al. Thm 1 + truncation term), minimised at "
                          f"real share {b['best_share']:.4g}:",
                      f"  {'term':>14}" + "".join(f"  {name:>12}" for name in b["at"])]  # fmt: skip
            for term in ("empirical", "mmd", "complexity", "finite_sample", "truncation", "total"):
                lines.append(
                    f"  {term:>14}" + "".join(f"  {b['at'][w][term]:>12.4g}" for w in b["at"])
                )
        return "\n".join(lines)


def _bound(w: float, beta, trunc, n: int, n_items: int, terms: dict, delta, scale) -> dict:
    t = truncation_term(beta, trunc, w, n, n_items)
    return mixture_bound(
        w, **terms, n=n, delta=delta, complexity_scale=scale, truncation=t
    ).to_dict()


def advise_real_share(
    beta: float,
    truncation: Truncation,
    *,
    data_size: float | None = None,
    real_share: float | None = None,
    n_items: int = 1_000_000,
    bound_terms: dict | None = None,
    delta: float = 0.05,
    complexity_scale: float = 1.0,
) -> RealShareAdvice:
    """The advice record (see module docstring); inputs are checked here."""
    if data_size is not None and (not np.isfinite(data_size) or data_size < 1):
        raise MixphaseInputError(f"--data-size must be at least 1, got {data_size!r}")
    if data_size is None and real_share is None:
        raise MixphaseInputError("give --data-size (for the critical share) and/or --real-share")
    if bound_terms is not None:
        _check_terms(bound_terms)
        if data_size is None:
            raise MixphaseInputError("the bound needs the data size: give --data-size")
    bp1 = breakpoints(beta, truncation, 1.0, n_items)
    crit = None if data_size is None else bp1.second / data_size
    needed = phase = err = None
    if real_share is not None:
        bp = breakpoints(beta, truncation, real_share, n_items)
        needed = bp.second
        if data_size is not None:
            phase = 1 if data_size < bp.first else (2 if data_size < bp.second else 3)
            p, q = mixture_distribution(beta, truncation, real_share, n_items)
            err = float(expected_error(p, q, [data_size])[0])
    bound = None
    if bound_terms is not None:
        bound = _minimise_bound(beta, truncation, int(data_size), n_items, bound_terms, delta,
                                complexity_scale, real_share)  # fmt: skip
    return RealShareAdvice(bp1.beta, bp1.cutoff, bp1.mechanism, data_size, crit, real_share, needed,
                           phase, err, bound)  # fmt: skip


def _check_terms(terms: dict) -> None:
    missing = [k for k in BOUND_TERMS if terms.get(k) is None]
    if missing:
        raise MixphaseInputError("the bound needs all its terms; missing: "
                                 + ", ".join("--" + k.replace("_", "-") for k in missing))  # fmt: skip
    for k in BOUND_TERMS:
        if not np.isfinite(terms[k]) or terms[k] < 0:
            raise MixphaseInputError(f"--{k.replace('_', '-')} must be finite and non-negative")


def _minimise_bound(beta, trunc, n, n_items, terms, delta, scale, real_share) -> dict:
    from scipy.optimize import minimize_scalar

    def total(w):
        return _bound(float(w), beta, trunc, n, n_items, terms, delta, scale)["total"]

    grid = np.linspace(MIN_SHARE, 1.0, 41)
    values = np.array([total(w) for w in grid])
    i = int(np.argmin(values))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = minimize_scalar(total, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4})
    best = float(res.x) if res.fun <= values[i] else float(grid[i])
    at = {"best": _bound(best, beta, trunc, n, n_items, terms, delta, scale)}
    if real_share is not None:
        at["yours"] = _bound(real_share, beta, trunc, n, n_items, terms, delta, scale)
    at["all_real"] = _bound(1.0, beta, trunc, n, n_items, terms, delta, scale)
    return {"best_share": best, "at": at, "shares_searched": [MIN_SHARE, 1.0]}
