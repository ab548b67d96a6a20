"""Claims 5-6: how the critical ratio and the threshold frequency scale with model size.

**What the knapsack predicts** (Gu et al. 2025, Thm 4.3, general convex web loss ``F2``): a fact is
learned when its frequency exceeds the web's marginal value at the model's capacity, so
``odds(r_c) ∝ f_thres ∝ -F2'(M(N))`` and [derived]::

    d ln odds(r_c) / d ln N = [d ln(-F2') / d ln M] x [d ln M / d ln N].

Two predictions are computed from the web-only runs (ratio 0, main configuration), both reported:

- **from alpha** (the paper's eq. 4-6): the power-law family of
  :func:`mixphase.fit.fit_web_law` fitted to web loss vs parameters, ``-(alpha + 1)``;
- **from the marginal value at the stored bits**: the web loss against the bits the web-only runs
  stored (``M``, exact-match web facts x bits per fact), the family chosen by evidence among
  power / log / broken power law (draws mixed by posterior probability), its local exponent
  ``d ln(-L')/d ln M`` at the geometric mean of the stored bits, times ``gamma = d ln M / d ln N``
  (a power law of stored bits vs parameters, :func:`mixphase.fit.fit_power_law`). This is the
  theory's prediction for the web at hand and decides the verdicts; for a power-law web with
  ``M ∝ N`` the two agree.

The measured exponent is :func:`mixphase.fit.fit_power_law` of ``odds(r_c)`` against parameters
over the sizes whose transition was fitted (each point's interval, which carries the seed
scatter, propagated); sizes without a fitted transition (bracketed or at the edge of the swept
ratios) are left out, never interpolated. Verdict: equivalence within ±0.25 (``MARGINS
["exponent"]``) of the draws of (measured - predicted), at least 3 sizes.
"""

from __future__ import annotations

import numpy as np

from mixphase import runs as R
from mixphase.errors import MixphaseInputError
from mixphase.records import Estimate
from mixphase.validate import verdicts as V
from mixphase.validate.transitions import stored_bits

N_DRAWS = 2000


def _odds(r):
    r = np.clip(np.asarray(r, float), 1e-9, 1 - 1e-9)
    return r / (1 - r)


def local_exponent_draws(fit, at: float, n: int = N_DRAWS) -> np.ndarray:
    """Draws of ``d ln(-L')/d ln x`` at ``at``, the families mixed by posterior probability."""
    out = []
    for fam, ff in fit.families.items():
        k = round(n * ff.probability)
        if k:
            laws = fit.laws(fam, n=k)
            out.append(np.array([float(law.local_exponent(at)) for law in laws]))
    d = np.concatenate(out) if out else np.array([])
    return d[np.isfinite(d)]


