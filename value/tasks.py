"""Built-in valuation tasks (offline): ``digits``, ``longtail``, ``text``.

Every task returns a :class:`~mixphase.value.data.ValuationData` with 12-16 contributors: real
shards of several sizes and synthetic shards from truncated generators (top-p, temperature,
hard cutoff, finite samples), corrupted copies and real+synthetic mixtures. The target test set
is long-tailed in every task, so truncation costs test accuracy.

- **digits** (scikit-learn's bundled 8x8 digits): the 10 classes get a random popularity order;
  test and real shards follow Zipf(1.1) over that order. The synthetic generator is a
  class-conditional Gaussian (class mean + 5 principal "style" directions + isotropic noise)
  fitted on a long-tailed subset (150 images, Zipf(1.5) class counts, so rare classes are fitted from a few
  images); it samples classes from its own prior with top-p / temperature truncation, and styles
  with the temperature scaling the style spread. Corrupted copies: 40% flipped labels, heavy
  pixel noise. Items = classes.
- **longtail** (simulated knowledge task, the setting of theory.md §2): 1,000 items with Zipf(1.3)
  frequencies, each with a random answer (10 classes) and a random 32-d embedding; a row is
  the item's embedding plus noise and its answer. Real shards sample the Zipf law; synthetic
  shards sample :func:`mixphase.theory.synthetic_distribution` (top-p, cutoff, temperature).
  The exact expected accuracy of a memorising learner on each shard is known
  (``meta["known_value"]``): ``sum_i p_i [(1-(1-q_i)^n)(1-rho+rho/C) + (1-q_i)^n / C]`` for a
  shard of n draws from q with a fraction rho of random answers. (Sampler: numpy, here; it can
  later be pointed at :mod:`mixphase.simulate`.)
- **text** (templated sentiment, built locally): 300 adjectives with a polarity and Zipf(1.2)
  popularity, 10 real review templates; synthetic "LLM" generators sample adjectives with top-p /
  temperature truncation and use only 3 templates; one copy has 40% flipped labels. Features:
  hashed bag of words (256 buckets, crc32). Items = adjectives.
"""

from __future__ import annotations

import zlib

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory import Truncation, synthetic_distribution, zipf_pmf
from mixphase.value.data import ValuationData

TASKS = ("digits", "longtail", "text")


def load_task(name: str, seed: int = 0) -> ValuationData:
    if name not in TASKS:
        raise MixphaseInputError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    return {"digits": digits_task, "longtail": longtail_task, "text": text_task}[name](seed)


class _Builder:
    def __init__(self):
        self.x, self.y, self.c, self.s, self.i = [], [], [], [], []

    def add(self, name, x, y, synthetic, items):
        n = len(y)
        syn = np.broadcast_to(np.asarray(synthetic, dtype=bool), (n,))
        self.x.append(np.asarray(x, float))
        self.y.append(np.asarray(y))
        self.c.append(np.full(n, name))
        self.s.append(syn)
        self.i.append(np.asarray(items))

    def build(self, x_test, y_test, item_test, name, meta=None) -> ValuationData:
        return ValuationData(np.vstack(self.x), np.concatenate(self.y), np.concatenate(self.c),
                             np.concatenate(self.s), x_test, y_test, np.concatenate(self.i),
                             item_test, name=name, meta=meta or {})  # fmt: skip


def _flip(y, rate, n_classes, rng):
    y = y.copy()
    m = rng.random(len(y)) < rate
    y[m] = (y[m] + rng.integers(1, n_classes, m.sum())) % n_classes
    return y


def _head_classes(prior, top_p):
    order = np.argsort(-prior, kind="stable")
    k = int(np.searchsorted(np.cumsum(prior[order]), top_p * (1 - 1e-12)) + 1)
    keep = np.zeros_like(prior)
    keep[order[:k]] = prior[order[:k]]
    return keep / keep.sum()


