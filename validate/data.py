"""Training data for the validation runs: SynBio biographies mixed with a synthetic web of facts.

Everything is generated locally from seeds (:mod:`mixphase.validate.seeds`); nothing is
downloaded. Byte-level text (``--web-data``) lives in :mod:`mixphase.validate.text_data`.

**SynBio** (after the bioS set of Allen-Zhu & Li, *Physics of LMs 3.1*, and Gu et al. 2025 §5).
``n_people`` individuals with unique names (3-token codes) and attributes drawn uniformly from
pools of known cardinality (``BioSpec.attributes``), so the bits per biography
``H = sum_a log2 |pool_a|`` are computed (:func:`mixphase.theory.synbio.bits_per_biography`), not
assumed. ``employer_city`` (as in bioS) is a function of the employer and adds no bits. Each
attribute has ``n_templates`` sentence templates (relation tokens); every time a biography is
drawn, its sentence order is shuffled and each sentence's template redrawn. People are drawn in
epochs (a fresh random permutation each pass), so every biography is seen equally often, or, with
frequency groups, i.i.d. from the group weights. People are *prefix-stable*: a run with ``n``
people trains on the first ``n`` people of the full set (same names and attribute values), and
the web does not depend on the people (nor they on the web).

**Web** (:class:`WebSpec`): ``n_facts`` random facts ``key = value`` (3-token key, 2-token value,
14 bits each), keys drawn with Zipf frequencies ``p_i ~ (i+1)^-zipf``; a document holds
``facts_per_doc`` facts. A model of capacity M stores roughly the M/14 most frequent facts. A web
of ``m`` facts is the ``m`` most frequent facts of any larger web (same keys and values).
``web_mode="incompressible"`` (a control): the value of a fact is redrawn uniformly at every
occurrence, so nothing in the web can be stored while its token statistics (Zipf keys, uniform
value tokens) stay the same.

**Symbolic vocabulary**: ``PAD=0, BOS=1, '='=2, '.'=3``, then one relation token per (attribute,
template), then ``n_content`` content tokens. Names and web keys are distinct 3-token codes from
disjoint halves of the code space (a fixed hash of the code decides the half); attribute values
are distinct codes within each pool.

**Mixing at token ratio r (exact definition).** A biography document and a web document have the
same length (the shorter is padded with PAD, whose targets are ignored; the presets need none). A
batch holds ``n = batch * docs_per_seq`` documents; the number of biographies is ``floor(r n)``
plus one with probability ``frac(r n)`` (so its expectation is exactly ``r n``), placed in random
slots. The expected share of training tokens from biographies is exactly ``r``.

**The training stream** of one run (:class:`Stream`) draws, per step, one fixed-size block of
uniforms from its ``order`` stream (layout in :meth:`SymbolicCorpus.n_uniforms`), so a run's
batches depend only on its own configuration and seeds, never on the runs it is trained with in
an ensemble; batches of several runs are assembled together
(:class:`mixphase.validate.batches.Batcher`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass

import numpy as np

from mixphase.errors import MixphaseInputError
from mixphase.theory.synbio import bits_per_biography
from mixphase.validate import seeds as S

WEB_MODES = ("fixed", "incompressible")

PAD, BOS, EQ, DOT = 0, 1, 2, 3
N_SPECIAL = 4

#: bioS-style attributes with small pools (the CPU design of docs/validation notes).
SMALL_ATTRIBUTES: tuple[tuple[str, int], ...] = (
    ("birth_date", 100),
    ("birth_city", 100),
    ("university", 100),
    ("major", 100),
    ("employer", 100),
)
#: The paper's pools (Gu et al. 2025 §5): 45.6 bits per biography.
BIOS_ATTRIBUTES: tuple[tuple[str, int], ...] = (
    ("birth_date", 28 * 12 * 100),
    ("birth_city", 200),
    ("university", 300),
    ("major", 100),
    ("employer", 263),
)


@dataclass(frozen=True)
class BioSpec:
    """SynBio: people, attribute pools (name, cardinality), templates."""

    n_people: int = 20
    attributes: tuple[tuple[str, int], ...] = SMALL_ATTRIBUTES
    employer_city: bool = False  # add bioS's employer city (a function of the employer)
    n_cities: int = 200  # pool that employer cities come from
    n_templates: int = 3
    #: 0: every person equally often (epochs). G > 0: people split into G contiguous groups, group
    #: g drawn with probability ``(g+1)^-group_exponent / sum`` (Gu et al. 2025 §5.2: 100 groups,
    #: exponent 1.5), a person uniformly within its group (i.i.d. draws, no epochs).
    n_groups: int = 0
    group_exponent: float = 1.5

    def __post_init__(self) -> None:
        if self.n_people < 1 or self.n_templates < 1:
            raise MixphaseInputError("n_people and n_templates must be at least 1")
        if not 0 <= self.n_groups <= self.n_people or self.group_exponent < 0:
            raise MixphaseInputError(
                f"n_groups must lie in 0..n_people ({self.n_people}) and group_exponent >= 0"
            )
        if any(c < 2 for _, c in self.attributes):
            raise MixphaseInputError("every attribute pool needs at least 2 values")
        if self.employer_city and "employer" not in dict(self.attributes):
            raise MixphaseInputError("employer_city needs an 'employer' attribute")

    @property
    def cardinalities(self) -> dict[str, int]:
        return dict(self.attributes)

    @property
    def attribute_names(self) -> list[str]:
        return [a for a, _ in self.attributes] + (["employer_city"] if self.employer_city else [])

    @property
    def bits_per_bio(self) -> float:
        """H: bits of one biography (independent attributes; the employer's city adds none)."""
        return bits_per_biography(self.cardinalities)

    @property
    def total_bits(self) -> float:
        return self.n_people * self.bits_per_bio

    def person_weights(self) -> np.ndarray:
        """Probability that a drawn biography is person ``i`` (uniform without groups)."""
        k = self.n_people
        if not self.n_groups:
            return np.full(k, 1.0 / k)
        group = self.person_groups()
        gw = np.arange(1, self.n_groups + 1, dtype=np.float64) ** (-self.group_exponent)
        gw /= gw.sum()
        size = np.bincount(group, minlength=self.n_groups)
        return gw[group] / size[group]

    def person_groups(self) -> np.ndarray:
        """Group index of each person (contiguous, sizes differ by at most one)."""
        return (np.arange(self.n_people) * max(self.n_groups, 1)) // self.n_people

    def to_dict(self) -> dict:
        d = asdict(self)
        d["attributes"] = dict(self.attributes)
        d["bits_per_bio"] = self.bits_per_bio
        return d


@dataclass(frozen=True)
class WebSpec:
    """Synthetic web: Zipf-distributed random facts ``key = value``."""

    n_facts: int = 20_000
    zipf: float = 1.0
    key_len: int = 3
    value_len: int = 2
    facts_per_doc: int = 5

    def __post_init__(self) -> None:
        if self.n_facts < 1 or self.facts_per_doc < 1 or self.zipf < 0:
            raise MixphaseInputError("web: n_facts, facts_per_doc >= 1 and zipf >= 0 needed")

    def to_dict(self) -> dict:
        return asdict(self)


def _pool_codes(gen: np.random.Generator, n: int, length: int, base: int) -> np.ndarray:
    """``n`` distinct codes of ``length`` digits in ``base`` -> ``(n, length)`` (a pool)."""
    space = base**length
    if n > space:
        raise MixphaseInputError(f"cannot draw {n} distinct codes from {space}")
    if space <= 5_000_000:
        ints = gen.choice(space, size=n, replace=False)
    else:
        ints = S.prefix_distinct(gen, n, space)
    return S.digits(np.asarray(ints, dtype=np.int64), length, base)


@dataclass(frozen=True)
class Layout:
    """Where each part of a step's uniforms lies (``n`` documents, ``A`` attributes...)."""

    n: int
    mix: int  # 1: the extra biography's coin
    slots: slice  # n: slot keys (argsort -> the slot of each document)
    tmpl: slice  # n x A: template of each sentence
    order: slice  # n x A: sentence order (argsort)
    facts: slice  # n x F: which fact (Zipf, inverse CDF)
    person: slice  # n: which person (frequency groups only)
    values: slice  # n x F x value_len: the incompressible web's values
    size: int


class SymbolicCorpus:
    """SynBio + Zipf facts on a small symbolic vocabulary (the data of one ``data_seed``)."""

    def __init__(self, bio: BioSpec, web: WebSpec, *, n_content: int = 128, docs_per_seq: int = 2,
                 data_seed: int = 0, web_mode: str = "fixed") -> None:  # fmt: skip
        if web_mode not in WEB_MODES:
            raise MixphaseInputError(f"web_mode must be one of {WEB_MODES}, got {web_mode!r}")
        if data_seed < 0:
            raise MixphaseInputError(f"data_seed must be >= 0, got {data_seed}")
        self.bio, self.web, self.n_content = bio, web, n_content
        self.docs_per_seq, self.data_seed, self.web_mode = docs_per_seq, data_seed, web_mode
        n_attr = len(bio.attribute_names)
        self.vlen = max(2, math.ceil(math.log(max(c for _, c in bio.attributes), n_content) - 1e-9))
        self.rel_base = N_SPECIAL
        self.content_base = cb = N_SPECIAL + n_attr * bio.n_templates
        self.vocab_size = cb + n_content
        space = n_content**3
        try:
            names = S.prefix_distinct(S.rng("names", data_seed), bio.n_people, space, half=1)
            kspace = n_content**web.key_len
            keys = S.prefix_distinct(S.rng("keys", data_seed), web.n_facts, kspace,
                                     half=0 if web.key_len == 3 else None)  # fmt: skip
        except ValueError as exc:
            raise MixphaseInputError(
                f"too many people or web facts for the code space: {exc}"
            ) from None
        # Biographies: names (K, 3) and value tokens (K, A, vlen).
        self.names = S.digits(names, 3, n_content) + cb
        values, ids = [], []
        for a, c in bio.attributes:
            pool = _pool_codes(S.rng(f"pool/{a}", data_seed), c, self.vlen, n_content) + cb
            ids.append(S.rng(f"values/{a}", data_seed).integers(0, c, size=bio.n_people))
            values.append(pool[ids[-1]])
        self.value_ids = np.stack(ids, axis=1)
        if bio.employer_city:
            a_emp = [a for a, _ in bio.attributes].index("employer")
            city_pool = _pool_codes(S.rng("pool/employer_city", data_seed), bio.n_cities,
                                    self.vlen, n_content) + cb  # fmt: skip
            n_emp = dict(bio.attributes)["employer"]
            city_of = S.rng("employer_city", data_seed).integers(0, bio.n_cities, size=n_emp)
            values.append(city_pool[city_of[self.value_ids[:, a_emp]]])
        self.values = np.stack(values, axis=1)  # (K, A, vlen)
        # Web: keys (n, key_len) and values (n, value_len), most frequent first.
        self.keys = S.digits(keys, web.key_len, n_content) + cb
        self.web_values = (
            S.rng("web_values", data_seed).integers(0, n_content, size=(web.n_facts, web.value_len))
            + cb
        )
        p = np.arange(1, web.n_facts + 1, dtype=np.float64) ** (-web.zipf)
        self.web_p = p / p.sum()
        self.web_cdf = np.cumsum(self.web_p)
        self.web_cdf[-1] = 1.0
        self.person_cdf = None
        if bio.n_groups:
            self.person_cdf = np.cumsum(bio.person_weights())
            self.person_cdf[-1] = 1.0
        # Layout of a document.
        self.sent_len = 3 + 1 + self.vlen + 1
        self.bio_len = 1 + n_attr * self.sent_len
        self.fact_len = web.key_len + 1 + web.value_len + 1
        self.web_len = 1 + web.facts_per_doc * self.fact_len
        self.doc_len = max(self.bio_len, self.web_len)
        self.seq_len = docs_per_seq * self.doc_len

    @property
    def n_attributes(self) -> int:
        return len(self.bio.attribute_names)

    def layout(self, n: int) -> Layout:
        """The uniforms one step of ``n`` documents draws (a fixed layout for every ratio and
        mode, so a stream never depends on which parts a step uses)."""
        a, f, v = self.n_attributes, self.web.facts_per_doc, self.web.value_len
        sizes = [("slots", n), ("tmpl", n * a), ("order", n * a), ("facts", n * f),
                 ("person", n), ("values", n * f * v)]  # fmt: skip
        pos, out = 1, {}
        for name, size in sizes:
            out[name] = slice(pos, pos + size)
            pos += size
        return Layout(n=n, mix=0, size=pos, **out)

    def stream(self, ratio: float, seed: int, data_seed: int | None = None) -> Stream:
        """The training stream of a run with this ratio and seed."""
        return Stream(self, ratio, seed, self.data_seed if data_seed is None else data_seed)

    def layout_key(self) -> tuple:
        """Corpora with equal layout keys can be batched together."""
        return (self.n_attributes, self.bio.n_templates, self.web.facts_per_doc,
                self.web.key_len, self.web.value_len, self.vlen, self.doc_len,
                self.docs_per_seq, self.vocab_size)  # fmt: skip

    def describe(self) -> dict:
        return {"kind": "synthetic", "bio": self.bio.to_dict(), "web": self.web.to_dict(),
                "web_mode": self.web_mode, "vocab_size": self.vocab_size,
                "n_content": self.n_content, "doc_len": self.doc_len,
                "docs_per_seq": self.docs_per_seq, "seq_len": self.seq_len}  # fmt: skip


class Stream:
    """One run's training stream: per step a block of uniforms from its ``order`` stream, and the
    people in epochs from its ``people_order`` stream. ``state_dict`` captures it exactly."""

    def __init__(self, corpus: SymbolicCorpus, ratio: float, seed: int, data_seed: int) -> None:
        self.corpus, self.ratio = corpus, float(ratio)
        self.rng = S.rng("order", seed, data_seed)
        self.people_rng = S.rng("people_order", seed, data_seed)
        self.queue = np.empty(0, dtype=np.int64)
        self.bio_docs = 0  # biographies drawn so far
        self.docs = 0  # documents drawn so far

    def draw(self, n: int) -> tuple[np.ndarray, int, np.ndarray]:
        """One step: its uniforms, the number of biographies and the people shown."""
        c = self.corpus
        lay = c.layout(n)
        u = self.rng.random(lay.size)
        exact = self.ratio * n
        k = int(exact) + int(u[lay.mix] < exact - int(exact))
        if c.person_cdf is not None:  # frequency groups: i.i.d. draws
            people = np.searchsorted(c.person_cdf, u[lay.person][:k]).clip(max=c.bio.n_people - 1)
        else:
            while len(self.queue) < k:
                self.queue = np.concatenate(
                    [self.queue, self.people_rng.permutation(c.bio.n_people)]
                )
            people, self.queue = self.queue[:k], self.queue[k:]
        self.bio_docs += k
        self.docs += n
        return u, k, people

    @property
    def web_docs(self) -> int:
        return self.docs - self.bio_docs

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "people_rng": self.people_rng.bit_generator.state,
                "queue": self.queue.tolist(), "bio_docs": self.bio_docs, "docs": self.docs}  # fmt: skip

    def load_state_dict(self, sd: dict) -> None:
        self.rng.bit_generator.state = sd["rng"]
        self.people_rng.bit_generator.state = sd["people_rng"]
        self.queue = np.asarray(sd["queue"], dtype=np.int64)
        self.bio_docs, self.docs = int(sd["bio_docs"]), int(sd["docs"])

    def fork(self) -> Stream:
        """An independent copy in the same state (a branch continues the same stream)."""
        new = copy.copy(self)
        new.rng = copy.deepcopy(self.rng)
        new.people_rng = copy.deepcopy(self.people_rng)
        new.queue = self.queue.copy()
        return new


__all__ = ["BIOS_ATTRIBUTES", "SMALL_ATTRIBUTES", "WEB_MODES", "BioSpec", "Stream",
           "SymbolicCorpus", "WebSpec"]  # fmt: skip
