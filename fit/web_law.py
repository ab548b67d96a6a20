"""Which web loss law do the web-only runs follow? Power, log or broken power law, by evidence.

Model for the measured losses ``L_i`` at sizes ``N_i`` (:mod:`mixphase.theory.web_law` defines
the families)::

    L_i = f(N_i; theta, beta) + eps_i,   eps_i ~ N(0, sigma^2 + e_i^2)

with ``f`` linear in two coefficients ``beta`` given the shape parameters ``theta``:

- ``log``:    ``f = b0 + b1 * u``,              ``u = (ln N - mean)/sd`` (no ``theta``);
- ``power``:  ``f = b0 + b1 * (N/N_ref)^-alpha``, ``alpha ~ U(0.005, 2)``;
- ``broken``: ``f = b0 + b1 * g(N)/g(N_ref)`` (one smooth break, smoothness 0.5 in ``ln N``),
  ``alpha1, alpha2 ~ U(0.005, 2)``, ``ln N_break ~ U(ln N_min, ln N_max)`` (a break outside the
  data cannot be identified); needs 6 or more points.

``N_ref`` is the geometric mean size. Losses are standardised (``v = (L - mean)/sd``);
``beta ~ N(0, 10^2)`` and ``sigma ~ HalfNormal(1)`` in those units, as in the rest of the fast
engine. ``beta`` is integrated out exactly and ``theta``, ``sigma`` on an adaptive grid
(:mod:`mixphase.fit._linear`), which gives each family's exact **log evidence** (marginal
likelihood) under these priors; families are compared by their posterior probabilities with
equal prior odds. Physical constraints — the loss falls with size (``b1`` of the right sign)
and, for the power families, a non-negative floor ``E`` — are imposed by rejection on the draws,
and the evidence is corrected by ``log P(constraints | data) - log P(constraints)``.

Why: the knapsack prediction for how the critical ratio scales with size is the local slope of
the web's marginal value, ``d ln(-L')/d ln N`` (-(alpha+1) for a power law, -1 for a log law),
so the family matters as much as its parameters. The synthetic Zipf(1) web of ``validate`` is
close to a log law; the paper's FineWeb-Edu web is a power law.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import norm

from mixphase.errors import MixphaseInputError
from mixphase.fit import _linear as lin
from mixphase.fit.data import check_ci, check_xy, optional_array
from mixphase.records import Estimate
from mixphase.theory.web_law import BrokenPowerLaw, LogLaw, TableLaw, WebLaw

FAMILIES = ("power", "log", "broken")
ALPHA_RANGE = (0.005, 2.0)
SMOOTHNESS = 0.5
TAU = np.array([10.0, 10.0])
MIN_POINTS = {"log": 3, "power": 3, "broken": 6}


@dataclass(frozen=True)
class FamilyFit:
    """One family's evidence, posterior probability and posterior draws of its parameters."""

    family: str
    log_evidence: float
    probability: float
    params: dict  # name -> array of draws
    rms: float  # rms residual of the posterior-median curve, in loss units
    accepted: float  # share of draws that met the constraints

    def to_dict(self) -> dict:
        return {"log_evidence": self.log_evidence, "probability": self.probability,
                "rms_residual": self.rms, "constraint_acceptance": self.accepted,
                "params": {k: Estimate.from_samples(v).to_dict()
                           for k, v in self.params.items()}}  # fmt: skip