# ------------------------------------------------------------------------------------ digits
def digits_task(seed: int = 0) -> ValuationData:
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(seed)
    d = load_digits()
    x_all, y_all = d.data / 16.0, d.target.astype(int)
    pop = rng.permutation(10)  # pop[r] = class with popularity rank r+1
    p_test = np.zeros(10)
    p_test[pop] = zipf_pmf(1.1, 10)
    by_class = {c: rng.permutation(np.flatnonzero(y_all == c)).tolist() for c in range(10)}
    # test set: 250 rows, Zipf(1.1) over classes, removed from the pool
    n_test = np.maximum(np.round(250 * p_test).astype(int), 3)
    test_idx = np.concatenate([[by_class[c].pop() for _ in range(n_test[c])] for c in range(10)])
    pool = {c: np.array(v) for c, v in by_class.items()}

    def real(n, p=p_test):
        cls = rng.choice(10, size=n, p=p)
        idx = np.array([rng.choice(pool[c]) for c in cls])
        return x_all[idx], y_all[idx]

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
        pr = _head_classes(prior ** (1 / temperature) / np.sum(prior ** (1 / temperature)), top_p)
        cls = rng.choice(10, size=n, p=pr)
        xs = np.empty((n, 64))
        for j, c in enumerate(cls):
            mu, v, sd, res = comps[c]
            z = rng.normal(size=len(sd)) * sd * temperature
            xs[j] = mu + z @ v + rng.normal(size=64) * res * temperature
        xs = np.clip(xs + noise * rng.normal(size=xs.shape), 0, 1)
        return xs, _flip(cls, flip, 10, rng)

    b = _Builder()
    for n in (40, 100, 250, 500):
        xs, ys = real(n)
        b.add(f"real_n{n}", xs, ys, False, ys)
    xs, ys = real(200, np.full(10, 0.1))
    b.add("real_uniform_n200", xs, ys, False, ys)
    for tp in (0.5, 0.8, 0.95, 1.0):
        xs, ys = synth(300, top_p=tp)
        b.add(f"syn_top_p{tp:g}_n300", xs, ys, True, ys)
    xs, ys = synth(300, temperature=0.5)
    b.add("syn_temp0.5_n300", xs, ys, True, ys)
    xs, ys = synth(900, top_p=0.8)
    b.add("syn_top_p0.8_n900", xs, ys, True, ys)
    xs, ys = synth(300, flip=0.4)
    b.add("syn_flip40_n300", xs, ys, True, ys)
    xs, ys = synth(300, noise=0.35)
    b.add("syn_pixelnoise_n300", xs, ys, True, ys)
    xr, yr = real(150)
    xs, ys = synth(150, top_p=0.8)
    b.add("mix_real150_syn150", np.vstack([xr, xs]), np.concatenate([yr, ys]),
          np.r_[np.zeros(150, bool), np.ones(150, bool)], np.concatenate([yr, ys]))  # fmt: skip
    return b.build(x_all[test_idx], y_all[test_idx], y_all[test_idx], "digits")


# ---------------------------------------------------------------------------------- longtail
def longtail_task(seed: int = 0, n_items: int = 1000, beta: float = 1.3, dim: int = 32,
                  n_classes: int = 10, noise: float = 0.3, n_test: int = 1000) -> ValuationData:  # fmt: skip
    rng = np.random.default_rng(seed)
    emb = rng.normal(size=(n_items, dim))
    emb *= 2.0 / np.linalg.norm(emb, axis=1, keepdims=True) * np.sqrt(dim) / 4
    answer = rng.integers(0, n_classes, n_items)
    p = zipf_pmf(beta, n_items)

    def draw(q, n, flip=0.0):
        items = rng.choice(n_items, size=n, p=q)
        x = emb[items] + noise * rng.normal(size=(n, dim))
        return x, _flip(answer[items], flip, n_classes, rng), items

    def known(q, n, flip=0.0):
        seen = -np.expm1(n * np.log1p(-np.minimum(q, 1 - 1e-15)))
        return float(p @ (seen * (1 - flip + flip / n_classes) + (1 - seen) / n_classes))

    b = _Builder()
    kv = {}

    def add(name, q, n, synthetic, flip=0.0):
        x, y, it = draw(q, n, flip)
        b.add(name, x, y, synthetic, it)
        kv[name] = known(q, n, flip)

    for n in (200, 500, 1000, 2000):
        add(f"real_n{n}", p, n, False)
    add("real_flip50_n1000", p, 1000, False, flip=0.5)
    for tp in (0.5, 0.7, 0.9):
        add(f"syn_top_p{tp:g}_n1000", synthetic_distribution(beta, Truncation(top_p=tp), n_items),
            1000, True)  # fmt: skip
    for k in (20, 100):
        add(f"syn_cutoff{k}_n1000", synthetic_distribution(beta, Truncation(cutoff=k), n_items),
            1000, True)  # fmt: skip
    # sample_rule pinned to the pre-#16 rule so that the benchmark tasks' data stay unchanged
    t07 = Truncation(temperature=0.7, synthetic_samples=3000, sample_rule="occurrence")
    q_t = synthetic_distribution(beta, t07, n_items)
    add("syn_temp0.7_n1000", q_t, 1000, True)
    q8 = synthetic_distribution(beta, Truncation(top_p=0.8), n_items)
    add("syn_top_p0.8_n3000", q8, 3000, True)
    # a mixture shard: half real, half top-p 0.7 synthetic
    q7 = synthetic_distribution(beta, Truncation(top_p=0.7), n_items)
    xr, yr, ir = draw(p, 1000)
    xs, ys, is_ = draw(q7, 1000)
    b.add("mix_real1000_syn1000", np.vstack([xr, xs]), np.concatenate([yr, ys]),
          np.r_[np.zeros(1000, bool), np.ones(1000, bool)], np.concatenate([ir, is_]))  # fmt: skip
    kv["mix_real1000_syn1000"] = known(0.5 * p + 0.5 * q7, 2000)
    xt, yt, it = draw(p, n_test)
    return b.build(xt, yt, it, "longtail", meta={"known_value": kv, "beta": beta})


