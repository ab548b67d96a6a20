"""Posterior of the model's constants given runs and anchors, by adaptive importance sampling.

Likelihood [ours]. Run ``i`` (size ``N_i``, ratio ``r_i``, its own knowledge set and training
length) with ``c_i = accuracy_i * n_i`` of ``n_i`` independent trials (people):

    c_i | delta_i ~ Binomial(n_i, eps + (1 - 2 eps) A(x_i + delta_i)),  delta_i ~ N(0, sigma^2)

``A`` the accuracy model (:mod:`mixphase.theory.accuracy`) under the draw's constants and web law,
``x_i = ln(r_i/(1-r_i))``, ``delta_i`` the run's seed effect (integrated out with 5-point
Gauss-Hermite: overdispersion, so people are not over-counted), ``eps = 0.01`` a lapse rate
(a guess that happens to match, a slip) [choice]. Non-integer ``c_i`` (accuracy x facts) use the
same binomial kernel. An anchor (one measured ratio ``r_a`` where accuracy was ``level`` at
``N_a``) contributes ``x_a ~ N(x_level(N_a), sigma^2)``: one sweep's transition scatters by
the seed effect.

Sampler. Draws from the prior (:class:`~mixphase.advise.priors.Priors`; the web law's draw index
uniform over its posterior draws), weights ``prior * likelihood / proposal``; while the effective
sample size is below ``target_ess``, a new batch is drawn from a Student-t (5 dof) fitted to the
weighted draws so far, inflated 1.5x, mixed 20% with the prior (defensive). All batches are
pooled with their own weights; the result is resampled (systematic) to ``n_draws`` equal-weight
draws (while fewer than 40 draws carry the weight, the Student-t is fitted to the 40 best draws
instead: a cross-entropy step that keeps a sharp posterior from collapsing the proposal). The
effective sample size is reported. If it stays below ``target_ess`` (many runs, a sharp
posterior), the resampled draws are moved by ``MOVES`` steps of random-walk Metropolis (the draws'
covariance, scale adapted towards 25% acceptance): an SMC move step that restores diversity.
Seeded, so results are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy.special import logsumexp

from mixphase.advise.priors import Priors, constants, with_constants
from mixphase.advise.runs import CalibrationData
from mixphase.theory import accuracy as acc
from mixphase.theory.knapsack import KnapsackModel, KnowledgeSet
from mixphase.theory.web_law_draws import LawDraws

LAPSE = 0.01
BATCH = 2000
ROUNDS = 10
TARGET_ESS = 600.0
ELITE = 40
MOVES = 12


@dataclass(frozen=True)
class Anchor:
    """One measured ratio: accuracy reached ``level`` at ``ratio`` for a model of ``size``."""

    size: float
    ratio: float
    level: float = 0.5
    knowledge: KnowledgeSet | None = None  # None: the target's
    training_tokens: float | None = None  # None: the target's

    def to_dict(self) -> dict:
        return {"size": self.size, "ratio": self.ratio, "level": self.level,
                "facts": None if self.knowledge is None else float(self.knowledge.n_facts),
                "training_tokens": self.training_tokens}  # fmt: skip


def log_likelihood(theta: np.ndarray, web: LawDraws, base: KnapsackModel,
                   data: CalibrationData | None, anchors=()) -> np.ndarray:  # fmt: skip
    """``log p(runs, anchors | theta, web)`` for each draw (``web`` paired with ``theta``)."""
    c = constants(theta)
    out = np.zeros(theta.shape[0])
    if data is not None and data.n:
        m = with_constants(replace(base, knowledge=data.knowledge(),
                                   training_tokens=data.training_tokens[None, :]), c, web)  # fmt: skip
        x = np.log(data.ratios / (1 - data.ratios))[None, :]
        levels = acc.level_log_odds(m, data.sizes[None, :], data.ratios[None, :])
        k = (data.accuracy * data.trials)[None, :]
        n = data.trials[None, :]
        terms = []
        for z, wg in zip(acc.GH_NODES, acc.GH_WEIGHTS, strict=True):
            p = LAPSE + (1 - 2 * LAPSE) * acc.accuracy_from_levels(
                x, levels, c["width"], c["seed_sd"] * z
            )
            terms.append(np.log(wg) + k * np.log(p) + (n - k) * np.log1p(-p))
        out += logsumexp(np.stack(terms), axis=0).sum(axis=1)
    for a in anchors:
        cfg = {"knowledge": a.knowledge or base.knowledge,
               "training_tokens": base.training_tokens if a.training_tokens is None
               else a.training_tokens}  # fmt: skip
        m = with_constants(replace(base, **cfg), c, web)
        r = acc.ratio_at_accuracy(m, np.array([[a.size]]), a.level, c["width"])[:, 0]
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.log(a.ratio / (1 - a.ratio)) - np.log(r / (1 - r))
        sd = c["seed_sd"][:, 0]
        ll = -0.5 * (d / sd) ** 2 - np.log(sd)
        out += np.where(np.isfinite(ll), ll, -1e9)
    return out


@dataclass(frozen=True)
class Posterior:
    """Equal-weight draws (``theta``, web-law index) and the sampler's diagnostics."""

    theta: np.ndarray
    web_index: np.ndarray
    ess: float
    evaluated: int
    rounds: int
    acceptance: float | None = None  # of the Metropolis moves, when they were needed


