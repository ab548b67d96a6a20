"""Monte Carlo learning curves of a memorising learner trained on a real-synthetic mixture.

Model (Wang et al. 2025, arXiv 2511.13640; the formulas live in :mod:`mixphase.theory.mixture`):
real items have Zipf(beta) frequencies ``p`` on ``n_items`` ranks, the synthetic part ``p'`` is
truncated at a cutoff rank ``k`` (:class:`~mixphase.theory.truncation.Truncation`), and a training
set ``S`` is ``|S|`` i.i.d. draws from ``q = pi*p + (1-pi)*p'``. The learner knows an item once it
has seen it (the memorisation model of Hutter 2021 / Dohmatob et al. 2024, the special case of the
paper's Bernoulli model, :mod:`mixphase.theory.error_model`), so its test error on the real
distribution is

    err(S) = sum_i p_i * 1[item i not in S],     E[err] = sum_i p_i (1 - q_i)^|S|   (exact).

**Sampler ("fast", default).** For every repetition and item we draw the *first-hit time*
``T_i = E_i / c_i`` with ``E_i ~ Exp(1)`` and ``c_i = -log(1 - q_i)``. Then
``P(T_i > s) = (1 - q_i)^s`` for every integer ``s``: item ``i`` is unseen in the first ``s``
draws with exactly its binomial probability, and one ``T_i`` per item serves all sizes at once,
so the curves of one repetition are nested (monotone, consistent across sizes) and the Monte
Carlo mean is an unbiased estimate of the exact expectation. What it leaves out is the weak
negative correlation between items of a multinomial sample (two items cannot take the same
draw); it changes the variance by a relative ``O(max_i q_i)``-type amount and not the mean. The
``"exact"`` sampler draws the ``|S|`` training items themselves (nested increments), for small
sizes and for checking the fast one. Work is vectorised over items in chunks: no Python loop
per draw or per item.

**What ``y`` means.** With ``n_test=None`` (default) ``y`` is the learner's exact population
error ``sum_i p_i 1[unseen]`` for that training set: noise comes only from the training sample.
With ``n_test = n`` each repetition draws one test set of ``n`` i.i.d. items from ``p`` and ``y``
is the fraction of them the learner has not seen (extra binomial observation noise, the same test
set at every size, so each curve stays monotone; ``y`` can be 0 once the error is below ~1/n).
In both cases ``E[y]`` is the exact expectation above.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.mixture import (
    Breakpoints,
    breakpoints,
    check_real_share,
    expected_error,
    mixture_distribution,
)
from mixphase.theory.truncation import DEFAULT_N_ITEMS, Truncation, check_beta

#: Items processed per vectorised step (keeps the working set in cache, memory bounded).
CHUNK = 1 << 20
#: Largest training set the exact sampler will draw item by item.
EXACT_SAMPLER_MAX_SIZE = 50_000_000
SAMPLERS = ("fast", "exact")


def default_sizes(bp: Breakpoints, n_sizes: int = 20, decades: float = 2.0) -> np.ndarray:
    """Log-spaced integer sizes from ``decades`` below the first breakpoint to ``decades`` above
    the second (duplicates after rounding removed)."""
    if n_sizes < 2:
        raise MixphaseInputError(f"need at least 2 sizes, got {n_sizes}")
    if not np.isfinite(decades) or decades < 0:
        raise MixphaseInputError(f"decades must be finite and >= 0, got {decades!r}")
    lo = max(1.0, bp.first / 10**decades)
    hi = max(lo * 10, bp.second * 10**decades)
    grid = np.round(np.geomspace(lo, hi, int(n_sizes)))
    grid[0], grid[-1] = np.floor(lo), np.ceil(hi)  # cover the span in full after rounding
    return np.unique(grid)


def check_sizes(sizes) -> np.ndarray:
    """Sorted unique integer training-set sizes >= 1."""
    s = np.asarray(sizes, dtype=float).ravel()
    if s.size == 0 or not np.all(np.isfinite(s)) or np.any(s < 1):
        raise MixphaseInputError("training-set sizes must be finite numbers >= 1")
    return np.unique(np.round(s))


@dataclass(frozen=True)
class MixtureCurves:
    """Simulated learning curves (``errors[rep, j]`` at ``sizes[j]``) and the exact expectation."""

    sizes: np.ndarray
    errors: np.ndarray
    exact: np.ndarray
    breakpoints: Breakpoints
    truncation: Truncation
    n_items: int
    seed: int
    n_test: int | None
    sampler: str
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    # -- summaries -------------------------------------------------------------------------
    @property
    def repetitions(self) -> int:
        return int(self.errors.shape[0])

    @property
    def mean(self) -> np.ndarray:
        return self.errors.mean(axis=0)

    @property
    def stderr(self) -> np.ndarray:
        """Standard error of the Monte Carlo mean (NaN with a single repetition)."""
        if self.repetitions < 2:
            return np.full(self.sizes.shape, np.nan)
        return self.errors.std(axis=0, ddof=1) / np.sqrt(self.repetitions)

    @property
    def y_meaning(self) -> str:
        if self.n_test is None:
            return ("population test error sum_i p_i*1[item i unseen] of a memorising learner "
                    "trained on x i.i.d. draws from the mixture q")  # fmt: skip
        return (
            f"fraction of a fixed test set of {self.n_test} i.i.d. draws from p (one per "
            "repetition) that a memorising learner trained on x draws from q has not seen"
        )

    def to_rows(self, aggregate: str = "none") -> list[dict]:
        """Tidy rows for ``mixphase fit``: ``x`` = training-set size ``|S|``, ``y`` = error.

        ``aggregate="none"``: one curve per repetition (``curve`` = ``rep00``, ``rep01``, ...);
        ``"mean"``: the Monte Carlo mean (columns ``x, y, y_err``; ``y_err`` = its standard
        error, left out with a single repetition).
        """
        if aggregate == "mean":
            rows = [
                {"x": float(s), "y": float(y)} for s, y in zip(self.sizes, self.mean, strict=True)
            ]
            if self.repetitions > 1:
                for row, e in zip(rows, self.stderr, strict=True):
                    row["y_err"] = float(e)
            return rows
        if aggregate != "none":
            raise MixphaseInputError(f"aggregate must be 'none' or 'mean', got {aggregate!r}")
        width = max(2, len(str(self.repetitions - 1)))
        return [
            {"x": float(s), "y": float(y), "curve": f"rep{r:0{width}d}"}
            for r in range(self.repetitions)
            for s, y in zip(self.sizes, self.errors[r], strict=True)
        ]

    @property
    def truth(self) -> dict:
        """Ground truth for the sidecar JSON: parameters, breakpoints, exact curve, seed."""
        bp = self.breakpoints
        t = self.truncation
        return {
            "kind": "mixture-curve",
            "source": "mixphase.simulate.simulate_mixture_curves (Wang et al. 2025 model)",
            "columns": {
                "x": "training-set size |S| (draws from q = pi*p + (1-pi)*p')",
                "y": self.y_meaning,
                "curve": "Monte Carlo repetition (absent when aggregated to the mean)",
                "y_err": "standard error of the Monte Carlo mean (only when aggregated)",
            },
            "parameters": {
                "beta": bp.beta,
                "real_share": bp.real_share,
                "n_items": self.n_items,
                "truncation": {
                    "mechanism": t.mechanism,
                    "cutoff": t.cutoff,
                    "top_p": t.top_p,
                    "temperature": t.temperature,
                    "synthetic_samples": t.synthetic_samples,
                },
            },
            "breakpoints": [bp.first, bp.second],
            "theory": bp.to_dict(),
            "simulation": {
                "seed": self.seed,
                "repetitions": self.repetitions,
                "n_test": self.n_test,
                "sampler": self.sampler,
                "seconds": self.seconds,
                **self.extra,
            },
            "exact": {"x": self.sizes, "y": self.exact},
            "monte_carlo": {"x": self.sizes, "mean": self.mean, "stderr": self.stderr},
        }

    def to_dict(self) -> dict:
        return self.truth

    def __str__(self) -> str:
        bp = self.breakpoints
        z = (self.mean - self.exact) / np.where(self.stderr > 0, self.stderr, np.nan)
        lines = [
            f"Simulated learning curves (memorising learner, {self.repetitions} repetitions, "
            f"{self.n_items:,} items, seed {self.seed}, {self.sampler} sampler, "
            f"{self.seconds:.2f} s)",
            f"  beta={bp.beta:g}, real share pi={bp.real_share:g}, truncation {bp.mechanism} -> "
            f"k={bp.cutoff:,}",
            f"  predicted breakpoints |S|_1={bp.first:.4g}, |S|_2={bp.second:.4g}; plateau "
            f"{bp.plateau_error:.4g}",
            *([f"  WARNING: {bp.warning}"] if bp.warning else []),
            f"  y = {self.y_meaning}",
            "",
            f"  {'|S|':>12}  {'MC mean':>11}  {'std err':>10}  {'exact':>11}  {'z':>6}",
        ]
        for s, m, se, e, zz in zip(self.sizes, self.mean, self.stderr, self.exact, z, strict=True):
            lines.append(f"  {s:>12.4g}  {m:>11.4g}  {se:>10.3g}  {e:>11.4g}  {zz:>6.2f}")
        return "\n".join(lines)

    # -- plot ------------------------------------------------------------------------------
    def plot(self, ax=None, path=None):
        """Log-log learning curves: 5-95% band over repetitions, MC mean, exact expectation,
        predicted breakpoints and plateau. Returns the Axes (saves to ``path`` if given)."""
        import matplotlib.pyplot as plt

        own = ax is None
        if own:
            _fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
        bp = self.breakpoints
        lo, hi = np.quantile(self.errors, [0.05, 0.95], axis=0)
        ax.fill_between(self.sizes, lo, hi, color="C0", alpha=0.25, lw=0,
                        label=f"MC 5-95% ({self.repetitions} reps)")  # fmt: skip
        ax.plot(self.sizes, self.mean, "o", color="C0", ms=3.5, label="MC mean")
        fine = np.geomspace(self.sizes[0], self.sizes[-1], 60)
        p, q = mixture_distribution(bp.beta, self.truncation, bp.real_share, self.n_items)
        ax.plot(fine, expected_error(p, q, fine), color="k", lw=1.2, label="exact expectation")
        for x, name in ((bp.first, "|S|$_1$"), (bp.second, "|S|$_2$")):
            ax.axvline(x, color="C3", ls="--", lw=1)
            ax.annotate(name, (x, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                        textcoords="offset points", color="C3")  # fmt: skip
        ax.axhline(bp.plateau_error, color="0.5", ls=":", lw=1, label="plateau (tail mass)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training-set size |S|")
        ax.set_ylabel("test error")
        ax.set_title(f"beta={bp.beta:g}, pi={bp.real_share:g}, k={bp.cutoff:,} ({bp.mechanism})",
                     fontsize=10)  # fmt: skip
        ax.legend(fontsize=8, loc="lower left")
        if path is not None:
            _save(ax.figure, path)
        if own and path is not None:
            plt.close(ax.figure)
        return ax


def simulate_mixture_curves(
    beta: float,
    truncation: Truncation,
    real_share: float,
    sizes=None,
    n_items: int = DEFAULT_N_ITEMS,
    repetitions: int = 20,
    seed: int = 0,
    n_test: int | None = None,
    *,
    n_sizes: int = 20,
    decades: float = 2.0,
    sampler: str = "fast",
    workers: int = 1,
    progress: bool = False,
) -> MixtureCurves:
    """Simulate ``repetitions`` learning curves and the exact expectation (see module doc).

    ``sizes=None`` spans ``decades`` below the first to ``decades`` above the second predicted
    breakpoint with ``n_sizes`` log-spaced points. Repetition ``r`` uses its own generator
    (``SeedSequence(seed).spawn``), so results depend on ``seed`` only, not on ``workers``
    (threads; numpy releases the GIL in the heavy steps).
    """
    beta = check_beta(beta)
    pi = check_real_share(real_share)
    if int(n_items) != n_items or n_items < 2:
        raise MixphaseInputError(f"n_items must be an integer >= 2, got {n_items!r}")
    n_items = int(n_items)
    if int(repetitions) != repetitions or repetitions < 1:
        raise MixphaseInputError(f"repetitions must be a positive integer, got {repetitions!r}")
    if n_test is not None and (int(n_test) != n_test or n_test < 1):
        raise MixphaseInputError(f"n_test must be a positive integer, got {n_test!r}")
    if sampler not in SAMPLERS:
        raise MixphaseInputError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if int(workers) != workers or workers < 1:
        raise MixphaseInputError(f"workers must be a positive integer, got {workers!r}")

    t0 = time.perf_counter()
    bp = breakpoints(beta, truncation, pi, n_items)
    sizes = default_sizes(bp, n_sizes, decades) if sizes is None else check_sizes(sizes)
    if sampler == "exact" and sizes[-1] > EXACT_SAMPLER_MAX_SIZE:
        raise MixphaseInputError(
            f"the exact sampler draws every training item; largest size {sizes[-1]:.3g} exceeds "
            f"{EXACT_SAMPLER_MAX_SIZE:.0e} (use the fast sampler)"
        )
    p, q = mixture_distribution(beta, truncation, pi, n_items)
    exact = expected_error(p, q, sizes)
    rep_fn = _RepetitionSampler(p, q, sizes, n_test, sampler)
    seqs = np.random.SeedSequence(int(seed)).spawn(int(repetitions))
    errors = np.empty((int(repetitions), sizes.size))
    bar = _progress(int(repetitions), progress, "simulating")
    if workers == 1:
        for r, ss in enumerate(seqs):
            errors[r] = rep_fn(ss)
            bar.update()
    else:
        with ThreadPoolExecutor(max_workers=int(workers)) as pool:
            for r, row in enumerate(pool.map(rep_fn, seqs)):
                errors[r] = row
                bar.update()
    bar.close()
    return MixtureCurves(
        sizes=sizes,
        errors=errors,
        exact=exact,
        breakpoints=bp,
        truncation=truncation,
        n_items=n_items,
        seed=int(seed),
        n_test=None if n_test is None else int(n_test),
        sampler=sampler,
        seconds=time.perf_counter() - t0,
        extra={"workers": int(workers)},
    )


class _RepetitionSampler:
    """One repetition: a seed sequence in, the error at every size out (see module doc)."""

    def __init__(self, p, q, sizes, n_test, sampler):
        self.p, self.q, self.sizes, self.n_test, self.sampler = p, q, sizes, n_test, sampler
        # first-hit rate c_i = -log(1 - q_i); q_i < 1 guarded as in theory.expected_error
        self.rate = -np.log1p(-np.minimum(q, 1.0 - 1e-16)) if sampler == "fast" else None
        self.cdf_p = np.cumsum(p) if n_test is not None else None
        self.cdf_q = np.cumsum(q) if sampler == "exact" else None

    def _draw(self, gen, cdf, n):
        """``n`` i.i.d. item indices from the law with cumulative sums ``cdf``."""
        idx = np.searchsorted(cdf, gen.random(n) * cdf[-1], side="right")
        return np.minimum(idx, cdf.size - 1)

    def __call__(self, seed_seq) -> np.ndarray:
        gen = np.random.Generator(np.random.PCG64(seed_seq))
        test = None if self.n_test is None else np.sort(self._draw(gen, self.cdf_p, self.n_test))
        if self.sampler == "exact":
            return self._exact(gen, test)
        return self._fast(gen, test)

    def _fast(self, gen, test) -> np.ndarray:
        p, rate, sizes = self.p, self.rate, self.sizes
        m = sizes.size
        unseen = np.zeros(m + 1)  # unseen[b]: mass of items first hit between sizes b-1 and b
        test_bins = None if test is None else np.empty(test.size, dtype=np.intp)
        for lo in range(0, p.size, CHUNK):
            hi = min(lo + CHUNK, p.size)
            t = gen.standard_exponential(hi - lo)
            t /= rate[lo:hi]  # item seen in the first s draws  <=>  t <= s
            b = np.searchsorted(sizes, t)  # unseen at sizes[:b], seen from sizes[b] on
            unseen += np.bincount(b, weights=p[lo:hi], minlength=m + 1)
            if test is not None:
                a, z = np.searchsorted(test, (lo, hi))
                test_bins[a:z] = b[test[a:z] - lo]
        if test is not None:
            unseen = np.bincount(test_bins, minlength=m + 1) / test.size
        return np.cumsum(unseen[::-1])[::-1][1:]  # err_j = sum_{b > j} unseen[b]

    def _exact(self, gen, test) -> np.ndarray:
        p, sizes = self.p, self.sizes
        seen = np.zeros(p.size, dtype=bool)
        out = np.empty(sizes.size)
        done = 0
        for j, s in enumerate(sizes.astype(np.int64)):
            while done < s:
                n = int(min(s - done, CHUNK))
                seen[self._draw(gen, self.cdf_q, n)] = True
                done += n
            out[j] = p[~seen].sum() if test is None else float(np.mean(~seen[test]))
        return out


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool, desc: str):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="rep", leave=False)


def _save(fig, path) -> None:
    """Save a figure atomically (format from the suffix)."""
    from mixphase.io import save_figure

    save_figure(fig, path, dpi=150)