# -------------------------------------------------------------------------------------- text
_POS = [
    "good",
    "great",
    "fine",
    "nice",
    "superb",
    "lovely",
    "brilliant",
    "charming",
    "fresh",
    "solid",
    "moving",
    "witty",
    "vivid",
    "stellar",
    "gripping",
    "tender",
    "crisp",
    "bold",
]
_NEG = [
    "bad",
    "poor",
    "dull",
    "awful",
    "weak",
    "bland",
    "clumsy",
    "tedious",
    "stale",
    "messy",
    "flat",
    "shallow",
    "sloppy",
    "grim",
    "hollow",
    "lazy",
    "murky",
    "tired",
]
_SUFFIX = ["", "ish", "esque", "ly", "ful", "ive", "ous", "ic", "al", "y"]
_TEMPLATES = [
    "the movie was {a}",
    "i thought the film was really {a}",
    "honestly a {a} story",
    "the acting felt {a} to me",
    "what a {a} experience overall",
    "{a} plot and {a} ending",
    "my friends found it {a}",
    "the soundtrack was {a} but long",
    "a {a} sequel to the original",
    "critics called it {a}",
]
_SYN_TEMPLATES = ["this movie is {a}", "overall the movie is {a}", "the film is {a} and {a}"]


def _vocab(n_adj: int, rng) -> tuple[list[str], np.ndarray]:
    words, pol = [], []
    for s in _SUFFIX:
        for w, lab in [(w, 1) for w in _POS] + [(w, 0) for w in _NEG]:
            words.append(w + s)
            pol.append(lab)
    order = rng.permutation(len(words))[:n_adj]
    return [words[i] for i in order], np.array(pol)[order]


def _hash_bow(texts: list[str], dim: int = 256) -> np.ndarray:
    out = np.zeros((len(texts), dim))
    for r, t in enumerate(texts):
        toks = t.split()
        for tok in toks:
            out[r, zlib.crc32(tok.encode()) % dim] += 1.0
        out[r] /= np.sqrt(len(toks))
    return out


def text_task(
    seed: int = 0, n_adj: int = 300, beta: float = 1.2, n_test: int = 800
) -> ValuationData:
    rng = np.random.default_rng(seed)
    adj, pol = _vocab(n_adj, rng)
    p = zipf_pmf(beta, n_adj)

    def draw(q, n, templates=_TEMPLATES, flip=0.0):
        items = rng.choice(n_adj, size=n, p=q)
        tpl = rng.integers(0, len(templates), n)
        texts = [templates[t].format(a=adj[i]) for t, i in zip(tpl, items, strict=True)]
        return _hash_bow(texts), _flip(pol[items], flip, 2, rng), items

    b = _Builder()
    for n in (100, 300, 800, 1500):
        x, y, it = draw(p, n)
        b.add(f"real_n{n}", x, y, False, it)
    for tp in (0.5, 0.8, 0.95):
        q = synthetic_distribution(beta, Truncation(top_p=tp), n_adj)
        x, y, it = draw(q, 600, _SYN_TEMPLATES)
        b.add(f"syn_top_p{tp:g}_n600", x, y, True, it)
    t06 = Truncation(temperature=0.6, synthetic_samples=2000, sample_rule="occurrence")  # pre-#16
    q = synthetic_distribution(beta, t06, n_adj)
    x, y, it = draw(q, 600, _SYN_TEMPLATES)
    b.add("syn_temp0.6_n600", x, y, True, it)
    q = synthetic_distribution(beta, Truncation(top_p=0.7), n_adj)
    x, y, it = draw(q, 2000, _SYN_TEMPLATES)
    b.add("syn_top_p0.7_n2000", x, y, True, it)
    q = synthetic_distribution(beta, Truncation(top_p=0.95), n_adj)
    x, y, it = draw(q, 600, _SYN_TEMPLATES, flip=0.4)
    b.add("syn_flip40_n600", x, y, True, it)
    xr, yr, ir = draw(p, 400)
    xs, ys, is_ = draw(synthetic_distribution(beta, Truncation(top_p=0.8), n_adj), 400,
                       _SYN_TEMPLATES)  # fmt: skip
    b.add("mix_real400_syn400", np.vstack([xr, xs]), np.concatenate([yr, ys]),
          np.r_[np.zeros(400, bool), np.ones(400, bool)], np.concatenate([ir, is_]))  # fmt: skip
    xt, yt, it = draw(p, n_test)
    return b.build(xt, yt, it, "text", meta={"beta": beta})
