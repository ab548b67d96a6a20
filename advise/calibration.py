"""Calibrating the knapsack model's unknown scale on the user's own runs.

The theory's critical odds ``r_c/(1-r_c) = A*alpha / (p * M^(alpha+1))`` are, after converting the
web law to capacity bits (``A_bits ∝ b^alpha``, :mod:`mixphase.theory.web_law`), proportional to
``1/(p*b)``: the bits per parameter ``b`` and the per-token exposure ``p = 1/S1`` enter the onset
only through one product, which nobody knows in advance (exact-match counting, few exposures,
architecture). mixphase calibrates it as an **effective bits per parameter** ``b_eff`` (keeping
``p = 1/S1``), so the calibrated model is again a :class:`~mixphase.theory.KnapsackModel` and every
prediction comes from the same closed forms. The web law as a function of ``N`` is unchanged by
``b`` (``A_bits*(b*N)^-alpha`` does not depend on ``b``); ``b_eff`` also sets how much of the
capacity the knowledge set takes, which shapes the ramp above the onset.

- **Anchor** (``--critical-ratio RC`` at size ``N0``): the onset odds scale as ``1/b``, so
  ``b_eff = b * odds(r_c_theory(N0)) / odds(RC)`` reproduces ``RC`` at ``N0`` exactly; the
  theory's ``N^-(alpha+1)`` scaling extrapolates from there. A point, no interval.
- **Sweep** (``--calibrate FILE``: model size, ratio, accuracy[, correct, total]): each ratio is
  normalised, ``x = odds(r)/odds(r_ref(N))``, so points from all sizes collapse onto one
  transition in ``x``; :func:`mixphase.fit.fit_transition` fits it with a posterior for its
  critical point ``c`` (the 50% point). The calibrated model is the one whose *half-learned* ratio
  (``critical_ratio(N, fraction=0.5)``, the counterpart of a sweep's 50% point) sits at
  ``odds = c * odds(r_ref(N_ref))``, ``N_ref`` the geometric mean of the calibration sizes. Pass 1
  uses the uncalibrated onset as ``r_ref``; with several sizes a pass 2 re-normalises by the pass-1
  model's half-learned ratio, which aligns the sizes' transitions exactly when that model is right
  (the ramp above the onset widens as the set takes more of a small model). Each posterior draw of
  ``c`` gives a draw of ``b_eff``; every prediction is computed per draw (400), so it carries a
  credible interval. The intervals hold the calibration's noise only: the web law (and its
  exponent, which sets the extrapolation across sizes) is taken at its point value.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.readers import aliases, table_of
from mixphase.readers import read_records as _read_records
from mixphase.records import Estimate
from mixphase.theory.knapsack import KnapsackModel
from mixphase.theory.strategies import odds
from mixphase.validate.report import main_sweep_rows

#: Posterior draws propagated through the predictions.
N_DRAWS = 400
#: Smallest model size accepted in a file: smaller values are taken to be in millions, a unit slip.
MIN_PARAMS = 1000.0


@dataclass(frozen=True)
class Calibration:
    """How the scale was set: ``method`` in {"none", "anchor", "sweep"} and draws of ``b_eff``."""

    method: str
    bits_per_param: np.ndarray
    level: float = 0.9
    details: dict = field(default_factory=dict)

    @property
    def calibrated(self) -> bool:
        return self.method != "none"

    @property
    def has_interval(self) -> bool:
        return self.bits_per_param.size > 1

    def models(self, model: KnapsackModel) -> list[KnapsackModel]:
        return [replace(model, bits_per_param=float(b)) for b in self.bits_per_param]

    def median_model(self, model: KnapsackModel) -> KnapsackModel:
        return replace(model, bits_per_param=float(np.median(self.bits_per_param)))

    def summary(self, values):
        """A number (point calibration) or an :class:`Estimate` over the draws."""
        v = np.asarray(values, dtype=float).ravel()
        if not self.has_interval:
            return float(v[0])
        v = np.where(np.isnan(v), np.inf, v)  # NaN from the theory means "no ratio does": never
        q = np.quantile(v, [(1 - self.level) / 2, 0.5, (1 + self.level) / 2], method="inverted_cdf")
        return Estimate(float(q[1]), float(q[0]), float(q[2]), self.level)

    def to_dict(self) -> dict:
        b = self.summary(self.bits_per_param)
        return {"method": self.method, "bits_per_param": b, **self.details}


def uncalibrated(model: KnapsackModel) -> Calibration:
    return Calibration("none", np.array([model.bits_per_param]), 0.0)


def anchor(model: KnapsackModel, size: float, critical_ratio: float) -> Calibration:
    """``b_eff`` that puts the onset at ``critical_ratio`` for a model of ``size`` parameters."""
    if not 0 < critical_ratio < 1:
        raise MixphaseInputError(
            f"--critical-ratio must lie strictly between 0 and 1, got {critical_ratio!r}"
        )
    if not size > 0 or not np.isfinite(size):
        raise MixphaseInputError(f"anchor model size must be positive, got {size!r}")
    b = model.bits_per_param * float(odds(model.critical_ratio(size)) / odds(critical_ratio))
    details = {"anchor_size": float(size), "anchor_critical_ratio": float(critical_ratio)}
    return Calibration("anchor", np.array([b]), 0.0, details)


def sweep(
    model: KnapsackModel,
    sizes,
    ratios,
    accuracy=None,
    correct=None,
    total=None,
    ci: float = 0.9,
    seed: int = 0,
    n_draws: int = N_DRAWS,
) -> Calibration:
    """Posterior for ``b_eff`` from observed (size, ratio, accuracy or correct/total) points."""
    from mixphase.fit import fit_transition

    sizes = np.asarray(sizes, dtype=float)
    n_ref = float(np.exp(np.mean(np.log(sizes))))
    # pass 1: collapse on the uncalibrated onset; pass 2: on the half-learned ratio of the pass-1
    # model, which aligns the sizes' transitions exactly when that model is right.
    ref, frac = model, 0.0
    for _ in range(1 if np.unique(sizes).size == 1 else 2):  # one size: the collapse is exact
        with np.errstate(invalid="ignore"):
            scale = odds(ref.critical_ratio(sizes, frac))
        if not np.all(np.isfinite(scale)):
            break  # the pass-1 model cannot hold half the set at some size: keep pass 1
        x = odds(ratios) / scale
        fit = fit_transition(x, y=accuracy, correct=correct, total=total, ci=ci, seed=seed)
        c, source = _critical_draws(fit, ci, n_draws, seed)
        b = _bits_for_half_odds(model, n_ref, c * float(odds(ref.critical_ratio(n_ref, frac))))
        ref, frac = replace(model, bits_per_param=float(np.median(b))), 0.5
    details = {
        "points": int(sizes.size),
        "draws": source,
        "reference_size": n_ref,
        # critical odds of the calibrated model over the uncalibrated theory's (onset)
        "odds_scale": Estimate.from_samples(model.bits_per_param / b, ci),
        "transition_width": _as_record(getattr(fit, "width", None)),
    }
    return Calibration("sweep", b, ci, details)


def _as_record(value):
    return value.to_dict() if hasattr(value, "to_dict") else value


def _critical_draws(fit, ci: float, n: int, seed: int) -> tuple[np.ndarray, str]:
    """Posterior draws of the transition's critical point from a ``TransitionFit``.

    Uses the fit's own draws (``fit.draws["u_c"]``, the log critical point); otherwise a log-normal
    with the reported median and central interval (an approximation, flagged in the output).
    """
    draws = getattr(fit, "draws", None) or {}
    if "u_c" in draws:  # mixphase.fit's TransitionFit: draws of ln(critical point)
        c = np.exp(np.asarray(draws["u_c"], dtype=float).ravel())
        c = c[np.isfinite(c)]
        if c.size >= 10:
            idx = np.random.default_rng(seed).choice(c.size, size=min(n, c.size), replace=False)
            return c[idx], "posterior"
    est = fit.critical
    from scipy.stats import norm

    z = norm.ppf(0.5 + ci / 2)
    sigma = max((np.log(est.upper) - np.log(est.lower)) / (2 * z), 1e-12)
    return est.median * np.exp(sigma * norm.ppf((np.arange(n) + 0.5) / n)), "approximate"


def _bits_for_half_odds(model: KnapsackModel, n_ref: float, target_odds) -> np.ndarray:
    """``b_eff`` such that ``odds(critical_ratio(n_ref, 0.5)) = target_odds`` (per draw).

    The half-learned odds fall monotonically in ``b`` on ``b*N > K*H/2``; they are evaluated with
    the theory on a coarse log grid of ``b``, then on a fine one over the bracket the targets fall
    in, and inverted by interpolation in log-log space.
    """
    t = np.log(np.asarray(target_odds, dtype=float))

    def half_odds(grid):
        return np.log(
            [odds(replace(model, bits_per_param=b).critical_ratio(n_ref, 0.5)) for b in grid]
        )

    b_min = 0.5 * model.knowledge.total_bits / n_ref
    grid = np.geomspace(b_min * (1 + 1e-9), max(b_min, model.bits_per_param) * 1e6, 200)
    half = half_odds(grid)  # decreasing
    if np.any(t < half[-1]) or np.any(t > half[0]):
        raise MixphaseInputError("calibration points lie far outside what the model can express")
    i_lo = max(int(np.searchsorted(-half, -t.max())) - 1, 0)
    i_hi = min(int(np.searchsorted(-half, -t.min())), grid.size - 1)
    grid = np.geomspace(grid[i_lo], grid[i_hi], 400)
    half = half_odds(grid)
    return np.exp(np.interp(t, half[::-1], np.log(grid[::-1])))


# -- files ---------------------------------------------------------------------------------------
# Column names: the one table in mixphase.readers.columns; files: mixphase.readers.
SIZE_KEYS = aliases("model_size")
RATIO_KEYS = aliases("ratio")
ACC_KEYS = aliases("accuracy")
CORRECT_KEYS = aliases("correct")
TOTAL_KEYS = aliases("total")
LOSS_KEYS = aliases("web_loss")


def read_records(path) -> list[dict]:
    """Rows of any table :mod:`mixphase.readers` reads (CSV/TSV, JSON/JSONL, Parquet, ...);
    each row knows its line, so errors name it."""
    return _read_records(path)


def _column(rows, keys, path, required=True):
    table = table_of(rows, path)
    key = table.find_any(keys, required=required)
    return None if key is None else table.numbers(key, blank="error")


def _sizes(rows, path):
    sizes = _column(rows, SIZE_KEYS, path)
    if np.any(sizes <= 0):
        raise MixphaseInputError(f"{path}: model sizes must be positive")
    if np.any(sizes < MIN_PARAMS):
        raise MixphaseInputError(
            f"{path}: model size {sizes.min():g} is below {MIN_PARAMS:g} parameters: sizes are "
            "counted in parameters (in millions? write 70e6, not 70)"
        )
    return sizes


def read_calibration_points(path):
    """``(sizes, ratios, accuracy, correct, total)`` from a calibration file (checked)."""
    rows = main_sweep_rows(read_records(path))
    if not rows:
        raise MixphaseInputError(f"{path} holds no runs at a positive ratio")
    sizes = _sizes(rows, path)
    ratios = _column(rows, RATIO_KEYS, path)
    if np.any(ratios <= 0) or np.any(ratios >= 1):
        raise MixphaseInputError(
            f"{path}: ratios must lie strictly between 0 and 1 (a fraction, not a percentage)"
        )
    correct = _column(rows, CORRECT_KEYS, path, required=False)
    total = _column(rows, TOTAL_KEYS, path, required=False)
    acc = _column(rows, ACC_KEYS, path, required=correct is None or total is None)
    if correct is not None and total is not None:
        if np.any(total <= 0) or np.any(correct < 0) or np.any(correct > total):
            raise MixphaseInputError(f"{path}: need 0 <= correct <= total and total > 0")
        acc = None
    elif np.any(acc < 0) or np.any(acc > 1):
        raise MixphaseInputError(
            f"{path}: accuracy must lie in [0, 1] (a fraction, not a percentage)"
        )
    if sizes.size < 3:
        raise MixphaseInputError(f"{path}: need at least 3 calibration points, got {sizes.size}")
    return sizes, ratios, acc, correct, total


def read_web_runs(path):
    """``(sizes, web_loss)`` from a web-runs file (checked)."""
    rows = read_records(path)
    sizes = _sizes(rows, path)
    loss = _column(rows, LOSS_KEYS, path)
    if np.any(loss <= 0):
        raise MixphaseInputError(f"{path}: web losses must be positive")
    if np.unique(sizes).size < 2:
        raise MixphaseInputError(f"{path}: need web runs at two or more model sizes")
    return sizes, loss


@dataclass(frozen=True)
class WebFit:
    """The web law fitted to the user's runs (``E`` held fixed) and its exponent's interval."""

    alpha: Estimate
    A: Estimate
    E: float
    points: int

    def to_dict(self) -> dict:
        return {"alpha": self.alpha, "A": self.A, "E": self.E, "points": self.points,
                "note": "predictions use the posterior medians of alpha and A"}  # fmt: skip


def fit_web_law(model: KnapsackModel, sizes, loss, ci: float = 0.9, seed: int = 0):
    """Fit ``L - E = A*(N/u)^-alpha`` with :func:`mixphase.fit.fit_power_law` (E = ``--web-e``).

    Returns the model with the fitted law (medians) and a :class:`WebFit`.
    """
    w = model.web
    excess = np.asarray(loss, dtype=float) - w.E
    if np.any(excess <= 0):
        raise MixphaseInputError(
            f"web losses must exceed the irreducible loss E={w.E:g} (--web-e, in {w.loss_unit}); "
            "lower --web-e or check the loss unit (--loss-unit)"
        )
    from mixphase.fit import fit_power_law

    fit = fit_power_law(np.asarray(sizes, dtype=float) / w.size_unit, excess, ci=ci, seed=seed)
    expo = fit.exponent
    if not expo.median < 0:
        raise MixphaseInputError("the web runs' loss does not fall with model size")
    alpha = Estimate(-expo.median, -expo.upper, -expo.lower, expo.level)
    web = replace(w, alpha=alpha.median, A=fit.prefactor.median)
    return replace(model, web=web), WebFit(alpha, fit.prefactor, w.E, int(np.size(sizes)))