@dataclass(frozen=True)
class WebLawFit:
    """Evidence per family, the chosen family, and posterior draws of every fitted law."""

    families: dict[str, FamilyFit]
    choice: str
    ci: float
    sizes: np.ndarray
    losses: np.ndarray
    size_unit: float
    loss_unit: str
    skipped: dict = field(default_factory=dict)  # family -> why it was not fitted

    def laws(self, family: str | None = None, n: int | None = None) -> list:
        """Posterior draws of the law as objects of :mod:`mixphase.theory.web_law`."""
        fam = self.families[family or self.choice]
        p = fam.params
        m = next(iter(p.values())).size
        idx = np.arange(m) if n is None else np.linspace(0, m - 1, min(n, m)).astype(int)
        kw = {"size_unit": self.size_unit, "loss_unit": self.loss_unit}
        if fam.family == "log":
            return [LogLaw(a=float(p["a"][i]), c=float(p["c"][i]), **kw) for i in idx]
        if fam.family == "power":
            return [WebLaw(E=float(p["E"][i]), A=float(p["A"][i]), alpha=float(p["alpha"][i]),
                           **kw) for i in idx]  # fmt: skip
        return [BrokenPowerLaw(E=float(p["E"][i]), A=float(p["A"][i]),
                               alpha1=float(p["alpha1"][i]), alpha2=float(p["alpha2"][i]),
                               n_break=float(p["n_break"][i]), smoothness=SMOOTHNESS, **kw)
                for i in idx]  # fmt: skip

    def median_law(self, family: str | None = None):
        """The law at the posterior medians of its parameters (for point predictions)."""
        fam = self.families[family or self.choice]
        med = {k: float(np.median(v)) for k, v in fam.params.items()}
        kw = {"size_unit": self.size_unit, "loss_unit": self.loss_unit}
        if fam.family == "log":
            return LogLaw(**med, **kw)
        if fam.family == "power":
            return WebLaw(**med, **kw)
        return BrokenPowerLaw(**med, smoothness=SMOOTHNESS, **kw)

    def table(self) -> TableLaw:
        """The measured points as a convex table law (sizes averaged over repeats)."""
        u = np.unique(self.sizes)
        mean = np.array([self.losses[self.sizes == s].mean() for s in u])
        return TableLaw(tuple(u.tolist()), tuple(mean.tolist()), self.loss_unit)

    def _over_draws(self, fn, n_params, family):
        vals = np.array([fn(law, n_params) for law in self.laws(family, n=1000)])
        return Estimate.from_samples(vals, self.ci)

    def local_exponent(self, n_params: float, family: str | None = None) -> Estimate:
        """``d ln(-L')/d ln N`` at ``n_params``: the knapsack's ``d ln odds(r_c)/d ln N``."""
        return self._over_draws(lambda law, n: law.local_exponent(n), n_params, family)

    def marginal(self, n_params: float, family: str | None = None) -> Estimate:
        """``-dL/dN`` at ``n_params`` (``loss_unit`` per token per parameter)."""
        return self._over_draws(lambda law, n: law.marginal(n), n_params, family)

    @property
    def probabilities(self) -> dict[str, float]:
        return {k: f.probability for k, f in self.families.items()}

    def to_dict(self) -> dict:
        n_lo, n_hi = float(self.sizes.min()), float(self.sizes.max())
        mid = float(np.sqrt(n_lo * n_hi))
        return {"choice": self.choice, "ci": self.ci, "points": int(self.sizes.size),
                "size_range": [n_lo, n_hi], "loss_unit": self.loss_unit,
                "families": {k: f.to_dict() for k, f in self.families.items()},
                "skipped": dict(self.skipped),
                "local_exponent_at_mid_size": {"size": mid,
                                               **self.local_exponent(mid).to_dict()}}  # fmt: skip

    def __str__(self) -> str:
        n_lo, n_hi = float(self.sizes.min()), float(self.sizes.max())
        mid = float(np.sqrt(n_lo * n_hi))
        lines = [f"Web loss law from {self.sizes.size} runs ({n_lo:.3g}-{n_hi:.3g} parameters), "
                 "families compared by exact marginal likelihood (equal prior odds)",
                 f"  {'family':<8} {'P(family)':>10} {'log evidence':>13} {'rms resid':>10}  "
                 "d ln(-L')/d ln N at mid size"]  # fmt: skip
        for k, f in sorted(self.families.items(), key=lambda kv: -kv[1].probability):
            mark = "*" if k == self.choice else " "
            lines.append(f" {mark}{k:<8} {f.probability:>10.3f} {f.log_evidence:>13.2f} "
                         f"{f.rms:>10.3g}  {self.local_exponent(mid, k)}")  # fmt: skip
        for k, why in self.skipped.items():
            lines.append(f"  {k:<8} not fitted: {why}")
        lines.append(f"  chosen: {self.median_law().describe()}")
        return "\n".join(lines)