def sample_posterior(loglik, priors: Priors, n_web: int, *, n_draws: int = 1000, seed: int = 0,
                     batch: int = BATCH, rounds: int = ROUNDS,
                     target_ess: float = TARGET_ESS) -> Posterior:  # fmt: skip
    """Adaptive importance sampling of ``prior * exp(loglik(theta, web_index))``."""
    from scipy.stats import multivariate_t

    rng = np.random.default_rng([seed, 13])
    theta = priors.sample(batch, rng)
    j = rng.integers(n_web, size=batch)
    thetas, idx, logw = [theta], [j], [loglik(theta, j)]
    done = 0
    for done in range(1, rounds + 1):
        lw = np.concatenate(logw)
        w = np.exp(lw - lw.max())
        ess = w.sum() ** 2 / (w**2).sum()
        if ess >= target_ess or (done > 4 and ess < 0.1 * target_ess):
            break  # enough, or stagnating: the Metropolis moves below take over
        allt = np.concatenate(thetas)
        if ess >= ELITE:  # the weighted draws' moments
            wn = w / w.sum()
            mu = wn @ allt
            cov = (allt - mu).T @ ((allt - mu) * wn[:, None])
        else:  # few effective draws: the best ELITE draws, unweighted (cross-entropy step)
            top = allt[np.argsort(lw)[-ELITE:]]
            mu, cov = top.mean(axis=0), np.cov(top.T)
        cov = 1.5**2 * (cov + np.diag((0.02 * priors.sd()) ** 2))
        t_dist = multivariate_t(mu, cov, df=5, seed=rng)
        from_prior = rng.random(batch) < 0.2
        theta = np.where(from_prior[:, None], priors.sample(batch, rng), t_dist.rvs(batch))
        lq = np.logaddexp(np.log(0.8) + t_dist.logpdf(theta),
                          np.log(0.2) + priors.logpdf(theta))  # fmt: skip
        j = rng.integers(n_web, size=batch)
        with np.errstate(invalid="ignore", over="ignore"):
            lp = priors.logpdf(theta) + loglik(theta, j) - lq
        thetas.append(theta)
        idx.append(j)
        logw.append(np.where(np.isfinite(lp), lp, -np.inf))
    lw = np.concatenate(logw)
    w = np.exp(lw - lw.max())
    ess = float(w.sum() ** 2 / (w**2).sum())
    pick = _systematic(w / w.sum(), n_draws, rng)
    theta, j = np.concatenate(thetas)[pick], np.concatenate(idx)[pick]
    evaluated, accept = int(lw.size), None
    if ess < target_ess:  # a sharp posterior: move the resampled draws by random-walk Metropolis
        theta, j, accept = _metropolis(theta, j, loglik, priors, n_web, rng)
        evaluated += MOVES * n_draws
    return Posterior(theta, j, ess, evaluated, done, accept)


def _metropolis(theta, j, loglik, priors, n_web, rng, moves: int | None = None):
    """``MOVES`` random-walk Metropolis steps for every draw (the web-law index refreshed from
    its uniform prior at each step); the step scale adapts towards 25% acceptance."""
    lp = priors.logpdf(theta) + loglik(theta, j)
    cov = np.cov(theta.T) + np.diag((0.01 * priors.sd()) ** 2)
    chol = np.linalg.cholesky(cov)
    scale = 2.38 / np.sqrt(theta.shape[1])
    rates = []
    for _ in range(moves or MOVES):
        prop = theta + scale * rng.standard_normal(theta.shape) @ chol.T
        jp = rng.integers(n_web, size=j.size)
        with np.errstate(invalid="ignore", over="ignore"):
            lpp = priors.logpdf(prop) + loglik(prop, jp)
        ok = np.log(rng.random(j.size)) < np.where(np.isfinite(lpp), lpp - lp, -np.inf)
        theta, j, lp = (
            np.where(ok[:, None], prop, theta),
            np.where(ok, jp, j),
            np.where(ok, lpp, lp),
        )
        rates.append(float(ok.mean()))
        scale *= float(np.exp(rates[-1] - 0.25))
    return theta, j, float(np.mean(rates))


def _systematic(p: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    u = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(p), u), p.size - 1)


__all__ = ["LAPSE", "Anchor", "Posterior", "log_likelihood", "sample_posterior"]
