"""Fit results: records with ``to_dict()`` (the ``--json`` shapes), ``__str__``, ``predict``,
``plot`` and ``save`` (ArviZ ``InferenceData`` as netCDF)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mixphase.records import Estimate


@dataclass
class Draws:
    """Posterior draws, shaped (chains, draws, ...), in standardised coordinates."""

    b: np.ndarray
    coef: np.ndarray
    sigma: np.ndarray
    nu: np.ndarray | None = None

    def flat_b(self) -> np.ndarray:
        """Breakpoint draws flattened over chains: (chains * draws, k)."""
        return self.b.reshape(self.coef.shape[0] * self.coef.shape[1], self.b.shape[-1])


def _fmt_diag(d: dict) -> str:
    from mixphase.fit.diagnostics import describe

    return describe(d)


def _engine_text(engine: str, sampler: str | None) -> str:
    return f"{engine} engine" + (f", {sampler} NUTS" if sampler else "")


def save_idata(idata, path) -> None:
    """Write an InferenceData to netCDF atomically (:func:`mixphase.io.atomic_path`)."""
    from mixphase.io import atomic_path

    with atomic_path(path) as tmp:
        idata.to_netcdf(tmp)


class _PosteriorCurves:
    """What every fit result derives from its ``curves(x)`` (one posterior curve per draw) and
    ``to_inference_data()``: the median curve, a credible band and a netCDF file."""

    ci: float

    def predict(self, x) -> np.ndarray:
        """Posterior median curve at ``x`` (units of y)."""
        return np.median(self.curves(np.atleast_1d(x)), axis=0)

    def band(self, x, level: float | None = None):
        """``(lower, median, upper)`` curves of the central ``level`` credible band."""
        level = self.ci if level is None else level
        c = self.curves(np.atleast_1d(x))
        return tuple(np.quantile(c, [(1 - level) / 2, 0.5, (1 + level) / 2], axis=0))

    def save(self, path) -> None:
        save_idata(self.to_inference_data(), path)


@dataclass
class BreakpointFit(_PosteriorCurves):
    n_breakpoints: int
    breakpoints: list[Estimate]
    slopes: list[Estimate]
    diagnostics: dict
    warnings: list[str]
    engine: str
    noise: str
    ci: float
    n_points: int
    log_evidence: float | None = None
    comparison: list[dict] | None = None
    criterion: str | None = None
    sampler: str | None = None
    seconds: float = 0.0
    timing: dict = field(default_factory=dict, repr=False)
    problem: Any = field(default=None, repr=False)
    draws: Draws | None = field(default=None, repr=False)
    identification_error: str = ""
    idata: Any = field(default=None, repr=False)

    def to_dict(self) -> dict:
        out = {
            "n_breakpoints": self.n_breakpoints,
            "breakpoints": [b.to_dict() for b in self.breakpoints],
            "slopes": [s.to_dict() for s in self.slopes],
            "diagnostics": dict(self.diagnostics),
            "warnings": list(self.warnings),
            "ci": self.ci,
            "engine": self.engine,
            "noise": self.noise,
            "n_points": self.n_points,
        }
        if self.sampler is not None:
            out["sampler"] = self.sampler
        if self.comparison is not None:
            out["model_choice"] = self.criterion
            out["comparison"] = [dict(r) for r in self.comparison]
        return out

    def __str__(self) -> str:
        lvl = f"{self.ci:.0%}"
        lines = [f"Piecewise power law, {self.n_breakpoints} breakpoint(s), {self.n_points} points "
                 f"({_engine_text(self.engine, self.sampler)}, {self.noise} noise on log y; "
                 f"median [{lvl} interval])"]  # fmt: skip
        for j, b in enumerate(self.breakpoints, 1):
            lines.append(f"  breakpoint {j}: x = {b}")
        for j, s in enumerate(self.slopes, 1):
            lines.append(f"  phase {j} log-log slope: {s}")
        lines.append("  diagnostics: " + _fmt_diag(self.diagnostics))
        if self.comparison:
            from mixphase.fit.model_choice import table_lines

            lines += table_lines(self.comparison, self.criterion or "")
        for w in self.warnings:
            lines.append(f"  WARNING: {w}")
        return "\n".join(lines)

    # -- posterior curves
    def curves(self, x, max_draws: int = 1000) -> np.ndarray:
        """Posterior draws of the (noise-free) curve at ``x``: (draws, len(x)), units of y."""
        from mixphase.fit.families import breakpoint_design

        p, d, k = self.problem, self.draws, self.n_breakpoints
        b = d.flat_b()
        coef = d.coef.reshape(-1, k + 2)
        step = max(1, b.shape[0] // max_draws)
        b, coef = b[::step], coef[::step]
        u = p.su.to(np.log(np.asarray(x, dtype=float)))
        X = breakpoint_design(u, b, p.delta)
        return np.exp(p.sv.back(np.einsum("mnp,mp->mn", X, coef)))

    def plot(self, ax=None, title: str | None = None, **labels):
        """Data, posterior median and credible band; ``labels``: ``xlabel``, ``ylabel``,
        ``legend`` (False leaves the legend to the caller)."""
        from mixphase.fit.plots import plot_breakpoints

        return plot_breakpoints(self, ax=ax, title=title, **labels)

    def to_inference_data(self):
        """The posterior as ArviZ ``InferenceData`` (the sampled trace, or the fast draws)."""
        if self.idata is not None:
            return self.idata
        from mixphase.fit._arviz import from_dict

        d = self.draws
        post = {"coef": d.coef, "sigma": d.sigma}
        if self.n_breakpoints:
            post["b"] = d.b
            post["breakpoint_x"] = np.exp(self.problem.su.back(d.b))
        return from_dict(
            post,
            observed_data={"log_y": np.log(self.problem.y)},
            constant_data={"x": self.problem.x},
            attrs={"engine": self.engine, "note": "fast engine: i.i.d. draws from the exact "
                   "grid posterior (one chain)"},
        )  # fmt: skip


@dataclass
class TransitionFit(_PosteriorCurves):
    critical: Estimate
    width: Estimate
    floor: Estimate
    ceiling: Estimate
    diagnostics: dict
    warnings: list[str]
    likelihood: str
    engine: str
    ci: float
    n_points: int
    sampler: str | None = None
    seconds: float = 0.0
    draws: dict = field(default_factory=dict, repr=False)
    data: dict = field(default_factory=dict, repr=False)
    idata: Any = field(default=None, repr=False)
    #: seed-to-seed sd of ln(critical point) used by the fit (stated, or fitted: its posterior)
    scatter: Estimate | None = None

    def to_dict(self) -> dict:
        out = {
            "critical": self.critical.to_dict(),
            "width": self.width.to_dict(),
            "floor": self.floor.to_dict(),
            "ceiling": self.ceiling.to_dict(),
            "diagnostics": dict(self.diagnostics),
            "warnings": list(self.warnings),
            "likelihood": self.likelihood,
            "ci": self.ci,
            "engine": self.engine,
            "n_points": self.n_points,
        }
        if self.scatter is not None:
            out["scatter_ln_x"] = self.scatter.to_dict()
        if self.sampler is not None:
            out["sampler"] = self.sampler
        return out

    def __str__(self) -> str:
        lines = [
            f"Phase transition (sigmoid in log x), {self.n_points} points, {self.likelihood} "
            f"likelihood ({_engine_text(self.engine, self.sampler)}; median [{self.ci:.0%} "
            "interval])",
            f"  critical point x_c: {self.critical}",
            f"  width (in ln x):    {self.width}",
            f"  floor (small x):    {self.floor}",
            f"  ceiling (large x):  {self.ceiling}",
            "  diagnostics: " + _fmt_diag(self.diagnostics),
        ]
        if self.scatter is not None:
            lines.insert(-1, f"  seed scatter (sd of ln x_c between runs): {self.scatter}")
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    def curves(self, x, max_draws: int = 1000) -> np.ndarray:
        from mixphase.fit.families import transition_curve

        d = self.draws
        step = max(1, d["u_c"].size // max_draws)
        return transition_curve(np.log(np.asarray(x, dtype=float)), d["u_c"][::step],
                                d["log_w"][::step], d["floor"][::step], d["ceiling"][::step])  # fmt: skip

    def plot(self, ax=None, title: str | None = None, **labels):
        """Data, posterior median and credible band; ``labels``: ``xlabel``, ``ylabel``,
        ``legend`` (False leaves the legend to the caller)."""
        from mixphase.fit.plots import plot_transition

        return plot_transition(self, ax=ax, title=title, **labels)

    def to_inference_data(self):
        if self.idata is not None:
            return self.idata
        from mixphase.fit._arviz import from_dict

        post = {k: v[None] for k, v in self.draws.items()}
        post["critical_x"] = np.exp(post["u_c"])
        return from_dict(post, attrs={"engine": self.engine})


@dataclass
class PowerLawFit(_PosteriorCurves):
    exponent: Estimate
    prefactor: Estimate
    scatter: Estimate
    predicted_exponent: float | None
    diagnostics: dict
    warnings: list[str]
    ci: float
    n_points: int
    prob_above_predicted: float | None = None
    seconds: float = 0.0
    draws: dict = field(default_factory=dict, repr=False)
    data: dict = field(default_factory=dict, repr=False)

    @property
    def consistent(self) -> bool | None:
        """Whether the predicted exponent lies inside the credible interval (None if not given)."""
        if self.predicted_exponent is None:
            return None
        return self.exponent.contains(self.predicted_exponent)

    def to_dict(self) -> dict:
        out = {
            "exponent": self.exponent.to_dict(),
            "prefactor": self.prefactor.to_dict(),
            "scatter": self.scatter.to_dict(),
            "diagnostics": dict(self.diagnostics),
            "warnings": list(self.warnings),
            "ci": self.ci,
            "engine": "fast",
            "n_points": self.n_points,
        }
        if self.predicted_exponent is not None:
            out["comparison"] = {
                "predicted_exponent": self.predicted_exponent,
                "inside_interval": self.consistent,
                "prob_exponent_above_predicted": self.prob_above_predicted,
            }
        return out

    def __str__(self) -> str:
        lines = [
            f"Power law y = A x^alpha, {self.n_points} points (exact posterior; median "
            f"[{self.ci:.0%} interval])",
            f"  exponent alpha:  {self.exponent}",
            f"  prefactor A:     {self.prefactor}",
            f"  extra scatter (ln y): {self.scatter}",
            "  diagnostics: " + _fmt_diag(self.diagnostics),
        ]
        if self.predicted_exponent is not None:
            verdict = "inside" if self.consistent else "OUTSIDE"
            lines.append(f"  predicted exponent {self.predicted_exponent:.4g} is {verdict} the "
                         f"{self.ci:.0%} interval; P(alpha > predicted) = "
                         f"{self.prob_above_predicted:.3f}")  # fmt: skip
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    def curves(self, x, max_draws: int = 1000) -> np.ndarray:
        d = self.draws
        step = max(1, d["exponent"].size // max_draws)
        lx = np.log(np.asarray(x, dtype=float))
        return np.exp(d["log_prefactor"][::step, None] + d["exponent"][::step, None] * lx[None])

    def plot(self, ax=None, title: str | None = None, **labels):
        """Data, posterior median and credible band; ``labels``: ``xlabel``, ``ylabel``,
        ``legend`` (False leaves the legend to the caller)."""
        from mixphase.fit.plots import plot_power_law

        return plot_power_law(self, ax=ax, title=title, **labels)

    def to_inference_data(self):
        """The exact posterior's draws as ArviZ ``InferenceData`` (one chain)."""
        from mixphase.fit._arviz import from_dict

        post = {k: np.asarray(v)[None] for k, v in self.draws.items()}
        return from_dict(post, attrs={"engine": "fast (exact)"})