def fit_web_law(sizes, losses, loss_sd=None, *, families=FAMILIES, ci: float = 0.9,
                seed: int = 0, size_unit: float = 1e6, loss_unit: str = "nats",
                n_draws: int = 4000) -> WebLawFit:  # fmt: skip
    """Fit every family in ``families`` to web-only losses; choose by posterior probability.

    ``loss_sd``: optional known standard error of each loss (e.g. from seeds), added to the
    fitted scatter in quadrature.
    """
    ci = check_ci(ci)
    n, y = check_xy(sizes, losses, min_points=3, log_y=False, what="web loss law")
    e = optional_array("loss_sd", loss_sd, n.size, positive=False)
    if loss_unit not in ("nats", "bits"):
        raise MixphaseInputError(f"loss_unit must be 'nats' or 'bits', got {loss_unit!r}")
    unknown = set(families) - set(FAMILIES)
    if unknown or not families:
        raise MixphaseInputError(f"families must be among {', '.join(FAMILIES)}")
    if np.unique(n).size < 3:
        raise MixphaseInputError("a web loss law needs runs at three or more model sizes")
    if not np.all(y > 0):
        raise MixphaseInputError("web losses must be positive")
    rng = np.random.default_rng(seed)
    sy = lin.Standardiser.of(y)
    v = sy.to(y)
    es = None if e is None else np.maximum(e / sy.scale, 1e-9)
    ln = np.log(n)
    n_ref = float(np.exp(ln.mean()))
    fits, skipped = {}, {}
    for fam in families:
        if np.unique(n).size < MIN_POINTS[fam]:
            skipped[fam] = f"needs {MIN_POINTS[fam]} or more sizes"
            continue
        fits[fam] = _fit_family(fam, n, ln, v, es, sy, n_ref, size_unit, rng, n_draws)
    good = {k: f for k, f in fits.items() if f is not None}
    for k in set(fits) - set(good):
        skipped[k] = "no posterior draw has a loss that falls with size (and a floor >= 0)"
    if not good:
        raise MixphaseInputError("the web runs' loss does not fall with model size")
    log_ev = np.array([f["log_evidence"] for f in good.values()])
    prob = np.exp(log_ev - log_ev.max())
    prob /= prob.sum()
    out = {}
    for (k, f), p in zip(good.items(), prob, strict=True):
        out[k] = FamilyFit(k, f["log_evidence"], float(p), f["params"], f["rms"], f["accepted"])
    choice = max(out, key=lambda k: out[k].probability)
    return WebLawFit(out, choice, ci, n, y, float(size_unit), loss_unit, skipped)


# -- one family -----------------------------------------------------------------------------
def _design(fam: str, n, ln, n_ref, theta):
    """``(G, n, 2)`` designs and each row's ``g(N_ref)`` (the column's scale) for ``theta``."""
    G = theta.shape[0]
    X = np.ones((G, n.size, 2))
    if fam == "log":
        X[:, :, 1] = ((ln - ln.mean()) / ln.std())[None, :]
        return X
    if fam == "power":
        X[:, :, 1] = np.exp(-theta[:, 0:1] * (ln[None, :] - math.log(n_ref)))
        return X
    X[:, :, 1] = np.exp(_broken_log_g(ln[None, :], theta) - _broken_log_g(math.log(n_ref), theta))
    return X


def _broken_log_g(ln, theta):
    """``ln g`` of the broken law with ``x = N`` (the unit cancels in ``g(N)/g(N_ref)``)."""
    a1, a2, lb = theta[:, 0:1], theta[:, 1:2], theta[:, 2:3]
    lq = (ln - lb) / SMOOTHNESS
    return -a1 * ln - (a2 - a1) * SMOOTHNESS * np.logaddexp(0.0, lq)


def _box(fam: str, ln):
    if fam == "log":
        return [], [], 0.0, ()
    lo_a, hi_a = ALPHA_RANGE
    if fam == "power":
        return [lo_a], [hi_a], -math.log(hi_a - lo_a), (64, 64)
    span = ln.max() - ln.min()
    return ([lo_a, lo_a, ln.min()], [hi_a, hi_a, ln.max()],
            -2 * math.log(hi_a - lo_a) - math.log(span), (28, 24))  # fmt: skip


