"""Planted-data experiment behind Algorithm 1's default walk (issue 16). Not timed.

1. **Noisy head.** 600 items (popularity falls with rank), correct with probability ``head``
   above rank 300 and 0.1 below; target 0.6, n_fail 5. The truth is the rank where the *expected*
   running accuracy crosses the target (420 at head 0.8, 359 at 0.7). A walk "lands" if it
   returns a rank within 15% of it. Candidates: the published walk, the last crossing (mixphase's
   default), a fixed burn-in of 20 / 60 items before failures count, ``n_fail`` consecutive
   failures.
2. **Slope in model size.** The figure-4 setting (100 popularity groups x 20 facts, exponent
   1.5, r = 0.01, knapsack allocation per size), with noisy answers (a stored fact is right with
   probability 0.8, an unstored one 0.1), target 0.6, n_fail 5: the spread over seeds of the
   fitted log-log slope of the threshold against model size, vs the allocation's slope.

    python benchmarks/algorithm1_noisy_head.py [--seeds 1000] [--slope-seeds 200]
"""

from __future__ import annotations

import argparse

import numpy as np

from mixphase.theory.threshold_popularity import threshold_popularity


def _running_below(y, t):
    return np.cumsum(y) < t * np.arange(1, y.size + 1)


def burn_in(y, t, nf, b):
    below = _running_below(y, t)
    below[:b] = False
    hit = np.flatnonzero(np.cumsum(below) >= nf)
    return int(hit[0]) if hit.size else y.size - 1


def consecutive(y, t, nf):
    run = 0
    for i, b in enumerate(_running_below(y, t)):
        run = run + 1 if b else 0
        if run >= nf:
            return i
    return y.size - 1


def noisy_head(seeds: int) -> list[str]:
    n, cut, tail, target, nf = 600, 300, 0.1, 0.6, 5
    pop = np.arange(n, 0, -1, dtype=float)  # rank r has popularity n - r (distinct, decreasing)
    lines = ["| head accuracy | expected crossing | " + " | ".join(
        ["published", "last crossing", "burn-in 20", "burn-in 60", "consecutive"]) + " |",
        "|---|---|---|---|---|---|---|"]  # fmt: skip
    for head in (0.8, 0.7, 0.65):
        acc = np.where(np.arange(n) < cut, head, tail)
        cross = int(np.flatnonzero(np.cumsum(acc) < target * np.arange(1, n + 1))[0])
        walks = {
            "published": lambda y: n - threshold_popularity(pop, y, target, nf, "published"),
            "last": lambda y: n - threshold_popularity(pop, y, target, nf),
            "b20": lambda y: burn_in(y, target, nf, 20),
            "b60": lambda y: burn_in(y, target, nf, 60),
            "cons": lambda y: consecutive(y, target, nf),
        }
        hits = {k: 0 for k in walks}
        for s in range(seeds):
            y = (np.random.default_rng(s).random(n) < acc).astype(float)
            for k, f in walks.items():
                hits[k] += abs(f(y) - cross) <= 0.15 * cross
        lines.append(f"| {head:g} | {cross} | "
                     + " | ".join(f"{hits[k] / seeds:.1%}" for k in walks) + " |")  # fmt: skip
    return lines


def slope_spread(seeds: int) -> list[str]:
    from mixphase.theory import KnapsackModel, KnowledgeGroup, WebDomain, allocate

    ratio, groups_n, size, expo = 0.01, 100, 20, 1.5
    model = KnapsackModel()
    e, a, alpha = model.web_bits
    k = model.knowledge
    w = np.arange(1, groups_n + 1, dtype=float) ** -expo
    pop = w / w.sum() / size
    groups = [KnowledgeGroup(bits=size * k.bits_per_fact, value_per_bit=ratio * f / k.tokens_per_fact)
              for f in pop]  # fmt: skip
    web = [WebDomain(A=a, alpha=alpha, share=1 - ratio, E=e)]

    def size_at(f):
        lam = ratio * f / k.tokens_per_fact
        return (lam / ((1 - ratio) * a * alpha)) ** (-1 / (alpha + 1)) / model.bits_per_param

    sizes = np.geomspace(size_at(pop[5]), size_at(pop[60]), 5)
    fracs = [allocate(float(model.capacity(n)), groups, web).learned_fraction for n in sizes]
    pred = [allocate(float(model.capacity(n)), groups, web).marginal_value for n in sizes]
    true_slope = float(np.polyfit(np.log(sizes), np.log(pred), 1)[0])
    fact_pop = np.repeat(pop, size)
    slopes = {"published": [], "last-crossing": []}
    for s in range(seeds):
        rng = np.random.default_rng(s)
        data = []
        for lf in fracs:
            stored = rng.random(fact_pop.size) < np.repeat(lf, size)
            data.append((rng.random(fact_pop.size) < np.where(stored, 0.8, 0.1)).astype(float))
        for m in slopes:
            thr = [threshold_popularity(fact_pop, y, 0.6, 5, m) for y in data]
            slopes[m].append(np.polyfit(np.log(sizes), np.log(thr), 1)[0])
    lines = [f"allocation slope {true_slope:.3f} (predicted -(alpha+1) = {-(model.alpha + 1):.3f})",
             "", "| walk | median slope | 90% spread over seeds |", "|---|---|---|"]  # fmt: skip
    for m, v in slopes.items():
        lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
        lines.append(f"| {m} | {med:.3f} | [{lo:.2f}, {hi:.2f}] |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=1000)
    ap.add_argument("--slope-seeds", type=int, default=200)
    args = ap.parse_args()
    print(f"Noisy head: share of {args.seeds} seeds landing within 15% of the crossing\n")
    print("\n".join(noisy_head(args.seeds)))
    print(f"\nSlope of the threshold in model size ({args.slope_seeds} seeds, head accuracy 0.8, "
          "guess 0.1, target 0.6, n_fail 5)\n")  # fmt: skip
    print("\n".join(slope_spread(args.slope_seeds)))


if __name__ == "__main__":
    main()
