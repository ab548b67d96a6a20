"""Swarm check: does a metric have a *threshold* in one domain's weight, or is it smooth?

Mixture optimisers (olmix, RegMix, data mixing laws) fit laws that are smooth in the mixture
weights; a knapsack threshold (Gu et al. 2025) is not. For a swarm of runs ``i`` with domain
weights ``w_ij`` (``sum_j w_ij = 1``) and a metric ``y_i``, each domain ``d`` is tested by comparing
two models that share a smooth part [ours]::

    S_i = b_0 + sum_j b_j z(ln w_ij) + sum_{j in J} c_j z(w_ij) + e z(w_id^2)
    smooth     (M_s):  y_i = S_i + q z((ln w_id)^2)             + eps_i
    transition (M_t):  y_i = S_i + a expit((ln w_id - u_c) / s) + eps_i,   eps_i ~ N(0, sigma^2)

``S`` is log-linear in every domain's weight (olmix-style), linear in the raw weights (RegMix-
style; ``J``: the tested domain and all but one other, as the weights sum to 1) and quadratic in
the tested one: a second-order expansion of the smooth laws mixture optimisers fit (the data
mixing law ``c + k exp(sum_j t_j w_j)`` of Ye et al. 2024, which olmix fits, included). ``z``
standardises a column over the runs; ``y`` is standardised too. Both models add one coefficient
to ``S``: a curvature in ``ln w_d``, or a step of height ``a`` at the critical weight
``w_c = exp(u_c)`` with width ``s`` (in ``ln w``). A zero weight enters ``ln`` as half the domain's
smallest positive weight.

Priors (standardised units): intercept ``N(0, 10^2)``, other coefficients ``N(0, 3^2)``,
``sigma ~ HalfNormal(1)``; ``u_c`` uniform over the swarm's ``ln w_d`` range, ``ln s`` uniform on
``[ln(range/1000), ln(range)]`` (the priors of :func:`mixphase.fit.fit_transition`).

**Criterion: the log Bayes factor** ``ln B = ln p(y | M_t) - ln p(y | M_s)``, from exact marginal
likelihoods: the linear coefficients integrate out in closed form and ``(u_c, ln s, sigma)`` on an
adaptive grid (:mod:`mixphase.fit._linear`). The marginal likelihood charges the transition for
its two extra non-linear parameters (an Occam factor). A threshold is **detected** when

1. ``ln B > 3`` (``2 ln B > 6``: "strong" evidence, Kass & Raftery 1995),
2. the critical weight lies inside the swarm (less than half its posterior beyond the second-
   smallest or second-largest weight),
3. the step's height ``a`` is non-zero (its credible interval excludes 0), and
4. the step is sharp: the upper end of the width's interval is below ``0.5`` in ``ln w`` (the
   10%-90% rise spans less than a factor 9 in weight); a wider "step" is smooth curvature.

Conditions 2-4 guard against a very precise smooth metric whose shape the second-order smooth
part cannot follow exactly: the Bayes factor alone then favours any extra flexibility.

Domains are tested by **forward selection** per metric: all domains are tested; the detected
threshold with the largest ``ln B`` is accepted and its step (at its posterior medians) joins the
shared part ``S``; the remaining domains are re-tested; until none is detected. Without it a
threshold in one domain leaks into the others' tests (the weights sum to 1, so they correlate).
Reported per domain: the comparison numbers and, when detected, the critical weight and the step
in the metric's own units, each with its central credible interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
from mixphase.fit.data import check_ci
from mixphase.fit.transition import WIDTH_RANGE
from mixphase.records import Estimate

#: Detection threshold on the log Bayes factor (Kass & Raftery 1995: 2 ln B > 6 is "strong").
LOG_BF_THRESHOLD = 3.0
#: A threshold is sharp: the upper end of its width's interval below this (in ln w; the 10%-90%
#: rise, 4.39 widths, then spans less than a factor exp(4.39 * 0.5) = 9 in weight).
MAX_WIDTH = 0.5
TAU_INTERCEPT, TAU = 10.0, 3.0
SUM_TOL = 0.01
GRID = (48, 64)
CHUNK = 512


@dataclass(frozen=True)
class DomainCheck:
    """One (metric, domain) test: the comparison numbers and, if detected, the threshold."""

    metric: str
    domain: str
    detected: bool
    log_bayes_factor: float
    critical_weight: Estimate | None
    width: Estimate | None
    jump: Estimate | None
    n_runs: int
    weight_range: tuple[float, float]
    note: str = ""
    given: tuple[str, ...] = ()  # domains whose detected steps were in the shared part

    @property
    def transition_probability(self) -> float:
        """Posterior probability of the transition model at equal prior odds."""
        return float(expit(self.log_bayes_factor))

    def to_dict(self) -> dict:
        return {
            "metric": self.metric,
            "domain": self.domain,
            "threshold_detected": self.detected,
            "log_bayes_factor": self.log_bayes_factor,
            "transition_probability": self.transition_probability,
            "critical_weight": self.critical_weight,
            "width_ln_weight": self.width,
            "jump": self.jump,
            "n_runs": self.n_runs,
            "weight_range": list(self.weight_range),
            "note": self.note,
            "given_thresholds_in": list(self.given),
        }


@dataclass
class SwarmCheck:
    """All (metric, domain) tests of one swarm."""

    checks: list[DomainCheck]
    domains: list[str]
    metrics: list[str]
    n_runs: int
    ci: float
    threshold: float = LOG_BF_THRESHOLD
    source: str = ""
    criterion: str = field(default=(
        "log Bayes factor ln B = ln p(y|transition) - ln p(y|smooth) (exact marginal "
        "likelihoods); a threshold when ln B > {t:g}, the critical weight lies inside the swarm, "
        "the step is non-zero and sharp (width < {w:g} in ln w); domains by forward selection"))  # fmt: skip

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "n_runs": self.n_runs,
            "domains": self.domains,
            "metrics": self.metrics,
            "criterion": self.criterion.format(t=self.threshold, w=MAX_WIDTH),
            "ci": self.ci,
            "checks": [c.to_dict() for c in self.checks],
        }

    def __str__(self) -> str:
        head = f"Swarm check: {self.n_runs} runs, {len(self.domains)} domains"
        lines = [head + (f" ({self.source})" if self.source else ""),
                 f"  criterion: {self.criterion.format(t=self.threshold, w=MAX_WIDTH)}",
                 f"  intervals: median [{self.ci:.0%} credible interval]"]  # fmt: skip
        for m in self.metrics:
            lines.append(f"metric {m}:")
            for c in (c for c in self.checks if c.metric == m):
                given = f"; given the threshold in {', '.join(c.given)}" if c.given else ""
                lines.append(f"  {c.domain:<16} ln B = {c.log_bayes_factor:7.2f}  " + (
                    f"THRESHOLD at weight {c.critical_weight} (step {c.jump}{given})"
                    if c.detected else f"no threshold ({c.note}{given})"))  # fmt: skip
        return "\n".join(lines)


def check_swarm(weights, metrics: dict, domains=None, ci: float = 0.9, seed: int = 0,
                threshold: float = LOG_BF_THRESHOLD, n_draws: int = 2000, sum_tol: float = SUM_TOL,
                source: str = "") -> SwarmCheck:  # fmt: skip
    """Test every (metric, domain) pair of a swarm (see the module docstring).

    ``weights``: ``(runs, domains)``, rows summing to 1; ``metrics``: ``{name: (runs,)}`` (NaN
    leaves a run out of that metric).
    """
    ci = check_ci(ci)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[1] < 2:
        raise MixphaseInputError("weights must be a (runs, domains) table with 2 or more domains")
    domains = list(domains) if domains is not None else [f"domain {j}" for j in range(w.shape[1])]
    if len(domains) != w.shape[1]:
        raise MixphaseInputError(f"{len(domains)} domain names for {w.shape[1]} weight columns")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise MixphaseInputError("weights must be finite and non-negative")
    bad = np.flatnonzero(np.abs(w.sum(1) - 1) > sum_tol)
    if bad.size:
        raise MixphaseInputError(f"run {bad[0] + 1}: the domain weights sum to "
                                 f"{w[bad[0]].sum():.4g}, not 1")  # fmt: skip
    if not metrics:
        raise MixphaseInputError("no metrics to check")
    checks = []
    for mi, (name, y) in enumerate(metrics.items()):
        y = np.asarray(y, dtype=float)
        if y.shape != (w.shape[0],):
            raise MixphaseInputError(f"metric {name!r} has {y.size} values for {w.shape[0]} runs")
        keep = ~np.isnan(y)
        if np.any(np.isinf(y)):
            raise MixphaseInputError(f"metric {name!r} has infinite values")
        checks += _check_metric(w[keep], y[keep], name, domains, ci, threshold, n_draws,
                                (seed, mi))  # fmt: skip
    return SwarmCheck(checks, domains, list(metrics), int(w.shape[0]), ci, threshold, source)


def log_weights(w: np.ndarray) -> np.ndarray:
    """``ln w`` per column, a zero weight taken as half the column's smallest positive weight."""
    out = np.empty_like(w)
    for j in range(w.shape[1]):
        pos = w[:, j][w[:, j] > 0]
        floor = 0.5 * pos.min() if pos.size else 1.0
        out[:, j] = np.log(np.where(w[:, j] > 0, w[:, j], floor))
    return out


