"""The evaluation protocol: which target each method claims, and what it is scored on.

1. **Two targets** (:mod:`mixphase.value.targets`): ``stand_alone`` (test accuracy of the model
   trained on the contributor alone) and ``marginal`` (change in test accuracy when it is removed
   from the pool), each averaged over training seeds of its own.
2. **Claims** (:data:`CLAIMS`): every method is scored against the target it estimates, and
   against both where it claims both (heuristics and random claim nothing and are shown against
   both). Tables also show every method against the other target, marked as not claimed.
3. **Held-out contributors** (:func:`held_out_mask`): a method that retrains anchors is scored
   only on the other contributors, and so is every other method in the same comparison (one
   scored set per task and seed). An anchor can never be scored: :func:`held_out_mask` is the
   only way the benchmark selects contributors, and :func:`scored_correlations` refuses a mask
   that keeps an anchor.
4. **Noisy-label detection** (pyDVL / OpenDataVal's protocol at contributor level):
   :func:`detection_auc`, the probability that a contributor with planted label noise scores
   below a clean one (AUROC; ties count 1/2).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import pearsonr, spearmanr

SA, MG = "stand_alone", "marginal"
CLAIMS: dict[str, tuple[str, ...]] = {
    "mixphase": (SA,),
    "mixphase_anchors": (SA,),
    "mixphase_marginal": (MG,),
    "mixphase_bound": (SA,),
    "size": (),
    "distinct_items": (),
    "distinct_labels": (),
    "test_mass": (),
    "neg_mmd": (),
    "one_nn": (SA,),
    "knn_utility": (SA,),
    "davinz": (SA,),
    "knn_shapley": (MG,),
    "tracin": (MG,),
    "loo_retrain": (MG,),
    "random": (),
}
HEURISTIC_METHODS = ("size", "distinct_items", "distinct_labels", "test_mass", "neg_mmd")


def scored_targets(method: str) -> tuple[str, ...]:
    """The targets a method is judged on: its claims, or both when it claims none."""
    return CLAIMS.get(method) or (SA, MG)


def held_out_mask(names: list[str], anchors: list[str]) -> np.ndarray:
    """True for every contributor that is not an anchor (unknown anchor names are an error)."""
    unknown = set(anchors) - set(names)
    if unknown:
        raise ValueError(f"anchors {sorted(unknown)} are not contributors")
    return np.array([c not in set(anchors) for c in names])


def correlations(scores, truth) -> tuple[float, float]:
    """``(pearson, spearman)``; NaN when either side is constant or has < 3 entries."""
    a, b = np.asarray(scores, float), np.asarray(truth, float)
    if len(a) < 3 or np.std(a) < 1e-15 or np.std(b) < 1e-15:
        return float("nan"), float("nan")
    return float(pearsonr(a, b)[0]), float(spearmanr(a, b)[0])


def scored_correlations(scores, truth, mask: np.ndarray, names: list[str],
                        anchors: list[str]) -> tuple[float, float]:  # fmt: skip
    """Correlations on the contributors ``mask`` keeps, which must exclude every anchor."""
    mask = np.asarray(mask, dtype=bool)
    if any(mask[names.index(a)] for a in anchors):
        raise ValueError("an anchor is among the scored contributors")
    return correlations(np.asarray(scores)[mask], np.asarray(truth)[mask])


def detection_auc(scores, names: list[str], noisy: list[str], mask=None) -> float:
    """P(score of a noisy contributor < score of a clean one), ties 1/2; NaN without both."""
    s = np.asarray(scores, float)
    keep = np.ones(len(names), bool) if mask is None else np.asarray(mask, bool)
    bad = np.array([c in set(noisy) for c in names]) & keep
    good = ~np.array([c in set(noisy) for c in names]) & keep
    if not bad.any() or not good.any():
        return float("nan")
    d = s[bad][:, None] - s[good][None, :]
    return float(np.mean((d < 0) + 0.5 * (d == 0)))