def _fit_family(fam, n, ln, v, es, sy, n_ref, size_unit, rng, n_draws):
    lo, hi, log_density, grid = _box(fam, ln)

    def logpost(pts, sigma):
        X = _design(fam, n, ln, n_ref, pts)
        out = np.empty((X.shape[0], sigma.size))
        for i in range(0, X.shape[0], 4096):
            out[i : i + 4096] = lin.log_marginal(X[i : i + 4096], v, TAU, sigma, es)
        return out + lin.log_sigma_prior(sigma, 1.0)[None, :]

    kw = {"n_per_dim": grid} if grid else {"n_per_dim": (1, 1)}
    post = lin.grid_posterior(logpost, lo, hi, log_prior_density=log_density,
                              n_sigma=(120, 64), **kw)  # fmt: skip
    theta, s = post.draw(n_draws, rng)
    if fam != "log":  # draws within a cell may leave the prior box by rounding: clip
        theta = np.clip(theta, lo, hi)
    else:
        theta = np.zeros((n_draws, 0))
    X = _design(fam, n, ln, n_ref, theta) if fam != "log" else np.repeat(
        _design(fam, n, ln, n_ref, np.zeros((1, 0))), n_draws, 0)  # fmt: skip
    coef = lin.sample_coefficients(X, v, TAU, s, es, rng)
    b0 = sy.center + sy.scale * coef[:, 0]  # level (loss units)
    b1 = sy.scale * coef[:, 1]  # size of the shape column (loss units)
    params, ok, p_prior = _to_params(fam, theta, b0, b1, ln, n_ref, size_unit, sy)
    accepted = float(ok.mean())
    if ok.sum() < 20:
        return None
    params = {k: val[ok] for k, val in params.items()}
    log_ev = post.log_evidence + math.log(accepted) - math.log(p_prior)
    # rms residual of the posterior-median curve (loss units)
    med = {k: float(np.median(val)) for k, val in params.items()}
    curve = _curve(fam, med, n, size_unit)
    rms = float(np.sqrt(np.mean((curve - sy.back(v)) ** 2)))
    return {"log_evidence": float(log_ev), "params": params, "rms": rms, "accepted": accepted}


def _to_params(fam, theta, b0, b1, ln, n_ref, size_unit, sy):
    """Family parameters from ``(theta, b0, b1)``, the constraint mask and its prior probability.

    Prior probability of the constraints under ``beta ~ N(0, tau^2)`` (standardised units):
    ``P(b1 of the falling sign) = 1/2`` and ``P(E >= 0) = Phi(mean(L) / (sd(L) * tau))``.
    """
    p_floor = float(norm.cdf(sy.center / (sy.scale * TAU[0])))
    if fam == "log":
        s_u = float(ln.std())
        c = -b1 / s_u
        a = b0 + c * (ln.mean() - math.log(size_unit))
        return {"a": a, "c": c}, c > 0, 0.5
    if fam == "power":
        alpha = theta[:, 0]
        A = b1 * (n_ref / size_unit) ** alpha
        return {"E": b0, "A": A, "alpha": alpha}, (A > 0) & (b0 >= 0), 0.5 * p_floor
    a1, a2, lb = theta[:, 0], theta[:, 1], theta[:, 2]
    log_g_ref = _broken_log_g(math.log(n_ref) - math.log(size_unit), np.stack(
        [a1, a2, lb - math.log(size_unit)], 1))[:, 0]  # fmt: skip
    A = b1 / np.exp(log_g_ref)
    params = {"E": b0, "A": A, "alpha1": a1, "alpha2": a2, "n_break": np.exp(lb)}
    return params, (A > 0) & (b0 >= 0), 0.5 * p_floor


def _curve(fam, med, n, size_unit):
    kw = {"size_unit": size_unit}
    if fam == "log":
        return LogLaw(**med, **kw).loss(n)
    if fam == "power":
        return WebLaw(**med, **kw).loss(n)
    return BrokenPowerLaw(**med, smoothness=SMOOTHNESS, **kw).loss(n)


__all__ = ["FAMILIES", "FamilyFit", "WebLawFit", "fit_web_law"]
