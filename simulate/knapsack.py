"""Knapsack-model simulations: phase diagrams and accuracy-vs-popularity curves.

Model: Gu, Lyu, Li, Zhang (2025), arXiv 2505.18091, as implemented in
:mod:`mixphase.theory.knapsack` (closed forms) and :mod:`mixphase.theory.allocation` (general
allocation, exact or cvxpy). Nothing is re-derived here.

**Phase diagram.** The memorisation fraction ``phi(N, r)`` of the knowledge set for each model
size ``N`` and mixing ratio ``r``: ``method="closed"`` uses
:meth:`KnapsackModel.learned_fraction`; ``"exact"``/``"cvxpy"`` solve the one-group, one-domain
allocation problem with :func:`~mixphase.theory.allocation.allocate` cell by cell (slower; the
closed form is the same optimum). ``verify_cells=n`` re-solves ``n`` cells with cvxpy and records
the largest difference in the sidecar.

**Finite exposures** (``exposures_needed=m``, ``training_tokens=D``). The knowledge set of
``S1 = K * tokens_per_fact`` tokens is repeated ``r*D/S1`` times in ``D`` training tokens (the
paper's mixing), so every fact gets ``exposures = r*D/S1``. A fact can be stored only once it has
been seen ``m`` times. All facts of the (homogeneous) set are seen equally often, so the rule is
all-or-nothing::

    phi_exp(N, r) = phi(N, r)  if  r*D/S1 >= m,   else 0,

and the capacity the knowledge set cannot use goes to the web (the allocation is otherwise
unchanged). The onset line becomes ``max(r_c(N), m*S1/D)``: exposure-limited where the second
term wins, capacity-limited where the first does.

**One model.** The grid is the model's own: with ``model.training_tokens`` set, its finite-training
capacity (:mod:`mixphase.theory.capacity`); with ``width > 0``, the expected exact-match accuracy of
:mod:`mixphase.theory.accuracy` (the learned fraction with a logistic ramp of scale ``width`` in
ln odds) next to the learned fraction. The same closed forms drive ``mixphase predict`` and
``advise``.

**Observation noise.** ``n_eval=n`` measures each cell's accuracy on ``n`` facts drawn at random:
``y ~ Binomial(n, A)/n`` (``A`` = the accuracy; the learned fraction when ``width = 0``). With
``n_eval=None``, ``y = A`` (noise-free).

**Heterogeneous popularity**: :mod:`mixphase.simulate.popularity`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.allocation import KnowledgeGroup, WebDomain, allocate
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.predictions import assumptions

METHODS = ("closed", "exact", "cvxpy")
DEFAULT_PHASE_SIZES = tuple(np.geomspace(1e7, 1e10, 25))
DEFAULT_PHASE_RATIOS = tuple(np.geomspace(1e-4, 0.95, 25))


def _size_label(n: float) -> str:
    return f"N={n:.4g}"


def _ratio_label(r: float) -> str:
    return f"r={r:.4g}"


def _check_grid(values, name: str, unit_interval: bool = False) -> np.ndarray:
    v = np.asarray(values, dtype=float).ravel()
    if v.size == 0 or not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise MixphaseInputError(f"{name} must be non-empty, positive and finite")
    if unit_interval and np.any(v >= 1):
        raise MixphaseInputError(f"{name} must lie strictly between 0 and 1")
    return np.unique(v)


def _web_domain(model: KnapsackModel, ratio: float) -> WebDomain:
    _, a, alpha = model.web_bits
    return WebDomain(A=a, alpha=alpha, share=1.0 - ratio)


# ----------------------------------------------------------------------------------------------
# phase diagram
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PhaseDiagram:
    """``fraction[i, j]`` at ``sizes[i]``, ``ratios[j]`` (noise-free) and ``observed`` (y)."""

    model: KnapsackModel
    sizes: np.ndarray
    ratios: np.ndarray
    fraction: np.ndarray
    observed: np.ndarray
    method: str
    exposures_needed: float | None = None
    training_tokens: float | None = None
    n_eval: int | None = None
    seed: int = 0
    solver_check: list = field(default_factory=list)
    accuracy: np.ndarray | None = None
    width: float = 0.0

    @property
    def capacity_critical_ratio(self) -> np.ndarray:
        """Onset ratio of the capacity model alone, ``r_c(N)`` (closed form)."""
        return np.atleast_1d(self.model.critical_ratio(self.sizes))

    @property
    def full_ratio(self) -> np.ndarray:
        """Smallest ratio at which everything is memorised (NaN: never), capacity alone."""
        return np.atleast_1d(self.model.critical_ratio(self.sizes, 1.0))

    @property
    def exposure_ratio(self) -> float | None:
        """``m*S1/D``: below it no fact gets ``m`` exposures (None without an exposure limit)."""
        if self.exposures_needed is None:
            return None
        return float(self.exposures_needed * self.model.knowledge.tokens / self.training_tokens)

    @property
    def critical_ratio(self) -> np.ndarray:
        """Onset ratio with both limits: ``max(r_c(N), m*S1/D)``."""
        rc = self.capacity_critical_ratio
        er = self.exposure_ratio
        return rc if er is None else np.maximum(rc, er)

    def exposures(self, ratio) -> np.ndarray | None:
        """Exposures per fact ``r*D/S1`` (None without ``training_tokens``)."""
        if self.training_tokens is None:
            return None
        return np.asarray(ratio, dtype=float) * self.training_tokens / self.model.knowledge.tokens

    def to_rows(self, x: str = "ratio") -> list[dict]:
        """Rows for ``mixphase fit``: ``x="ratio"`` gives one curve per model size (``y`` vs
        ratio); ``x="size"`` one curve per ratio (``y`` vs model size)."""
        if x == "ratio":
            return [
                {"x": float(r), "y": float(self.observed[i, j]), "curve": _size_label(n)}
                for i, n in enumerate(self.sizes)
                for j, r in enumerate(self.ratios)
            ]
        if x == "size":
            return [
                {"x": float(n), "y": float(self.observed[i, j]), "curve": _ratio_label(r)}
                for j, r in enumerate(self.ratios)
                for i, n in enumerate(self.sizes)
            ]
        raise MixphaseInputError(f"x must be 'ratio' or 'size', got {x!r}")

    @property
    def truth(self) -> dict:
        er = self.exposure_ratio
        curves = []
        for n, rc, rcap, rf in zip(self.sizes, self.critical_ratio, self.capacity_critical_ratio,
                                   self.full_ratio, strict=True):  # fmt: skip
            curves.append({
                "curve": _size_label(n),
                "model_size": float(n),
                "critical_ratio": float(rc),
                "capacity_critical_ratio": float(rcap),
                "full_ratio": None if np.isnan(rf) else float(rf),
                "limited_by": "exposures" if er is not None and er > rcap else "capacity",
                "critical_size_check": float(self.model.critical_size(float(rcap))),
            })  # fmt: skip
        return {
            "kind": "phase-diagram",
            "source": "mixphase.simulate.phase_diagram (Gu et al. 2025 knapsack model)",
            "columns": {
                "x": "mixing ratio r (rows with x='ratio'); model size N (x='size')",
                "y": "memorised fraction of the knowledge set"
                + (f", measured on {self.n_eval} random facts (binomial)" if self.n_eval else ""),
                "curve": "model size 'N=...' (x='ratio') or ratio 'r=...' (x='size')",
            },
            "parameters": assumptions(self.model),
            "method": self.method,
            "exposures_needed": self.exposures_needed,
            "training_tokens": self.training_tokens,
            "exposure_ratio": er,
            "accuracy_width": self.width,
            "critical_ratio_exponent": self.model.ratio_exponent(),
            "curves": curves,
            "n_eval": self.n_eval,
            "seed": self.seed,
            "solver_check": self.solver_check,
            "grid": {
                "sizes": self.sizes,
                "ratios": self.ratios,
                "fraction": self.fraction,
                "accuracy": self.fraction if self.accuracy is None else self.accuracy,
            },
        }

    def to_dict(self) -> dict:
        return self.truth

    def __str__(self) -> str:
        lines = [
            f"Knapsack phase diagram ({self.sizes.size} sizes x {self.ratios.size} ratios, "
            f"method {self.method})",
            f"  onset ratio r_c/(1-r_c) ∝ N^{self.model.ratio_exponent():.3f}",
        ]
        if self.exposure_ratio is not None:
            lines.append(
                f"  exposure limit: {self.exposures_needed:g} exposures needed, "
                f"{self.training_tokens:.3g} training tokens -> no fact stored below "
                f"r = {self.exposure_ratio:.4g}"
            )
        if self.solver_check:
            worst = max(c["abs_diff"] for c in self.solver_check)
            lines.append(
                f"  cvxpy check on {len(self.solver_check)} cells: max |closed - cvxpy| = {worst:.2e}"
            )
        lines += ["", f"  {'model size':>12}  {'onset r':>10}  {'all learned r':>13}  limited by"]
        for c in self.truth["curves"]:
            full = "never" if c["full_ratio"] is None else f"{c['full_ratio']:.4g}"
            lines.append(
                f"  {c['model_size']:>12.4g}  {c['critical_ratio']:>10.4g}  {full:>13}  "
                f"{c['limited_by']}"
            )
        return "\n".join(lines)

    def plot(self, ax=None, path=None):
        """Heatmap of the observed fraction over log model size x log ratio, with the onset
        (and full-memorisation and exposure) lines. Returns the Axes."""
        import matplotlib.pyplot as plt

        own = ax is None
        if own:
            _fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
        mesh = ax.pcolormesh(_edges(self.sizes), _edges(self.ratios), self.observed.T,
                             cmap="viridis", vmin=0, vmax=1, shading="flat")  # fmt: skip
        ax.figure.colorbar(mesh, ax=ax, label="memorised fraction")
        fine = np.geomspace(self.sizes[0], self.sizes[-1], 300)
        rc = np.atleast_1d(self.model.critical_ratio(fine))
        rf = np.atleast_1d(self.model.critical_ratio(fine, 1.0))
        ax.plot(fine, rc, color="w", lw=1.6, label="critical ratio (onset)")
        ax.plot(fine, rf, color="w", lw=1.0, ls="--", label="all memorised")
        if self.exposure_ratio is not None:
            ax.axhline(self.exposure_ratio, color="C1", lw=1.4,
                       label=f"{self.exposures_needed:g} exposures")  # fmt: skip
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(_edges(self.sizes)[[0, -1]])
        ax.set_ylim(_edges(self.ratios)[[0, -1]])
        ax.set_xlabel("model size N (parameters)")
        ax.set_ylabel("mixing ratio r")
        ax.legend(fontsize=8, loc="lower left", framealpha=0.6)
        if path is not None:
            _save(ax.figure, path)
            if own:
                plt.close(ax.figure)
        return ax


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges of a log-spaced grid (geometric midpoints, extended at both ends)."""
    v = np.asarray(v, dtype=float)
    if v.size == 1:
        return np.array([v[0] / 1.5, v[0] * 1.5])
    lv = np.log(v)
    mid = (lv[1:] + lv[:-1]) / 2
    return np.exp(np.concatenate([[2 * lv[0] - mid[0]], mid, [2 * lv[-1] - mid[-1]]]))


