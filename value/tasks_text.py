"""``text``: templated sentiment reviews, hashed bag of words (built locally; items = adjectives).

300 adjectives with a polarity and Zipf(1.2) popularity, 10 real review templates. Synthetic
"LLM" generators sample adjectives with top-p / temperature truncation, or from a law fitted on
40 real reviews, and use only 3 templates; noisy contributors have flipped labels. Features: a
hashed bag of words (256 buckets, crc32), so an adjective never seen in training carries no
polarity. 16 contributors, a natural test set of 1,500 reviews.
"""

from __future__ import annotations

import zlib

import numpy as np

from mixphase.theory import Truncation, synthetic_distribution, zipf_pmf
from mixphase.value.data import ValuationData
from mixphase.value.tasks import Builder, band_law, fitted_law, flip_labels

_POS = ("good great fine nice superb lovely brilliant charming fresh solid moving witty vivid "
        "stellar gripping tender crisp bold").split()  # fmt: skip
_NEG = ("bad poor dull awful weak bland clumsy tedious stale messy flat shallow sloppy grim "
        "hollow lazy murky tired").split()  # fmt: skip
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


def hash_bow(texts: list[str], dim: int = 256) -> np.ndarray:
    """Hashed bag of words (crc32 buckets), each row scaled by ``1/sqrt(#tokens)``."""
    out = np.zeros((len(texts), dim))
    for r, t in enumerate(texts):
        toks = t.split()
        for tok in toks:
            out[r, zlib.crc32(tok.encode()) % dim] += 1.0
        out[r] /= np.sqrt(len(toks))
    return out


def text_task(seed: int = 0, n_adj: int = 300, beta: float = 1.2,
              n_test: int = 1500) -> ValuationData:  # fmt: skip
    rng = np.random.default_rng(seed)
    adj, pol = _vocab(n_adj, rng)
    p = zipf_pmf(beta, n_adj)

    def draw(q, n, templates=_TEMPLATES, flip=0.0):
        items = rng.choice(n_adj, size=n, p=q)
        tpl = rng.integers(0, len(templates), n)
        texts = [templates[t].format(a=adj[i]) for t, i in zip(tpl, items, strict=True)]
        return hash_bow(texts), flip_labels(pol[items], flip, 2, rng), items

    def law(**kw):
        return synthetic_distribution(beta, Truncation(**kw), n_adj)

    b = Builder()

    def add(name, q, n, synthetic, kind, flip=0.0):
        x, y, it = draw(q, n, _SYN_TEMPLATES if synthetic else _TEMPLATES, flip)
        b.add(name, x, y, synthetic, it, kind, flip)

    for n in (100, 300, 1000):
        add(f"real_n{n}", p, n, False, "real")
    add("real_band50_n300", band_law(p, 50), 300, False, "specialist")
    for tp in (0.5, 0.8, 0.95):
        add(f"syn_top_p{tp:g}_n600", law(top_p=tp), 600, True, "top_p")
    add("syn_temp0.6_n600", law(temperature=0.6, synthetic_samples=2000), 600, True, "temperature")
    add("syn_top_p0.7_n1200", law(top_p=0.7), 1200, True, "top_p")
    add("syn_fitted40_n600", fitted_law(p, 40, rng), 600, True, "fitted_generator")
    add("syn_flip40_n600", law(top_p=0.95), 600, True, "noisy", flip=0.4)
    add("real_flip20_n300", p, 300, False, "noisy", flip=0.2)
    x, y, it = draw(p, 30)
    b.add("dup10x_n30", np.tile(x, (10, 1)), np.tile(y, 10), False, np.tile(it, 10), "duplicates")
    b.copy("copy_of_real_n1000", "real_n1000")
    xr, yr, ir = draw(p, 300)
    xs, ys, is_ = draw(law(top_p=0.8), 300, _SYN_TEMPLATES)
    b.add("mix_real300_syn300", np.vstack([xr, xs]), np.concatenate([yr, ys]),
          np.r_[np.zeros(300, bool), np.ones(300, bool)], np.concatenate([ir, is_]),
          "mixture")  # fmt: skip
    xt, yt, it = draw(p, n_test)
    return b.build(xt, yt, it, "text", meta={"beta": beta})