def _z(cols: np.ndarray) -> np.ndarray:
    """Standardised columns; constant columns dropped."""
    sd = cols.std(0)
    keep = sd > 1e-12 * np.maximum(1.0, np.abs(cols).max(0))
    return (cols[:, keep] - cols[:, keep].mean(0)) / sd[keep]


def _check_metric(w, y, metric, domains, ci, threshold, n_draws, seed) -> list[DomainCheck]:
    """Forward selection: test every domain; accept the strongest detected threshold, add its
    step (at its posterior median) to the shared part and re-test the others; repeat."""
    final: dict[int, DomainCheck] = {}
    steps: list[tuple[int, float, float]] = []
    remaining = list(range(len(domains)))
    while remaining:
        trial = {d: _check_one(w, y, d, metric, domains, ci, threshold, n_draws,
                               np.random.default_rng([*seed, d]), steps) for d in remaining}  # fmt: skip
        hits = [d for d in remaining if trial[d].detected]
        if not hits:
            final.update(trial)
            break
        best = max(hits, key=lambda d: trial[d].log_bayes_factor)
        final[best] = c = trial[best]
        steps.append((best, math.log(c.critical_weight.median), c.width.median))
        remaining.remove(best)
    return [final[d] for d in range(len(domains))]


def _check_one(w, y, d, metric, domains, ci, threshold, n_draws, rng, steps) -> DomainCheck:
    n = y.size
    domain = domains[d]
    lw = log_weights(w)
    u = lw[:, d]
    wr = (float(w[:, d].min()), float(w[:, d].max()))
    others = [j for j in range(w.shape[1]) if j != d][: w.shape[1] - 2]  # sum_j w_j = 1
    smooth_cols = np.column_stack([lw, w[:, [d, *others]], w[:, d] ** 2,
                                   *[expit((lw[:, j] - uc) / sw) for j, uc, sw in steps]])  # fmt: skip
    base = np.column_stack([np.ones(n), _z(smooth_cols)])
    given = tuple(domains[j] for j, _, _ in steps)
    p = base.shape[1] + 1
    if np.unique(u).size < 5:
        return DomainCheck(metric, domain, False, 0.0, None, None, None, n, wr,
                           "fewer than 5 distinct weights of this domain", given)  # fmt: skip
    if n < p + 5:
        raise MixphaseInputError(f"metric {metric!r}: {n} runs are too few for {w.shape[1]} "
                                 f"domains (the check needs at least {p + 5})")  # fmt: skip
    sy = lin.Standardiser.of(y)
    v = sy.to(y)
    tau = np.array([TAU_INTERCEPT] + [TAU] * (p - 1))

    def log_sigma(sigma):
        return lin.log_sigma_prior(sigma, 1.0)[None, :]

    # smooth model: no non-linear parameters, only sigma on the grid
    X_s = np.column_stack([base, _z((u**2)[:, None])])[None]
    if X_s.shape[2] != p:  # (ln w)^2 constant cannot happen with 5 distinct weights; be safe
        X_s = np.concatenate([X_s, np.zeros((1, n, p - X_s.shape[2]))], axis=2)
    smooth = lin.grid_posterior(lambda pts, s: lin.log_marginal(X_s, v, tau, s) + log_sigma(s),
                                [], [], (1, 1))  # fmt: skip

    lo, hi = float(u.min()), float(u.max())
    lw_lo, lw_hi = (math.log(f * (hi - lo)) for f in WIDTH_RANGE)

    def design(theta):
        step = expit((u[None, :] - theta[:, 0:1]) / np.exp(theta[:, 1:2]))
        return np.concatenate([np.broadcast_to(base, (theta.shape[0], *base.shape)),
                               step[:, :, None]], axis=2)  # fmt: skip

    def logpost(pts, s):
        out = [lin.log_marginal(design(pts[i : i + CHUNK]), v, tau, s) for i in
               range(0, pts.shape[0], CHUNK)]  # fmt: skip
        return np.concatenate(out) + log_sigma(s)

    log_prior = -math.log(hi - lo) - math.log(lw_hi - lw_lo)
    trans = lin.grid_posterior(logpost, [lo, lw_lo], [hi, lw_hi], GRID,
                               log_prior_density=log_prior)  # fmt: skip
    log_bf = float(trans.log_evidence - smooth.log_evidence)
    theta, s = trans.draw(n_draws, rng)
    coef = lin.sample_coefficients(design(theta), v, tau, s, None, rng)
    crit = Estimate.from_samples(np.exp(theta[:, 0]), ci)
    width = Estimate.from_samples(np.exp(theta[:, 1]), ci)
    jump = Estimate.from_samples(coef[:, -1] * sy.scale, ci)
    us = np.sort(u)
    edge = np.mean(theta[:, 0] < us[1]) + np.mean(theta[:, 0] > us[-2])
    if log_bf <= threshold:
        note = f"ln B {log_bf:.2f} <= {threshold:g}: the smooth model is not beaten"
    elif edge > 0.5:
        note = "the step's posterior lies at the edge of the swarm's weights"
    elif jump.lower < 0 < jump.upper:
        note = "the step's height is not distinguishable from 0"
    elif width.upper > MAX_WIDTH:
        note = (
            f"not sharp: the step's width in ln w reaches {width.upper:.2g} > {MAX_WIDTH:g} "
            "(smooth curvature, not a threshold)"
        )
    else:
        note = ""
    detected = not note
    return DomainCheck(metric, domain, detected, log_bf, crit if detected else None,
                       width if detected else None, jump if detected else None, n, wr, note,
                       given)  # fmt: skip


__all__ = ["LOG_BF_THRESHOLD", "DomainCheck", "SwarmCheck", "check_swarm"]