def _cell_fraction(model: KnapsackModel, n: float, r: float, method: str) -> float:
    k = model.knowledge
    group = KnowledgeGroup(bits=k.total_bits, value_per_bit=r * model.value_scale * k.frequency)
    with warnings.catch_warnings():
        # cvxpy's "solution may be inaccurate": the cell's difference to the closed form is
        # what the solver check records, so the warning adds nothing
        warnings.simplefilter("ignore", UserWarning)
        alloc = allocate(float(model.capacity(n, r)), [group], [_web_domain(model, r)],
                         method=method)  # fmt: skip
    return float(alloc.learned_fraction[0])


def phase_diagram(
    model: KnapsackModel | None = None,
    sizes=DEFAULT_PHASE_SIZES,
    ratios=DEFAULT_PHASE_RATIOS,
    method: str = "closed",
    exposures_needed: float | None = None,
    training_tokens: float | None = None,
    *,
    n_eval: int | None = None,
    seed: int = 0,
    verify_cells: int = 0,
    progress: bool = False,
    width: float = 0.0,
) -> PhaseDiagram:
    """Memorised fraction over a (model size, mixing ratio) grid (see module doc)."""
    model = KnapsackModel() if model is None else model
    sizes = _check_grid(sizes, "model sizes")
    ratios = _check_grid(ratios, "mixing ratios", unit_interval=True)
    if method not in METHODS:
        raise MixphaseInputError(f"method must be one of {METHODS}, got {method!r}")
    if (exposures_needed is None) != (training_tokens is None):
        raise MixphaseInputError(
            "an exposure limit needs both exposures_needed and training_tokens"
        )
    if exposures_needed is not None:
        if not np.isfinite(exposures_needed) or exposures_needed <= 0:
            raise MixphaseInputError(f"exposures needed must be positive, got {exposures_needed!r}")
        if not np.isfinite(training_tokens) or training_tokens <= 0:
            raise MixphaseInputError(f"training tokens must be positive, got {training_tokens!r}")
    if n_eval is not None and (int(n_eval) != n_eval or n_eval < 1):
        raise MixphaseInputError(f"n_eval must be a positive integer, got {n_eval!r}")
    if int(verify_cells) != verify_cells or verify_cells < 0:
        raise MixphaseInputError(
            f"verify_cells must be a non-negative integer, got {verify_cells!r}"
        )

    if method == "closed":
        frac = np.asarray(model.learned_fraction(sizes[:, None], ratios[None, :]), dtype=float)
        frac = np.broadcast_to(frac, (sizes.size, ratios.size)).copy()
    else:
        frac = np.empty((sizes.size, ratios.size))
        from mixphase.simulate.mixture import _progress

        bar = _progress(sizes.size * ratios.size, progress, f"allocating ({method})")
        for i, n in enumerate(sizes):
            for j, r in enumerate(ratios):
                frac[i, j] = _cell_fraction(model, n, r, method)
                bar.update()
        bar.close()
    if exposures_needed is not None:
        exposures = ratios * training_tokens / model.knowledge.tokens
        frac = np.where(exposures[None, :] >= exposures_needed, frac, 0.0)

    check = []
    if verify_cells:
        check = _verify(model, sizes, ratios, frac, exposures_needed, training_tokens, verify_cells)
    if not np.isfinite(width) or width < 0:
        raise MixphaseInputError(f"width must be non-negative, got {width!r}")
    acc = frac
    if width > 0:
        from mixphase.theory.accuracy import accuracy

        acc = np.asarray(accuracy(model, sizes[:, None], ratios[None, :], width), dtype=float)
        if exposures_needed is not None:
            acc = np.where((ratios * training_tokens / model.knowledge.tokens)[None, :]
                           >= exposures_needed, acc, 0.0)  # fmt: skip
    observed = acc
    if n_eval is not None:
        rng = np.random.default_rng(seed)
        observed = rng.binomial(int(n_eval), np.clip(acc, 0, 1)) / int(n_eval)
    return PhaseDiagram(
        model=model, sizes=sizes, ratios=ratios, fraction=frac, observed=observed, method=method,
        exposures_needed=None if exposures_needed is None else float(exposures_needed),
        training_tokens=None if training_tokens is None else float(training_tokens),
        n_eval=None if n_eval is None else int(n_eval), seed=int(seed), solver_check=check,
        accuracy=acc, width=float(width),
    )  # fmt: skip


