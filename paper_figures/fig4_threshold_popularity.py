"""Figure 4: threshold popularity vs model size for heterogeneous facts.

Setting of Gu et al. (2025) §5 (SynBio-power-law): facts in ``N_GROUPS`` = 100 groups whose
popularity (share of the knowledge set's occurrences) follows a power law with exponent 1.5,
mixed at ratio ``r`` = 0.01 with web text. For each model size the general allocation
(:func:`mixphase.theory.allocate`, exact KKT solver) says which groups are stored; each fact is
then answered correctly with probability ``1 - SLIP`` if stored and ``GUESS`` otherwise (so the
data look like a measurement), and Algorithm 1 (:func:`threshold_popularity`, default
last-crossing walk, target 0.8, ``n_fail`` 5) recovers the threshold popularity from the
per-fact correctness alone; :func:`threshold_slope` gives its log-log slope in model size with a
seeded bootstrap interval over the facts (the interval in the legend and the summary).

Left: accuracy per popularity group for each size. Right: threshold popularity vs model size,
predicted by the allocation (``lambda / r`` in popularity units) and measured by Algorithm 1, with
fitted log-log slopes and the predicted ``-(alpha+1)`` (paper: measured -1.152 vs -1.283).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mixphase.paper_figures import _style as st
from mixphase.paper_figures._common import FigureResult, fit_power, main

NUMBER = 4
NAME = "fig4_threshold_popularity"
TITLE = "Threshold popularity vs model size (heterogeneous facts)"

RATIO = 0.01
N_GROUPS = 100
EXPONENT = 1.5
TARGET = 0.8
N_FAIL = 5
SLIP = 0.05  # a stored fact is still answered wrongly 5% of the time
GUESS = 0.0  # an unstored fact is never answered right (attributes are drawn from large pools)


def simulate(n_sizes: int, group_size: int, seed: int = 0, n_boot: int = 1000) -> dict:
    """Allocation, per-fact correctness and both thresholds for ``n_sizes`` model sizes."""
    from mixphase.theory import KnapsackModel, KnowledgeGroup, WebDomain, allocate, threshold_slope

    model = KnapsackModel()
    e, a, alpha = model.web_bits
    k = model.knowledge
    w = np.arange(1, N_GROUPS + 1, dtype=float) ** -EXPONENT
    pop = w / w.sum() / group_size  # per-fact share of the knowledge set's occurrences
    groups = [KnowledgeGroup(bits=group_size * k.bits_per_fact,
                             value_per_bit=RATIO * f / k.tokens_per_fact) for f in pop]  # fmt: skip
    web = [WebDomain(A=a, alpha=alpha, share=1 - RATIO, E=e)]

    # sizes whose (web-only) threshold runs from the 3rd to the 60th group: inside the data
    def size_at(f: float) -> float:
        lam = RATIO * f / k.tokens_per_fact
        return (lam / ((1 - RATIO) * a * alpha)) ** (-1 / (alpha + 1)) / model.bits_per_param

    sizes = np.geomspace(size_at(pop[2]), size_at(pop[59]), n_sizes)
    sizes = np.array([float(f"{n:.2g}") for n in sizes])  # round, readable sizes
    rng = np.random.default_rng(seed)
    fact_pop = np.repeat(pop, group_size)
    acc, pred, answers = [], [], []
    for n in sizes:
        alloc = allocate(float(model.capacity(n)), groups, web)
        stored = rng.random(fact_pop.size) < np.repeat(alloc.learned_fraction, group_size)
        correct = (rng.random(fact_pop.size) < np.where(stored, 1 - SLIP, GUESS)).astype(float)
        acc.append(correct.reshape(N_GROUPS, group_size).mean(axis=1))
        pred.append(alloc.marginal_value * k.tokens_per_fact / RATIO)
        answers.append((fact_pop, correct))
    slope = threshold_slope(sizes, answers, target=TARGET, n_fail=N_FAIL, n_boot=n_boot,
                            seed=seed)  # fmt: skip
    return {"sizes": sizes, "popularity": pop, "accuracy": np.array(acc),
            "predicted": np.array(pred), "measured": slope.thresholds, "slope": slope,
            "predicted_exponent": float(model.ratio_exponent())}  # fmt: skip


def make(out: Path, quick: bool = False, seed: int = 0, validate_results=None) -> FigureResult:
    d = simulate(n_sizes=6 if quick else 10, group_size=50 if quick else 200, seed=seed,
                 n_boot=200 if quick else 1000)  # fmt: skip
    sizes, pop = d["sizes"], d["popularity"]
    fig, (ax, bx) = st.figure(ncols=2, width=10.0, height=5.0)
    from matplotlib.lines import Line2D

    rows, handles = [], []
    for i, n in enumerate(sizes):
        s = st.style(i)
        ax.plot(pop, d["accuracy"][i], color=s["color"], lw=1.3, clip_on=False)
        ax.plot([d["measured"][i]], [TARGET], marker=s["marker"], color=s["color"], ls="none")
        handles.append(
            Line2D([], [], color=s["color"], marker=s["marker"], lw=1.3, label=st.size_label(n))
        )
        rows += [{"kind": "accuracy", "model_size": float(n), "popularity": float(p),
                  "accuracy": float(y)} for p, y in zip(pop, d["accuracy"][i], strict=True)]  # fmt: skip
    ax.axhline(TARGET, color="0.5", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set_xlabel("fact popularity (share of knowledge-set occurrences)")
    ax.set_ylabel("accuracy of the group's facts")
    ax.set_title(f"Accuracy vs popularity (r = {RATIO:g})")
    ax.set_ylim(0, 1.02)
    st.legend_below(ax, handles=handles, title="model size (marker: Algorithm 1's threshold)",
                    ncol=3)  # fmt: skip

    pe = d["predicted_exponent"]
    fp = fit_power(sizes, d["predicted"], pe, seed)
    fm = fit_power(sizes, d["measured"], pe, seed)
    bx.plot(sizes, d["predicted"], "o", color=st.color(0), label="allocation threshold (theory)")
    bx.plot(fp["grid"], fp["line"], color=st.color(0), lw=1.2,
            label=f"  slope {fp['exponent']:.3f}")  # fmt: skip
    bx.plot(sizes, d["measured"], "s", color=st.color(1), label="Algorithm 1 on simulated answers")
    bx.fill_between(fm["grid"], fm["lo"], fm["hi"], color=st.color(1), alpha=0.25, lw=0)
    bs = d["slope"].interval  # bootstrap over the facts: Algorithm 1's own uncertainty
    bx.plot(fm["grid"], fm["line"], color=st.color(1), ls="--",
            label=f"  slope {fm['exponent']:.3f} (bootstrap [{bs.lower:.3f}, {bs.upper:.3f}])")  # fmt: skip
    ref = d["predicted"][0] * (sizes / sizes[0]) ** pe * 1.8
    bx.plot(sizes, ref, color=st.color(2), ls=":", lw=2.2,
            label=f"predicted slope $-(\\alpha+1)$ = {pe:.3f}")  # fmt: skip
    bx.set_xscale("log")
    bx.set_yscale("log")
    bx.set_xlabel("model size N (parameters)")
    bx.set_ylabel("threshold popularity")
    bx.set_title("Threshold popularity: power law in size")
    st.legend_below(bx, ncol=1)
    st.note(bx, "paper (PopQA, Pythia):\nmeasured -1.152, predicted -1.283", loc="upper right")
    rows += [{"kind": "threshold", "model_size": float(n), "predicted_threshold": float(p),
              "measured_threshold": float(m)}
             for n, p, m in zip(sizes, d["predicted"], d["measured"], strict=True)]  # fmt: skip
    fig.tight_layout()
    files = st.save(fig, out, NAME, rows)
    summary = {"predicted_exponent": pe, "allocation_slope": float(fp["exponent"]),
               "algorithm1_slope": float(fm["exponent"]),
               "algorithm1_interval": [float(fm["lower"]), float(fm["upper"])],
               "algorithm1_bootstrap_slope": float(d["slope"].slope),
               "algorithm1_bootstrap_interval": [bs.lower, bs.upper],
               "fit_method": fm["method"]}  # fmt: skip
    return FigureResult(NUMBER, NAME, TITLE, files, summary)


if __name__ == "__main__":
    raise SystemExit(main(make))