@dataclass
class SharedBreakpointFit:
    """Several curves fitted jointly with shared breakpoints (and optionally shared slopes).

    ``breakpoints``: the shared breakpoints (units of x); ``fits``: one :class:`BreakpointFit`
    per curve (its slopes, predict/band/plot; its breakpoints are the shared ones). The
    diagnostics and warnings are those of the joint NUTS run.
    """

    n_breakpoints: int
    share: tuple[str, ...]
    breakpoints: list[Estimate]
    fits: dict[str, BreakpointFit]
    diagnostics: dict
    warnings: list[str]
    noise: str
    ci: float
    engine: str = "pymc"
    sampler: str | None = None
    seconds: float = 0.0
    idata: Any = field(default=None, repr=False)

    @property
    def n_points(self) -> int:
        return sum(f.n_points for f in self.fits.values())

    def to_dict(self) -> dict:
        out = {
            "n_breakpoints": self.n_breakpoints,
            "share": list(self.share),
            "breakpoints": [b.to_dict() for b in self.breakpoints],
        }
        if "slopes" in self.share:
            out["slopes"] = [s.to_dict() for s in next(iter(self.fits.values())).slopes]
        out["curves"] = [
            {"curve": name, "slopes": [s.to_dict() for s in f.slopes], "n_points": f.n_points}
            for name, f in self.fits.items()
        ]
        out.update(
            diagnostics=dict(self.diagnostics),
            warnings=list(self.warnings),
            ci=self.ci,
            engine=self.engine,
            sampler=self.sampler,
            noise=self.noise,
            n_points=self.n_points,
        )
        return out

    def __str__(self) -> str:
        lvl = f"{self.ci:.0%}"
        lines = [f"Piecewise power law, {self.n_breakpoints} shared breakpoint(s) "
                 f"(shared: {', '.join(self.share)}), {len(self.fits)} curves, {self.n_points} "
                 f"points ({_engine_text(self.engine, self.sampler)}, {self.noise} noise on log y; median [{lvl} "
                 "interval])"]  # fmt: skip
        for j, b in enumerate(self.breakpoints, 1):
            lines.append(f"  breakpoint {j}: x = {b}")
        for name, f in self.fits.items():
            lines.append(f"  curve {name} ({f.n_points} points):")
            for j, s in enumerate(f.slopes, 1):
                lines.append(f"    phase {j} log-log slope: {s}")
        lines.append("  diagnostics: " + _fmt_diag(self.diagnostics))
        lines += [f"  WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_inference_data(self):
        """The joint NUTS trace (``coef``/``sigma`` carry a curve dimension, in ``fits`` order)."""
        return self.idata

    def save(self, path) -> None:
        save_idata(self.idata, path)
