"""Knowledge-item tasks (the setting of docs/theory.md §2): ``longtail`` and ``smallshards``.

A universe of items with Zipf(beta) popularity ``p``; each item has a random answer (one of C
classes) and a random embedding; a row is its item's embedding plus Gaussian noise, labelled with
the item's answer (flipped to another class with the contributor's noise rate). Real
contributors draw items from ``p``; synthetic ones from a truncated generator
(:func:`mixphase.theory.synthetic_distribution`: top-p, hard cutoff, temperature with a sample
count under the default ``support-mass`` rule) or from a generator fitted on a small real sample
(:func:`~mixphase.value.tasks.fitted_law`). Specialists draw only from a band of tail ranks;
``dup`` contributors repeat a small sample; ``copy_of_*`` repeats another contributor. The
memoriser's exact expected accuracy per contributor is ``meta["known_value"]``.
"""

from __future__ import annotations

import numpy as np

from mixphase.theory import Truncation, synthetic_distribution, zipf_pmf
from mixphase.value.data import ValuationData
from mixphase.value.tasks import Builder, band_law, fitted_law, flip_labels, memoriser_accuracy


class _Universe:
    def __init__(self, rng, n_items: int, beta: float, dim: int, n_classes: int, noise: float):
        self.rng, self.n_items, self.beta, self.c, self.noise = rng, n_items, beta, n_classes, noise
        emb = rng.normal(size=(n_items, dim))
        self.emb = emb * (np.sqrt(dim) / 2) / np.linalg.norm(emb, axis=1, keepdims=True)
        self.answer = rng.integers(0, n_classes, n_items)
        self.p = zipf_pmf(beta, n_items)

    def law(self, **truncation) -> np.ndarray:
        return synthetic_distribution(self.beta, Truncation(**truncation), self.n_items)

    def draw(self, q, n: int, flip: float = 0.0):
        items = self.rng.choice(self.n_items, size=n, p=q)
        x = self.emb[items] + self.noise * self.rng.normal(size=(n, self.emb.shape[1]))
        return x, flip_labels(self.answer[items], flip, self.c, self.rng), items


class _Task:
    """Adds contributors drawn from a universe and records the memoriser's known value."""

    def __init__(self, u: _Universe):
        self.u, self.b = u, Builder()

    def add(self, name, q, n, synthetic, kind, flip=0.0):
        x, y, it = self.u.draw(q, n, flip)
        self.b.add(name, x, y, synthetic, it, kind, flip)
        self.b.known[name] = memoriser_accuracy(self.u.p, q, n, flip, self.u.c)

    def dup(self, name, n, times):
        x, y, it = self.u.draw(self.u.p, n)
        self.b.add(name, np.tile(x, (times, 1)), np.tile(y, times), False, np.tile(it, times),
                   "duplicates")  # fmt: skip
        self.b.known[name] = memoriser_accuracy(self.u.p, self.u.p, n, 0.0, self.u.c)

    def mix(self, name, n_real, q_syn, n_syn):
        xr, yr, ir = self.u.draw(self.u.p, n_real)
        xs, ys, is_ = self.u.draw(q_syn, n_syn)
        self.b.add(name, np.vstack([xr, xs]), np.concatenate([yr, ys]),
                   np.r_[np.zeros(n_real, bool), np.ones(n_syn, bool)], np.concatenate([ir, is_]),
                   "mixture")  # fmt: skip
        share = n_real / (n_real + n_syn)
        q = share * self.u.p + (1 - share) * q_syn
        self.b.known[name] = memoriser_accuracy(self.u.p, q, n_real + n_syn, 0.0, self.u.c)

    def build(self, name: str, n_test: int) -> ValuationData:
        xt, yt, it = self.u.draw(self.u.p, n_test)
        return self.b.build(xt, yt, it, name, meta={"beta": self.u.beta})


def longtail_task(seed: int = 0, n_test: int = 2000) -> ValuationData:
    """1,000 items, Zipf(1.3), 10 answers, 32-d embeddings (noise 0.3); 15 contributors."""
    u = _Universe(np.random.default_rng(seed), 1000, 1.3, 32, 10, 0.3)
    t, p = _Task(u), u.p
    for n in (100, 300, 1000):
        t.add(f"real_n{n}", p, n, False, "real")
    t.add("real_band50_n300", band_law(p, 50), 300, False, "specialist")
    t.add("real_band200_n300", band_law(p, 200), 300, False, "specialist")
    t.add("syn_top_p0.5_n500", u.law(top_p=0.5), 500, True, "top_p")
    t.add("syn_top_p0.9_n500", u.law(top_p=0.9), 500, True, "top_p")
    t.add("syn_cutoff20_n500", u.law(cutoff=20), 500, True, "cutoff")
    t.add("syn_temp0.7_n500", u.law(temperature=0.7, synthetic_samples=2000), 500, True,
          "temperature")  # fmt: skip
    t.add("syn_fitted40_n500", fitted_law(p, 40, u.rng), 500, True, "fitted_generator")
    t.add("real_flip30_n500", p, 500, False, "noisy", flip=0.3)
    t.add("syn_flip50_n500", u.law(top_p=0.9), 500, True, "noisy", flip=0.5)
    t.dup("dup10x_n50", 50, 10)
    t.b.copy("copy_of_real_n1000", "real_n1000")
    t.mix("mix_real250_syn250", 250, u.law(top_p=0.7), 250)
    return t.build("longtail", n_test)


def smallshards_task(seed: int = 0, n_test: int = 1500) -> ValuationData:
    """300 items, Zipf(1.6), 10 answers, 16-d embeddings; 17 contributors of 20-200 rows with
    cutoffs as low as 3 (small ``n`` and low ``k``: where the truncation term's sign mattered)."""
    u = _Universe(np.random.default_rng(seed), 300, 1.6, 16, 10, 0.25)
    t, p = _Task(u), u.p
    for n in (20, 50, 100, 200):
        t.add(f"real_n{n}", p, n, False, "real")
    for k in (3, 10, 30):
        t.add(f"syn_cutoff{k}_n100", u.law(cutoff=k), 100, True, "cutoff")
    t.add("syn_top_p0.6_n50", u.law(top_p=0.6), 50, True, "top_p")
    t.add("syn_top_p0.9_n200", u.law(top_p=0.9), 200, True, "top_p")
    t.add("syn_temp0.5_n100", u.law(temperature=0.5, synthetic_samples=500), 100, True,
          "temperature")  # fmt: skip
    t.add("syn_fitted20_n200", fitted_law(p, 20, u.rng), 200, True, "fitted_generator")
    t.add("real_flip30_n100", p, 100, False, "noisy", flip=0.3)
    t.add("real_flip50_n200", p, 200, False, "noisy", flip=0.5)
    t.add("real_band10_n100", band_law(p, 10), 100, False, "specialist")
    t.dup("dup5x_n20", 20, 5)
    t.b.copy("copy_of_real_n200", "real_n200")
    t.mix("mix_real50_syn50", 50, u.law(cutoff=10), 50)
    return t.build("smallshards", n_test)