def web_law_evidence(rows: list[dict], seed: int = 0) -> dict:
    """The web-only runs' law (vs parameters and vs stored bits) and both predicted exponents.

    Returns ``{"numbers": {...}, "predicted_alpha": draws | None, "predicted_marginal": draws |
    None}``; numbers hold each fit's family probabilities, alpha, gamma and the predictions.
    """
    from mixphase.fit import fit_power_law, fit_web_law

    web = [r for r in R.web_only_rows(rows) if r.get("web_loss") is not None
           and (r.get("data") or {}).get("kind", "synthetic") == "synthetic"]  # fmt: skip
    nums: dict = {"web_loss_by_params": sorted((r["params"], r["web_loss"]) for r in web)}
    out = {
        "numbers": nums,
        "predicted_alpha": None,
        "predicted_marginal": None,
        "power_law_params": None,
    }
    if len({r["params"] for r in web}) < 3:
        nums["reason"] = f"web-only runs at {len({r['params'] for r in web})} size(s); need 3"
        return out
    n = np.array([r["params"] for r in web], float)
    loss = np.array([r["web_loss"] for r in web], float)
    m = np.array([stored_bits(r)["web"] for r in web], float)
    try:
        vs_n = fit_web_law(n, loss, seed=seed)
    except MixphaseInputError as exc:
        nums["reason"] = f"web law vs parameters: {exc}"
        return out
    nums["law_vs_params"] = {"choice": vs_n.choice, "probabilities": vs_n.probabilities,
                             "rms_residual": {k: f.rms for k, f in vs_n.families.items()}}  # fmt: skip
    nums["power_law"] = vs_n.choice == "power"
    if "power" in vs_n.families:
        alpha = vs_n.families["power"].params["alpha"]
        nums["alpha"] = Estimate.from_samples(alpha)
        out["predicted_alpha"] = -(alpha + 1)
        a_per_param = vs_n.families["power"].params["A"] * vs_n.size_unit**alpha
        out["power_law_params"] = {"alpha": float(np.median(alpha)),
                                   "A": float(np.median(a_per_param))}  # fmt: skip
        nums["predicted_from_alpha"] = Estimate.from_samples(-(alpha + 1))
    mid_n = float(np.exp(np.log(n).mean()))
    nums["local_exponent_vs_params"] = Estimate.from_samples(local_exponent_draws(vs_n, mid_n))
    if np.all(m > 0) and np.unique(m).size >= 3:
        try:
            vs_m = fit_web_law(m, loss, seed=seed, size_unit=1.0)
            gam = fit_power_law(n, m, seed=seed)
        except MixphaseInputError as exc:
            nums["marginal_reason"] = str(exc)
            return out
        mid_m = float(np.exp(np.log(m).mean()))
        ex_m = local_exponent_draws(vs_m, mid_m)
        g = gam.draws["exponent"]
        rng = np.random.default_rng(seed)
        k = min(ex_m.size, g.size)
        pred = rng.permutation(ex_m)[:k] * rng.permutation(g)[:k]
        out["predicted_marginal"] = pred
        nums["law_vs_stored_bits"] = {"choice": vs_m.choice, "probabilities": vs_m.probabilities,
                                      "stored_bits_mid": mid_m}  # fmt: skip
        nums["local_exponent_vs_stored_bits"] = Estimate.from_samples(ex_m)
        nums["gamma_stored_bits_vs_params"] = gam.exponent
        nums["predicted_from_marginal_value"] = Estimate.from_samples(pred)
    return out


def _judge(measured: np.ndarray, predicted, points: int, seed: int) -> V.Judgement | None:
    if predicted is None:
        return None
    return V.equivalence(V.difference(measured, predicted, seed), V.MARGINS["exponent"].value,
                         points=points)  # fmt: skip


def _two_judgements(nums: dict, measured, web: dict, points: int, seed: int):
    ja = _judge(measured, web["predicted_alpha"], points, seed)
    jm = _judge(measured, web["predicted_marginal"], points, seed)
    nums["vs_alpha"] = ja
    nums["vs_marginal_value"] = jm
    return jm or ja, "marginal value at the stored bits" if jm else "-(alpha+1)"


def critical_ratio_power_law(records: list, rows: list[dict], web: dict, seed: int = 0) -> V.Claim:
    """Claim 5 from the main configuration's transition records (module doc)."""
    from mixphase.fit import fit_power_law

    cid = "critical_ratio_power_law"
    main = R.main_config(rows)
    recs = [t for t in records if t.config == main]
    fitted = [t for t in recs if t.critical is not None]
    nums = {"critical_ratios": [{"size": t.size, "params": t.params, "critical_ratio": t.critical,
                                 "method": "fit" if t.critical else "none", "reason": t.reason}
                                for t in recs],
            "web_law": web["numbers"], "margin": V.MARGINS["exponent"]}  # fmt: skip
    if len(fitted) < V.MIN_POINTS:
        return V.Claim(cid, V.NOT_TESTED, nums, f"needs >= {V.MIN_POINTS} sizes with a fitted "
                       f"transition (interpolated or bracketed sizes do not count); have "
                       f"{len(fitted)}")  # fmt: skip
    n = np.array([t.params for t in fitted], float)
    odds = _odds([t.critical.median for t in fitted])
    lo, hi = _odds([t.critical.lower for t in fitted]), _odds([t.critical.upper for t in fitted])
    pl = fit_power_law(n, odds, lo, hi, seed=seed)
    e = pl.exponent
    nums["fitted_exponent"] = e
    nums["sizes_fitted"] = len(fitted)
    j, against = _two_judgements(nums, pl.draws["exponent"], web, len(fitted), seed)
    txt = (f"odds(r_c) ∝ N^{e.median:.2f} [{e.lower:.2f}, {e.upper:.2f}] over {len(fitted)} "
           f"sizes ({int(n.min())}-{int(n.max())} params)")  # fmt: skip
    for key, label in (("vs_marginal_value", "marginal value at stored bits"),
                       ("vs_alpha", "-(alpha+1)")):  # fmt: skip
        jj = nums[key]
        if jj is not None:
            p = nums["web_law"].get("predicted_from_marginal_value" if key == "vs_marginal_value"
                                    else "predicted_from_alpha")  # fmt: skip
            txt += f"; vs {label} {p}: {jj.verdict} ({jj.reason})"
    if j is None:
        return V.Claim(cid, V.NOT_TESTED, nums, txt + "; no web-only runs at 3 sizes: nothing "
                       "to compare with")  # fmt: skip
    nums["judged_against"] = against
    return V.Claim(cid, j.verdict, nums, txt)


