"""Which web loss law the predictions use, with its uncertainty.

- No web runs: the law given by the model options; the paper's default law carries its
  exponent's uncertainty (``alpha ~ N(0.283, 0.04)``, :func:`mixphase.advise.priors.paper_law_draws`).
- Web runs (``--web-runs``: model size and web-only loss): :func:`mixphase.fit.fit_web_law` fits
  power, log and (with >= 6 sizes) broken power laws, with posterior probabilities from exact
  marginal likelihoods; ``family="auto"`` takes the most probable one and its posterior draws are
  propagated; ``"table"`` uses the measured points' convex hull (Thm 4.3's ``M0-/M0+``; no
  draws: its uncertainty is not propagated, said in the output).
- Web runs at several training lengths (a ``training_tokens`` column): the law is fitted at the
  most common length, and the others measure how capacity changes with length
  (:func:`with_length_scaling`, :class:`~mixphase.theory.capacity.LengthScaling`): the size at
  the reference length with the same web loss, per draw of the law.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from mixphase.advise.priors import paper_law_draws
from mixphase.advise.runs import at_reference, reference_length
from mixphase.errors import MixphaseInputError
from mixphase.theory.capacity import LengthScaling
from mixphase.theory.web_law import PAPER_WEB_LAW, TableLaw
from mixphase.theory.web_law_draws import LawDraws, MixedLawDraws

FAMILIES = ("auto", "power", "log", "broken", "table")


@dataclass(frozen=True)
class WebChoice:
    """The web-law draws the predictions use, and where they came from."""

    draws: LawDraws
    source: str
    fit: object | None = None  # a mixphase.fit.WebLawFit when fitted
    length: LengthScaling | None = None  # web runs at other training lengths

    def to_dict(self) -> dict:
        out = {"source": self.source, "family": self.draws.family, "law": self.draws.to_dict()}
        if self.fit is not None:
            out["fit"] = self.fit.to_dict()
        if self.length is not None:
            out["length_scaling"] = {
                **self.length.to_dict(self.draws),
                "unreachable_draw_runs": self.length.unreachable(self.draws),
            }
        return out

    def length_factors(self) -> list[tuple[float, np.ndarray]]:
        """``(T, rho draws)`` at each measured length (the reference's rho is 1)."""
        if self.length is None:
            return []
        out = []
        for t, v in zip(self.length.lengths, self.length.log_factors(self.draws), strict=True):
            out.append((float(t), np.exp(np.broadcast_to(v, (self.draws.size, 1))[:, 0])))
        return out

    def lines(self) -> list[str]:
        out = [f"  web law   {self.draws.describe()}", f"            ({self.source})"]
        if self.fit is not None:
            probs = ", ".join(f"{k} {p:.2f}" for k, p in sorted(
                self.fit.probabilities.items(), key=lambda kv: -kv[1]))  # fmt: skip
            out.append(f"            P(family | web runs): {probs}")
        for t, rho in self.length_factors():
            if t == self.length.reference_tokens:
                continue
            lo, med, hi = np.quantile(rho, [0.05, 0.5, 0.95])
            out.append(f"  capacity at T={t:.3g} tokens: x{med:.3g} [{lo:.3g}, {hi:.3g}] of "
                       f"T={self.length.reference_tokens:.3g}'s (web-only runs at both lengths)")  # fmt: skip
        if self.length is not None and (k := self.length.unreachable(self.draws)):
            out.append(f"            ({k} draw-run pairs could not reach a run's loss and took "
                       "the median law's size for it)")  # fmt: skip
        return out


def default_web(model, n_draws: int, seed: int = 0) -> WebChoice:
    """The model's own law; the paper's default with its exponent's interval."""
    if model.web == PAPER_WEB_LAW:
        rng = np.random.default_rng([seed, 11])
        return WebChoice(paper_law_draws(n_draws, rng),
                         "the paper's FineWeb-Edu fit; alpha ~ N(0.283, 0.04), a 6-point fit")  # fmt: skip
    return WebChoice(LawDraws.of(model.web), "as given (a point: no uncertainty propagated)")


def web_from_runs(sizes, losses, family: str = "auto", *, loss_unit: str = "nats",
                  ci: float = 0.9, seed: int = 0, n_draws: int = 1000) -> WebChoice:  # fmt: skip
    """Fit the web law to web-only runs (see the module docstring)."""
    if family not in FAMILIES:
        raise MixphaseInputError(f"--web-law must be one of {', '.join(FAMILIES)}, got {family!r}")
    sizes = np.asarray(sizes, dtype=float)
    losses = np.asarray(losses, dtype=float)
    if family == "table":
        u = np.unique(sizes)
        mean = [float(losses[sizes == s].mean()) for s in u]
        try:
            table = TableLaw(tuple(u.tolist()), tuple(mean), loss_unit)
        except ValueError as exc:
            raise MixphaseInputError(f"web runs: {exc}") from None
        return WebChoice(LawDraws.of(table),
                         f"convex table of {u.size} web runs (no draws: its uncertainty is not "
                         "propagated)")  # fmt: skip
    from mixphase.fit import fit_web_law

    families = ("power", "log", "broken") if family == "auto" else (family,)
    if family == "broken" and np.unique(sizes).size < 6:
        raise MixphaseInputError("--web-law broken needs web runs at 6 or more model sizes")
    fit = fit_web_law(sizes, losses, families=families, ci=ci, seed=seed, loss_unit=loss_unit)
    if family != "auto":
        draws = LawDraws.of(fit.laws(fit.choice, n=n_draws))
        return WebChoice(draws, f"fitted to {sizes.size} web runs: {fit.choice} law (as asked), "
                                f"{draws.size} posterior draws propagated", fit)  # fmt: skip
    return WebChoice(
        model_average(fit, n_draws, seed),
        f"fitted to {sizes.size} web runs: families averaged by their posterior "
        f"probability ({fit.choice} most probable), {n_draws} draws propagated",
        fit,
    )


def web_from_runs_by_length(sizes, losses, tokens, family: str = "auto", **kwargs) -> WebChoice:
    """:func:`web_from_runs` on the runs at the reference length, and
    :func:`with_length_scaling` from the others (``tokens``: NaN where unknown)."""
    tokens = np.asarray(tokens, dtype=float)
    ref = at_reference(tokens)
    web = web_from_runs(np.asarray(sizes)[ref], np.asarray(losses)[ref], family, **kwargs)
    return with_length_scaling(web, sizes, losses, tokens)


def with_length_scaling(web: WebChoice, sizes, losses, tokens) -> WebChoice:
    """``web`` and the capacity-vs-length curve of the web runs at other lengths (none: as is)."""
    tokens = np.asarray(tokens, dtype=float)
    t0 = reference_length(tokens)
    other = np.isfinite(tokens) & (tokens != t0)
    if not other.any():
        return web
    scaling = LengthScaling(t0, tuple(tokens[other].tolist()),
                            tuple(np.asarray(sizes, dtype=float)[other].tolist()),
                            tuple(np.asarray(losses, dtype=float)[other].tolist()))  # fmt: skip
    median = scaling.log_factors(web.draws.median_law())
    if not np.all(np.isfinite(median)):
        raise MixphaseInputError(
            "web runs: a loss at another training length lies beyond the reach of the web law "
            f"fitted at {t0:.3g} tokens (below its floor?): cannot say which size it matches"
        )
    return replace(web, length=scaling)


def model_average(fit, n_draws: int, seed: int = 0):
    """Draws from every family with posterior probability >= 1%, in proportion to it."""
    probs = {k: p for k, p in fit.probabilities.items() if p >= 0.01}
    total = sum(probs.values())
    counts = {k: max(1, round(n_draws * p / total)) for k, p in probs.items()}
    if len(counts) == 1:
        return LawDraws.of(fit.laws(next(iter(counts)), n=n_draws))
    parts = tuple(LawDraws.of(fit.laws(k, n=c)) for k, c in counts.items())
    assign = np.concatenate([np.full(p.size, f) for f, p in enumerate(parts)])
    index = np.concatenate([np.arange(p.size) for p in parts])
    order = np.random.default_rng([seed, 23]).permutation(assign.size)
    return MixedLawDraws(parts, assign[order], index[order])


__all__ = ["FAMILIES", "WebChoice", "default_web", "web_from_runs", "web_from_runs_by_length",
           "with_length_scaling"]  # fmt: skip