def _verify(model, sizes, ratios, frac, m_needed, tokens, n_cells) -> list[dict]:
    """Re-solve ``n_cells`` cells with cvxpy: transition cells first, then spread over the grid."""
    cells = [(i, j) for i in range(sizes.size) for j in range(ratios.size)]
    partial = [c for c in cells if 0 < frac[c] < 1]
    rest = [c for c in cells if not 0 < frac[c] < 1]
    n_part = min(len(partial), (n_cells + 1) // 2)
    pick = (
        [partial[k] for k in np.linspace(0, len(partial) - 1, n_part).astype(int)] if n_part else []
    )
    n_rest = min(len(rest), n_cells - len(pick))
    pick += [rest[k] for k in np.linspace(0, len(rest) - 1, n_rest).astype(int)] if n_rest else []
    out = []
    for i, j in pick:
        n, r = float(sizes[i]), float(ratios[j])
        solved = _cell_fraction(model, n, r, "cvxpy")
        if m_needed is not None and r * tokens / model.knowledge.tokens < m_needed:
            solved = 0.0
        out.append({"model_size": n, "ratio": r, "fraction": float(frac[i, j]), "cvxpy": solved,
                    "abs_diff": abs(solved - float(frac[i, j]))})  # fmt: skip
    return out


def _save(fig, path) -> None:
    from mixphase.simulate.mixture import _save as save

    save(fig, path)


__all__ = ["DEFAULT_PHASE_RATIOS", "DEFAULT_PHASE_SIZES", "METHODS", "PhaseDiagram",
           "phase_diagram"]  # fmt: skip
