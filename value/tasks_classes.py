"""Classification tasks without an item column (labels stand in for items).

- ``classes`` / ``classes_balanced``: 30 Gaussian classes in 16 dimensions (class means
  ``N(0, I)``, within-class noise 0.7 plus two class-specific directions of sd 1.2) with Zipf(1.2)
  popularity over a random class order. The same 15-contributor pool (same seed, same rows)
  is tested on a natural (Zipf) or a class-balanced test set of 1,500 rows. The generator knows
  the true class Gaussians; its class law is tempered / top-k / top-p; a generator *fitted on a
  small sample* (60 real rows) has only the classes it saw, at their sample means and spread;
  a *shifted* generator moves every class mean by 0.8 along a random direction.
- ``digits``: scikit-learn's bundled 8x8 digits (offline). Classes get a random popularity order;
  test (400 rows) and real contributors follow Zipf(1.1) over it. The generator is a
  class-conditional Gaussian (class mean + 5 principal "style" directions + isotropic noise)
  fitted on a long-tailed subset (150 images, Zipf(1.5) class counts), sampled with top-p /
  temperature truncation (the temperature also scales the style spread). Corrupted: 40% flipped
  labels, heavy pixel noise.
"""

from __future__ import annotations

import numpy as np

from mixphase.theory import zipf_pmf
from mixphase.value.data import ValuationData
from mixphase.value.tasks import Builder, flip_labels, head_law

N_CLASSES, DIM = 30, 16


def _gauss_pool(seed: int):
    rng = np.random.default_rng(seed)
    order = rng.permutation(N_CLASSES)
    p = np.zeros(N_CLASSES)
    p[order] = zipf_pmf(1.2, N_CLASSES)
    mu = rng.normal(size=(N_CLASSES, DIM))
    dirs = rng.normal(size=(N_CLASSES, 2, DIM)) / np.sqrt(DIM)

    def sample(prior, n, flip=0.0, means=None, spread=1.0, dirs_=None):
        means = mu if means is None else means
        dirs_ = dirs if dirs_ is None else dirs_
        cls = rng.choice(N_CLASSES, size=n, p=prior)
        z = rng.normal(size=(n, 2)) * 1.2 * spread
        x = means[cls] + np.einsum("nk,nkd->nd", z, dirs_[cls]) + 0.7 * spread * rng.normal(
            size=(n, DIM))  # fmt: skip
        return x, flip_labels(cls, flip, N_CLASSES, rng)

    b = Builder()

    def add(name, prior, n, synthetic, kind, flip=0.0, **kw):
        x, y = sample(prior, n, flip, **kw)
        b.add(name, x, y, synthetic, y, kind, flip)

    for n in (100, 300, 1000):
        add(f"real_n{n}", p, n, False, "real")
    add("real_balanced_n300", np.full(N_CLASSES, 1 / N_CLASSES), 300, False, "balanced")
    add("real_tail_n300", head_law(np.where(p < np.sort(p)[-10], p, 0)), 300, False, "specialist")
    add("syn_topk5_n300", head_law(p, top_k=5), 300, True, "top_k")
    add("syn_topk15_n300", head_law(p, top_k=15), 300, True, "top_k")
    add("syn_top_p0.8_n300", head_law(p, top_p=0.8), 300, True, "top_p")
    add("syn_temp0.5_n300", head_law(p, temperature=0.5), 300, True, "temperature", spread=0.5)
    # a generator fitted on 60 real rows: only the classes it saw, at their sample statistics
    xf, yf = sample(p, 60)
    seen = np.unique(yf)
    prior_f = np.bincount(yf, minlength=N_CLASSES) / len(yf)
    mu_f = mu.copy()
    for c in seen:
        mu_f[c] = xf[yf == c].mean(axis=0)
    add("syn_fitted60_n600", prior_f, 600, True, "fitted_generator", means=mu_f)
    shift = rng.normal(size=(N_CLASSES, DIM))
    shift *= 0.8 / np.linalg.norm(shift, axis=1, keepdims=True) * np.sqrt(DIM) / 2
    add("syn_shift_n300", p, 300, True, "shifted", means=mu + shift)
    add("real_flip20_n300", p, 300, False, "noisy", flip=0.2)
    add("syn_flip50_n600", p, 600, True, "noisy", flip=0.5)
    xd, yd = sample(p, 30)
    b.add("dup10x_n30", np.tile(xd, (10, 1)), np.tile(yd, 10), False, np.tile(yd, 10),
          "duplicates")  # fmt: skip
    b.copy("copy_of_real_n1000", "real_n1000")
    return b, sample, p


def classes_task(seed: int = 0, n_test: int = 1500) -> ValuationData:
    """Gaussian classes, natural (Zipf) test set; labels are the items."""
    b, sample, p = _gauss_pool(seed)
    xt, yt = sample(p, n_test)
    return b.build(xt, yt, yt, "classes", with_items=False, meta={"test": "natural"})