def threshold_frequency(grouped: list[dict], web: dict, target: float = 0.8, n_fail: int = 5,
                        seed: int = 0) -> V.Claim:  # fmt: skip
    """Claim 6: Algorithm 1 per size on the power-law-frequency runs; slope vs the predictions."""
    from mixphase.theory.threshold_popularity import threshold_popularity

    cid = "threshold_frequency_power_law"
    per, pts = [], []
    for size, rs in R.by_size([r for r in grouped if "bio_correct_by_person" in r]).items():
        xs, ys = [], []
        for r in rs:  # seeds: all items pooled
            a = r.get("bio_prompts_per_person", r["n_attributes"])  # attributes x templates
            for k, e in zip(r["bio_correct_by_person"], r["person_exposures"], strict=True):
                xs += [e] * a
                ys += [1] * k + [0] * (a - k)
        x, y = np.asarray(xs), np.asarray(ys)
        thr = threshold_popularity(x, y, target=target, n_fail=n_fail)
        censored = bool(thr >= x.max() or thr <= x.min())
        per.append({"size": size, "params": rs[0]["params"], "ratio": rs[0]["ratio"],
                    "threshold_exposures": thr, "accuracy": float(y.mean()),
                    "censored": censored})  # fmt: skip
        if not censored:
            pts.append((rs[0]["params"], thr))
    nums = {"per_size": per, "algorithm_1": {"target": target, "n_fail": n_fail},
            "margin": V.MARGINS["exponent"], "web_law": web["numbers"]}  # fmt: skip
    if len(pts) < V.MIN_POINTS:
        return V.Claim(cid, V.NOT_TESTED, nums, f"needs >= {V.MIN_POINTS} sizes with an "
                       f"uncensored threshold, have {len(pts)}")  # fmt: skip
    from mixphase.fit import fit_power_law

    n, t = (np.asarray(v, float) for v in zip(*pts, strict=True))
    pl = fit_power_law(n, t, seed=seed)
    e = pl.exponent
    nums["fitted_exponent"] = e
    j, against = _two_judgements(nums, pl.draws["exponent"], web, len(pts), seed)
    txt = (
        f"threshold exposures ∝ N^{e.median:.2f} [{e.lower:.2f}, {e.upper:.2f}] ({len(pts)} sizes)"
    )
    for key, label in (("vs_marginal_value", "marginal value"), ("vs_alpha", "-(alpha+1)")):
        if nums[key] is not None:
            txt += f"; vs {label}: {nums[key].verdict} ({nums[key].reason})"
    if j is None:
        return V.Claim(cid, V.NOT_TESTED, nums, txt + "; no prediction (no web-only runs)")
    nums["judged_against"] = against
    return V.Claim(cid, j.verdict, nums, txt)


__all__ = ["critical_ratio_power_law", "local_exponent_draws", "threshold_frequency",
           "web_law_evidence"]  # fmt: skip
