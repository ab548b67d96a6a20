"""How many breakpoints: choosing k by evidence (fast engine) or PSIS-LOO (PyMC engine).

- Exact evidence (``engine="fast"``, and the PyMC engine's fallback): the fast engine computes
  the marginal likelihood ``p(ln y | k)`` of each candidate exactly (up to grid resolution;
  :mod:`mixphase.fit._linear`). With a uniform prior over the candidate ``k`` (0-3, those the
  data have enough points for), the posterior model probabilities are
  ``P(k | y) = p(y | k) / sum_k' p(y | k')``; the most probable identified ``k`` is chosen.
  The evidence penalises each extra breakpoint through its priors (the breakpoint uniform over
  the log-x range, the slope change ~ N(0, 5^2) in standardised units), so the choice depends on
  those stated priors, as any Bayes factor does.
- PSIS-LOO (``engine="pymc"``, which samples and has no closed-form evidence; Vehtari, Gelman &
  Gabry 2017): ``elpd_loo`` of each candidate from its draws; the smallest ``k`` whose
  ``elpd_loo`` is within 2 standard errors of the difference from the best is chosen. PSIS is
  unreliable where a point's Pareto ``k-hat`` exceeds 0.7 (common for breakpoint models: the
  points next to a kink carry it); then the fit warns and, for normal noise, chooses by the
  exact evidence instead (same model and priors). Student-t noise has no exact evidence: the
  choice stays PSIS-LOO with the warning.

``benchmarks/fit_model_choice.py`` measures both rules on planted curves (BENCHMARKS.md).
"""

from __future__ import annotations

import math

import numpy as np

from mixphase.fit import _arviz
from mixphase.fit import _linear as lin
from mixphase.fit.families import breakpoint_design

EVIDENCE = "exact marginal likelihood (uniform prior over the candidate k)"
LOO = "PSIS-LOO (fewest breakpoints within 2 SE of the best elpd)"


def pointwise_loglik(prob, k: int, d) -> np.ndarray:
    """log p(ln y_i | draw) for a :class:`~mixphase.fit.results.Draws`: (chains, draws, n)."""
    C, M = d.coef.shape[:2]
    b = d.b.reshape(C * M, k)
    coef = d.coef.reshape(C * M, k + 2)
    X = breakpoint_design(prob.u, b, prob.delta)
    mu = np.einsum("mnp,mp->mn", X, coef)
    s = d.sigma.reshape(-1)[:, None]
    sd = np.sqrt(s**2 + (0.0 if prob.e is None else prob.e[None, :] ** 2))
    r = (prob.v[None, :] - mu) / sd
    if d.nu is None:
        ll = -0.5 * (lin.LOG_2PI + r**2) - np.log(sd)
    else:
        from scipy.stats import t as student_t

        ll = student_t.logpdf(r, df=d.nu.reshape(-1)[:, None]) - np.log(sd)
    return (ll - np.log(prob.sv.scale)).reshape(C, M, -1)


def _identified(fits: dict) -> list[int]:
    return [k for k, f in fits.items() if not f.identification_error] or list(fits)


def by_evidence(log_evidence: dict[int, float], fits: dict) -> tuple[int, list[dict]]:
    """The most probable identified k under a uniform prior over ``log_evidence``'s keys."""
    ks = sorted(log_evidence)
    le = np.array([log_evidence[k] for k in ks])
    prob = np.exp(le - le.max())
    prob /= prob.sum()
    p = dict(zip(ks, prob, strict=True))
    ok = _identified(fits)
    chosen = max(ok, key=lambda k: p[k])
    rows = [{"n_breakpoints": k, "log_evidence": round(float(log_evidence[k]), 4),
             "probability": float(p[k]), "identified": not fits[k].identification_error,
             "selected": k == chosen} for k in ks]  # fmt: skip
    return chosen, rows


def by_loo(prob, fits: dict) -> tuple[int, list[dict], list[int]]:
    """PSIS-LOO choice; also the candidates whose Pareto k-hat exceeds 0.7 somewhere."""
    res = {k: _arviz.loo(pointwise_loglik(prob, k, f.draws)) for k, f in fits.items()}
    ok = _identified(fits)
    best = max(ok, key=lambda k: res[k].elpd)
    n = prob.u.size
    rows = {}
    for k, r in res.items():
        diff = res[best].pointwise - r.pointwise
        rows[k] = {"n_breakpoints": k, "elpd_loo": r.elpd, "se": r.se,
                   "elpd_diff": float(diff.sum()),
                   "dse": float(math.sqrt(n * diff.var())) if k != best else 0.0,
                   "p_loo": r.p_loo, "pareto_k_max": r.pareto_k_max, "n_high_k": r.n_bad,
                   "identified": not fits[k].identification_error}  # fmt: skip
    chosen = min(k for k in ok if rows[k]["elpd_diff"] <= 2 * rows[k]["dse"])
    for k in rows:
        rows[k]["selected"] = k == chosen
    unreliable = [k for k in sorted(res) if res[k].n_bad]
    return chosen, [rows[k] for k in sorted(rows)], unreliable


def loo_warning(rows: list[dict], unreliable: list[int], fallback: bool) -> str:
    """The warning for Pareto k-hat above 0.7 (and what was done about it)."""
    worst = max(r["pareto_k_max"] for r in rows if r["n_breakpoints"] in unreliable)
    npts = sum(r["n_high_k"] for r in rows if r["n_breakpoints"] in unreliable)
    ks = ", ".join(str(k) for k in unreliable)
    what = ("the number of breakpoints was chosen by the exact marginal likelihood instead" if
            fallback else "treat the choice of k as uncertain (no exact evidence for Student-t "
            "noise; compare fits with fixed k)")  # fmt: skip
    return (
        f"PSIS-LOO is unreliable for k = {ks}: Pareto k-hat up to {worst:.2f} > "
        f"{_arviz.PARETO_K_OK} ({npts} point-fits); {what}"
    )


def table_lines(rows: list[dict], criterion: str) -> list[str]:
    """The comparison table of an ``"auto"`` fit for ``__str__`` (the columns the rule gives)."""
    cols = [("elpd_loo", "elpd_loo", "9.2f"), ("se", "se", "7.2f"), ("elpd_diff", "elpd_diff", "10.2f"),
            ("dse", "dse", "7.2f"), ("p_loo", "p_loo", "7.2f"), ("pareto_k_max", "pareto_k", "9.2f"),
            ("log_evidence", "log_evidence", "13.2f"), ("probability", "P(k|y)", "8.3f")]  # fmt: skip
    cols = [c for c in cols if any(c[0] in r for r in rows)]
    lines = [f"  number of breakpoints by {criterion}; * = chosen:",
             "    k" + "".join(f" {head:>{int(fmt.split('.')[0])}}" for _, head, fmt in cols)]  # fmt: skip
    for r in rows:
        row = f"  {'*' if r['selected'] else ' '} {r['n_breakpoints']}"
        row += "".join(f" {r.get(key, float('nan')):{fmt}}" for key, _, fmt in cols)
        if not r.get("identified", True):
            row += "  (not identified)"
        lines.append(row)
    return lines
