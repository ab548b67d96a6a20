"""Built-in valuation tasks (offline, generated locally): registry and shared helpers.

Six tasks, 13-16 contributors each, every one mixing truncation mechanisms (top-k / cutoff,
top-p, temperature, a generator fitted on a small sample), label noise, duplicated rows, an
exact copy of another contributor, "specialists" that alone cover part of the tail, and a wide
spread of sizes. Families (one module each):

- :mod:`.tasks_knowledge`: ``longtail`` (1,000 knowledge items, Zipf 1.3) and ``smallshards``
  (300 items, Zipf 1.6, contributors of 20-200 rows and cutoffs as low as 3: the regime where
  the truncation term's sign mattered, issue 16). An ``item`` column is given.
- :mod:`.tasks_classes`: ``classes`` (30 Gaussian classes with Zipf(1.2) popularity, natural
  test set) and ``classes_balanced`` (the same pool, a class-balanced test set); no item column,
  so labels stand in for items -- the shape of a user's plain classification data. ``digits``
  (scikit-learn's bundled 8x8 digits, a class-conditional Gaussian generator fitted on 150
  images).
- :mod:`.tasks_text`: ``text`` (templated sentiment, hashed bag of words; items = adjectives).

Every task records in ``meta``: ``noisy`` (contributors with planted label noise >= 15%, for
the noisy-label detection protocol), ``kind`` per contributor, and for the knowledge tasks the
memoriser's exact expected accuracy ``known_value``. Seeds: any integer; the benchmark
evaluates on :data:`EVAL_SEEDS` and develops (fits any global constant) on :data:`DEV_SEEDS`.
"""

from __future__ import annotations

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.value.data import ValuationData

TASKS = ("longtail", "smallshards", "classes", "classes_balanced", "digits", "text")
EVAL_SEEDS = (0, 1, 2)
DEV_SEEDS = (100, 101)
NOISY_AT = 0.15  # planted flip rate from which a contributor counts as noisy (detection)


def load_task(name: str, seed: int = 0) -> ValuationData:
    """Build the named task with ``seed`` (bit-reproducible)."""
    from mixphase.value import tasks_classes, tasks_knowledge, tasks_text

    builders = {
        "longtail": tasks_knowledge.longtail_task,
        "smallshards": tasks_knowledge.smallshards_task,
        "classes": tasks_classes.classes_task,
        "classes_balanced": tasks_classes.classes_balanced_task,
        "digits": tasks_classes.digits_task,
        "text": tasks_text.text_task,
    }
    if name not in builders:
        raise MixphaseInputError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    return builders[name](seed)


class Builder:
    """Collects contributors (rows, flags, items) and their metadata, then builds the task."""

    def __init__(self) -> None:
        self.x, self.y, self.c, self.s, self.i = [], [], [], [], []
        self.kind: dict[str, str] = {}
        self.noise: dict[str, float] = {}
        self.known: dict[str, float] = {}
        self._rows: dict[str, tuple] = {}

    def add(self, name: str, x, y, synthetic, items, kind: str, flip: float = 0.0) -> None:
        if name in self.kind:
            raise ValueError(f"duplicate contributor name {name!r}")
        n = len(y)
        syn = np.broadcast_to(np.asarray(synthetic, dtype=bool), (n,)).copy()
        row = (np.asarray(x, float), np.asarray(y), syn, np.asarray(items))
        self._rows[name] = row
        self.x.append(row[0])
        self.y.append(row[1])
        self.c.append(np.full(n, name))
        self.s.append(row[2])
        self.i.append(row[3])
        self.kind[name] = kind
        self.noise[name] = float(flip)

    def copy(self, name: str, of: str) -> None:
        """An exact copy of contributor ``of`` (stand-alone value equal, marginal value ~0)."""
        x, y, s, it = self._rows[of]
        self.add(name, x, y, s, it, "copy", self.noise[of])
        if of in self.known:
            self.known[name] = self.known[of]

    def build(self, x_test, y_test, item_test, name: str, with_items: bool = True,
              meta: dict | None = None) -> ValuationData:  # fmt: skip
        meta = dict(meta or {})
        meta["kind"] = dict(self.kind)
        meta["label_noise"] = dict(self.noise)
        meta["noisy"] = sorted(c for c, r in self.noise.items() if r >= NOISY_AT)
        if self.known:
            meta["known_value"] = dict(self.known)
        items = np.concatenate(self.i) if with_items else None
        return ValuationData(np.vstack(self.x), np.concatenate(self.y), np.concatenate(self.c),
                             np.concatenate(self.s), x_test, y_test, items,
                             item_test if with_items else None, name=name, meta=meta)  # fmt: skip


def flip_labels(y: np.ndarray, rate: float, n_classes: int, rng) -> np.ndarray:
    """Replace a fraction ``rate`` of labels by a uniformly drawn *different* class."""
    y = np.asarray(y).copy()
    m = rng.random(len(y)) < rate
    y[m] = (y[m] + rng.integers(1, n_classes, m.sum())) % n_classes
    return y


def head_law(prior: np.ndarray, top_p: float | None = None, top_k: int | None = None,
             temperature: float = 1.0) -> np.ndarray:  # fmt: skip
    """A generator's sampling law over classes/items: ``prior^(1/T)``, then top-k or top-p."""
    w = np.asarray(prior, float) ** (1.0 / temperature)
    w = w / w.sum()
    order = np.argsort(-w, kind="stable")
    k = len(w)
    if top_k is not None:
        k = min(int(top_k), len(w))
    if top_p is not None:
        k = int(np.searchsorted(np.cumsum(w[order]), top_p * (1 - 1e-12)) + 1)
    keep = np.zeros_like(w)
    keep[order[:k]] = w[order[:k]]
    return keep / keep.sum()


def fitted_law(p: np.ndarray, n_fit: int, rng) -> np.ndarray:
    """A generator fitted on a small sample: the empirical law of ``n_fit`` draws from ``p``."""
    counts = np.bincount(rng.choice(len(p), size=n_fit, p=p), minlength=len(p)).astype(float)
    return counts / counts.sum()


def band_law(p: np.ndarray, lo: int, hi: int | None = None) -> np.ndarray:
    """``p`` restricted to ranks ``lo+1..hi`` (0-based slice ``lo:hi``), renormalised."""
    q = np.zeros_like(p)
    q[lo:hi] = p[lo:hi]
    return q / q.sum()


def memoriser_accuracy(p: np.ndarray, q: np.ndarray, n: int, flip: float, n_classes: int) -> float:
    """Exact expected accuracy of a memorising learner on ``n`` draws from ``q`` (test law
    ``p``): a seen item answers its label (wrong with probability ``flip``), an unseen one is a
    uniform guess: ``sum_i p_i [(1-(1-q_i)^n)(1-flip) + (1-q_i)^n / C]``."""
    seen = -np.expm1(n * np.log1p(-np.minimum(q, 1 - 1e-15)))
    return float(p @ (seen * (1 - flip) + (1 - seen) / n_classes))
