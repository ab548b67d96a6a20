"""Claim 7 as two claims: random subsampling of the knowledge set (Gu et al. 2025, Sec. 6).

Keeping a random fraction ``rho`` of the ``K`` people raises each kept biography's frequency by
``1/rho``. Runs whose configuration differs from the main sweep's only in the number of people
(``people=``: engine 2 keeps the first ``n`` people, a subset of the original set; older runs
redrew every name, which the claims note) at one size and ratio ``r0`` below the transition form a
grid of keep fractions (``rho = people / K``; the full set is the main sweep's runs there).

**The model the claims test** (from :mod:`mixphase.theory` only): the knapsack model of
:mod:`mixphase.theory.knapsack` with the web-only runs' power law (``alpha``, ``A`` per training
token), the biographies as the knowledge set, and the bits per parameter set so that the model's
*half-learned* ratio at this size equals the measured ``r_c`` (the 50% point of the sweep's
sigmoid). Advise's keep fraction is :func:`mixphase.theory.strategies.best_keep_fraction` of that
model. The accuracy of a kept set is the measured ramp: ``expit((ln odds(r0) - ln odds(
r_half(rho))) / w)``, ``r_half(rho)`` the subsampled model's half-learned ratio and ``w`` the
measured width, so ``keep_for_80`` solves ``ln odds(r_half(rho)) = ln odds(r0) - w ln 4``.

- ``subsampling_best_keep``: the keep fraction that learns the most facts (``rho K`` x accuracy;
  argmax over the grid, per posterior draw of each point's accuracy) is equivalent to advise's
  within ``MARGINS["ln_keep"]`` (a factor 1.5), from >= 3 keep fractions; a maximum at the edge
  of the grid cannot be held.
- ``subsampling_keep_for_80``: runs within a factor 1.15 of ``keep_for_80`` reach accuracy 0.8
  (non-inferiority, margin ``MARGINS["accuracy"] = 0.1``).

Accuracy draws of a keep point: per seed ``Beta(k/d + 1/2, (n - k)/d + 1/2)`` (``d`` the design
effect), averaged over seeds, plus the seeds' own spread (normal, sd of the seed means / sqrt(s)).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
from scipy.optimize import brentq
from scipy.special import logit

from mixphase import runs as R
from mixphase.validate import verdicts as V
from mixphase.validate.claims import BELOW, CLAIM_IDS, LEARNED, acc

KEEP_NEAR = 1.15
N_DRAWS = 2000


def keep_grid(rows: list[dict]) -> dict | None:
    """``{size, params, ratio, K, keeps: {rho: rows}, subset}`` of the subsampling runs, or None."""
    main = R.main_config(rows)
    sub: dict[tuple, list[dict]] = {}
    for r in rows:
        if R.ratio_of(r) <= 0 or R.config_id(r) == main:
            continue
        diff = R.differences(r, main)
        if diff and set(diff) == {"people"}:
            sub.setdefault((str(r["size"]), R.ratio_of(r)), []).append(r)
    if not sub:
        return None
    (size, ratio), rs = max(sub.items(), key=lambda kv: len({r["n_people"] for r in kv[1]}))
    full = [r for r in R.main_sweep_rows(rows) if str(r["size"]) == size and R.ratio_of(r) == ratio]
    if not full:
        return None
    k = int(full[0]["n_people"])
    keeps: dict[float, list[dict]] = {1.0: full}
    for r in rs:
        keeps.setdefault(r["n_people"] / k, []).append(r)
    # engine 2 keeps the first n people of the set (a subset); older runs redrew every name
    subset = all(int(r.get("engine_version", 1)) >= 2 for r in rs)
    return {"size": size, "params": int(full[0]["params"]), "ratio": ratio, "K": k,
            "keeps": dict(sorted(keeps.items())), "subset": subset}  # fmt: skip


def accuracy_draws(rows: list[dict], deff: float, rng, n: int = N_DRAWS) -> np.ndarray:
    """Draws of the mean accuracy over seeds (module doc)."""
    per = []
    for r in rows:
        k, t = r["bio_correct"] / deff, r["bio_total"] / deff
        per.append(rng.beta(k + 0.5, t - k + 0.5, n))
    d = np.mean(per, axis=0)
    if len(rows) >= 2:
        sd = float(np.std([r["memorization_accuracy"] for r in rows], ddof=1))
        d = d + rng.normal(0, sd / math.sqrt(len(rows)), n)
    return np.clip(d, 0.0, 1.0)


def anchored_model(rows: list[dict], web: dict, params: int, r_c: float):
    """The knapsack model of the module doc (None if no power-law web fit is available)."""
    from mixphase.theory.knapsack import KnapsackModel, KnowledgeSet
    from mixphase.theory.web_law import WebLaw

    pw = web.get("power_law_params")
    if pw is None:
        return None
    desc = next((r["data"] for r in R.main_sweep_rows(rows) if r.get("data")), None)
    if desc is None:
        return None
    ws, bio = desc["web"], desc["bio"]
    per_token = ws["value_len"] * ws["facts_per_doc"] / desc["doc_len"]
    law = WebLaw(E=0.0, A=pw["A"] * per_token, alpha=pw["alpha"], size_unit=1.0)
    base = KnapsackModel(web=law, knowledge=KnowledgeSet(n_facts=bio["n_people"],
                         bits_per_fact=bio["bits_per_bio"], tokens_per_fact=desc["doc_len"]))  # fmt: skip
    lo = 0.5 * base.knowledge.total_bits / params * (1 + 1e-9)

    def gap(lb):
        m = replace(base, bits_per_param=math.exp(lb))
        return math.log(m.critical_ratio(params, 0.5) / (1 - m.critical_ratio(params, 0.5))) - \
            math.log(r_c / (1 - r_c))  # fmt: skip

    try:
        lb = brentq(gap, math.log(lo), math.log(lo) + 40)
    except ValueError:
        return None
    return replace(base, bits_per_param=math.exp(lb))


def keep_for(model, params: int, ratio: float, width: float, target: float = 0.8) -> float:
    """Keep fraction whose predicted accuracy on the kept set is ``target`` (module doc)."""
    from mixphase.theory.strategies import subsampled

    goal = math.log(ratio / (1 - ratio)) - width * logit(target)

    def f(lr):
        m = subsampled(model, math.exp(lr))
        rc = m.critical_ratio(params, 0.5)
        return math.log(rc / (1 - rc)) - goal

    lo = math.log(1e-6)
    if f(0.0) <= 0:
        return 1.0
    try:
        return math.exp(brentq(f, lo, 0.0))
    except ValueError:
        return float("nan")


def _grid_numbers(g: dict, deff: float, rng) -> tuple[dict, dict]:
    rows, draws = [], {}
    for rho, rs in g["keeps"].items():
        d = accuracy_draws(rs, deff, rng)
        draws[rho] = d
        rows.append({"keep": rho, "people": round(rho * g["K"]), "seeds": len(rs),
                     "accuracy": acc(rs), "facts_learned": acc(rs) * rho * g["K"]})  # fmt: skip
    return {"grid": rows}, draws


def subsampling(rows: list[dict], record, web: dict, deff: float, seed: int = 0) -> list[V.Claim]:
    """Claims 7a and 7b (module doc). ``record``: the transition record of the grid's size."""
    ids = CLAIM_IDS[6], CLAIM_IDS[7]
    g = keep_grid(rows)
    if g is None:
        return [V.not_tested(c, "no subsampling runs") for c in ids]
    if record is None or record.critical is None:
        why = f"{g['size']}: no fitted critical ratio for this size"
        return [V.not_tested(c, why) for c in ids]
    model = anchored_model(rows, web, g["params"], record.critical.median)
    if model is None:
        return [
            V.not_tested(c, "no power-law web fit to build the knapsack model from") for c in ids
        ]
    from mixphase.theory.strategies import best_keep_fraction

    rng = np.random.default_rng(seed)
    nums, draws = _grid_numbers(g, deff, rng)
    best = float(best_keep_fraction(model, g["params"], g["ratio"]))
    w = record.width.median
    k80 = keep_for(model, g["params"], g["ratio"], w)
    base = {"size": g["size"], "params": g["params"], "ratio": g["ratio"], "people": g["K"],
            "critical_ratio": record.critical, "width_ln_ratio": record.width,
            "kept_people_subset_of_original": g["subset"],
            "advise_best_keep": best, "keep_for_80": k80, **nums}  # fmt: skip
    if not g["subset"]:
        base["note"] = ("the subsampled runs redraw every person (older engine): the kept people "
                        "are not a subset of the original ones")  # fmt: skip
    keeps = np.array(list(draws))
    txt0 = (f"{g['size']} r={g['ratio']:g} (r_c {record.critical.median:.3g}): grid "
            + ", ".join(f"{p['keep']:.2f}: acc {p['accuracy']:.2f}, {p['facts_learned']:.1f} "
                        f"facts" for p in nums["grid"]))  # fmt: skip
    # 7a
    facts = np.stack([draws[k] * k * g["K"] for k in keeps])  # (keeps, draws)
    arg = keeps[np.argmax(facts, axis=0)]
    j = V.equivalence(np.log(arg) - math.log(best), V.MARGINS["ln_keep"].value, points=keeps.size)
    edge = float(np.median(arg)) in (keeps.min(), keeps.max())
    if edge and j.verdict == V.HELD:
        j = V.Judgement(V.INCONCLUSIVE, j.interval, j.margin, j.reason + "; but the maximum lies "
                        "at the edge of the keep grid")  # fmt: skip
    c7a = V.Claim(ids[0], j.verdict, {**base, "argmax_keep": V.interval(arg), "judgement": j,
                                      "margin": V.MARGINS["ln_keep"]},
                  f"{txt0}; most facts at keep {np.median(arg):.2f} vs advise {best:.2f}: "
                  f"{j.reason}")  # fmt: skip
    # 7b
    near = [
        k for k in keeps if math.isfinite(k80) and abs(math.log(k / k80)) <= math.log(KEEP_NEAR)
    ]
    if not near:
        c7b = V.Claim(ids[1], V.NOT_TESTED, {**base, "margin": V.MARGINS["accuracy"]},
                      f"no run within a factor {KEEP_NEAR} of keep_for_80 = {k80:.3f} (grid "
                      f"{', '.join(f'{k:.2f}' for k in keeps)})")  # fmt: skip
    else:
        k = min(near, key=lambda k: abs(math.log(k / k80)))
        j = V.at_least(draws[k], LEARNED, V.MARGINS["accuracy"].value)
        c7b = V.Claim(ids[1], j.verdict, {**base, "keep_judged": k, "judgement": j,
                                          "margin": V.MARGINS["accuracy"]},
                      f"keep_for_80 = {k80:.3f} (width {w:.3f}); at keep {k:.3f}: {j.reason}")  # fmt: skip
    below = [p for p in nums["grid"] if p["keep"] == 1.0 and p["accuracy"] >= BELOW]
    if below:
        for c in (c7a, c7b):
            c.numbers["warning"] = "the full set is already learned at this ratio"
    return [c7a, c7b]


__all__ = ["accuracy_draws", "anchored_model", "keep_for", "keep_grid", "subsampling"]