def classes_balanced_task(seed: int = 0, n_test: int = 1500) -> ValuationData:
    """The pool of :func:`classes_task` (same seed, same rows), class-balanced test set."""
    b, sample, _p = _gauss_pool(seed)
    xt, yt = sample(np.full(N_CLASSES, 1 / N_CLASSES), n_test)
    return b.build(xt, yt, yt, "classes_balanced", with_items=False, meta={"test": "balanced"})


def digits_task(seed: int = 0, n_test: int = 400) -> ValuationData:
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(seed)
    d = load_digits()
    x_all, y_all = d.data / 16.0, d.target.astype(int)
    pop = rng.permutation(10)  # pop[r] = class with popularity rank r+1
    p_test = np.zeros(10)
    p_test[pop] = zipf_pmf(1.1, 10)
    by_class = {c: rng.permutation(np.flatnonzero(y_all == c)).tolist() for c in range(10)}
    n_t = np.maximum(np.round(n_test * p_test).astype(int), 3)
    test_idx = np.concatenate([[by_class[c].pop() for _ in range(n_t[c])] for c in range(10)])
    pool = {c: np.array(v) for c, v in by_class.items()}

    def real(n, p=p_test, flip=0.0):
        cls = rng.choice(10, size=n, p=p)
        idx = np.array([rng.choice(pool[c]) for c in cls])
        return x_all[idx], flip_labels(y_all[idx], flip, 10, rng)

    # generator fitted on a long-tailed subset: Zipf(1.5) class counts, 150 images
    p_gen = np.zeros(10)
    p_gen[pop] = zipf_pmf(1.5, 10)
    n_fit = np.maximum(np.round(150 * p_gen).astype(int), 2)
    comps = {}
    for c in range(10):
        n_fit[c] = min(n_fit[c], len(pool[c]))
        xs = x_all[rng.choice(pool[c], n_fit[c], replace=False)]
        mu = xs.mean(0)
        _u, s, vt = np.linalg.svd(xs - mu, full_matrices=False)
        r = min(5, len(xs) - 1)
        sd = s[:r] / np.sqrt(max(len(xs) - 1, 1))
        resid = max(float(np.sum(s[r:] ** 2) / max(len(xs) - 1, 1) / 64), 1e-3)
        comps[c] = (mu, vt[:r], sd, np.sqrt(resid))
    prior = n_fit / n_fit.sum()

    def synth(n, top_p=1.0, temperature=1.0, noise=0.0, flip=0.0):
        cls = rng.choice(10, size=n, p=head_law(prior, top_p=top_p, temperature=temperature))
        xs = np.empty((n, 64))
        for j, c in enumerate(cls):
            mu, v, sd, res = comps[c]
            z = rng.normal(size=len(sd)) * sd * temperature
            xs[j] = mu + z @ v + rng.normal(size=64) * res * temperature
        xs = np.clip(xs + noise * rng.normal(size=xs.shape), 0, 1)
        return xs, flip_labels(cls, flip, 10, rng)

    b = Builder()
    for n in (40, 100, 250, 500):
        xs, ys = real(n)
        b.add(f"real_n{n}", xs, ys, False, ys, "real")
    xs, ys = real(200, np.full(10, 0.1))
    b.add("real_uniform_n200", xs, ys, False, ys, "balanced")
    xs, ys = real(200, flip=0.3)
    b.add("real_flip30_n200", xs, ys, False, ys, "noisy", 0.3)
    for tp in (0.5, 0.8, 0.95, 1.0):
        xs, ys = synth(300, top_p=tp)
        b.add(f"syn_top_p{tp:g}_n300", xs, ys, True, ys, "top_p" if tp < 1 else "generator")
    xs, ys = synth(300, temperature=0.5)
    b.add("syn_temp0.5_n300", xs, ys, True, ys, "temperature")
    xs, ys = synth(900, top_p=0.8)
    b.add("syn_top_p0.8_n900", xs, ys, True, ys, "top_p")
    xs, ys = synth(300, flip=0.4)
    b.add("syn_flip40_n300", xs, ys, True, ys, "noisy", 0.4)
    xs, ys = synth(300, noise=0.35)
    b.add("syn_pixelnoise_n300", xs, ys, True, ys, "shifted")
    xd, yd = real(30)
    b.add("dup10x_n30", np.tile(xd, (10, 1)), np.tile(yd, 10), False, np.tile(yd, 10),
          "duplicates")  # fmt: skip
    b.copy("copy_of_real_n500", "real_n500")
    xr, yr = real(150)
    xs, ys = synth(150, top_p=0.8)
    b.add("mix_real150_syn150", np.vstack([xr, xs]), np.concatenate([yr, ys]),
          np.r_[np.zeros(150, bool), np.ones(150, bool)], np.concatenate([yr, ys]),
          "mixture")  # fmt: skip
    return b.build(x_all[test_idx], y_all[test_idx], y_all[test_idx], "digits",
                   with_items=False, meta={"test": "natural"})  # fmt: skip
