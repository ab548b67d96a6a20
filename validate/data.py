"""Training data for the validation runs: SynBio biographies mixed with web-like text.

Everything is generated locally from a seed; nothing is downloaded.

**SynBio** (after the bioS set of Allen-Zhu & Li, *Physics of LMs 3.1*, and Gu et al. 2025 §5).
``n_people`` individuals with unique full names (first, middle, last) and attributes drawn uniformly
from pools of known cardinality (``BioSpec.attributes``), so the bits per biography
``H = sum_a log2 |pool_a|`` are computed (:func:`mixphase.theory.synbio.bits_per_biography`), not
assumed. ``employer_city`` (as in bioS) is a function of the employer and adds no bits. Each
attribute has ``n_templates`` sentence templates; every time a biography is drawn, its sentence
order is shuffled and each sentence's template redrawn. People are drawn in epochs (a fresh random
permutation each pass), so every biography is seen equally often. Evaluation prompts hold the name
and the attribute's relation (template 0); the answer is the attribute's value, scored by exact
match of greedy decoding (computed in one teacher-forced pass: greedy decoding reproduces the
answer iff each answer token is the arg-max given the correct prefix).

**Web** (default, :class:`SymbolicCorpus`): ``n_facts`` random facts ``key = value`` (3-token key,
2-token value, 14 bits each), keys drawn with Zipf frequencies ``p_i ~ (i+1)^-zipf``; a document
holds ``facts_per_doc`` facts. A model of capacity M stores roughly the M/14 most frequent facts,
so the web loss falls as the Zipf tail mass left unstored: a power law in capacity whose exponent
alpha is measured from web-only runs. With ``--web-data PATH`` (:class:`TextCorpus`) the web is
the user's text and everything, biographies included, is byte-level tokenised (258 tokens:
256 bytes, BOS, PAD).

**Symbolic vocabulary** (synthetic mode): ``PAD=0, BOS=1, '='=2, '.'=3``, then one relation token
per (attribute, template), then ``n_content`` content tokens (names, keys, values are short codes
of content tokens). Names and web keys are distinct 3-token codes; attribute values are distinct
codes within each pool.

**Mixing at token ratio r (exact definition).** Synthetic mode: a biography document and a web
document have the same length (the shorter is padded with PAD, whose targets are ignored; the
presets need no padding). A batch holds ``n = batch * docs_per_seq`` documents; the number of
biographies is ``floor(r n)`` plus one with probability ``frac(r n)`` (so its expectation is exactly
``r n``), placed in random slots. The expected share of training tokens from biographies is exactly
``r``. Text mode: biography documents are added to a batch until their tokens reach ``r`` times the
batch's tokens (the last one kept with the probability that makes the expectation exact up to
truncation), web chunks fill the rest, the documents are shuffled and packed; the realised share
is logged.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from mixphase.errors import MixphaseInputError
from mixphase.theory.synbio import bits_per_biography

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


def _distinct_codes(rng: np.random.Generator, n: int, length: int, base: int) -> np.ndarray:
    """``n`` distinct codes of ``length`` digits in ``base`` -> array ``(n, length)``."""
    space = base**length
    if n > space:
        raise MixphaseInputError(f"cannot draw {n} distinct codes from {space}")
    if space <= 4 * n or space <= 5_000_000:
        ints = rng.choice(space, size=n, replace=False)
    else:  # rejection sampling avoids materialising a huge permutation
        seen: set[int] = set()
        out = []
        while len(out) < n:
            for v in rng.integers(0, space, size=2 * (n - len(out))).tolist():
                if v not in seen:
                    seen.add(v)
                    out.append(v)
                    if len(out) == n:
                        break
        ints = np.asarray(out, dtype=np.int64)
    digits = [(ints // base**j) % base for j in range(length)]
    return np.stack(digits, axis=1).astype(np.int64)


# --------------------------------------------------------------------------------------------
# Evaluation helpers (shared by both corpora)


@torch.no_grad()
def _score_answers(
    model, seqs: torch.Tensor, start: torch.Tensor, length: torch.Tensor, chunk=4096
):
    """Per sequence: exact match of the answer tokens at ``[start, start+length)`` and their summed
    cross-entropy (nats), in one teacher-forced pass (sequences right-padded with PAD)."""
    correct, nll = [], []
    for i in range(0, len(seqs), chunk):
        s, st, ln = seqs[i : i + chunk], start[i : i + chunk], length[i : i + chunk]
        logits = model(s[:, :-1]).float()
        tgt = s[:, 1:]
        pos = torch.arange(tgt.shape[1], device=s.device)[None, :]
        mask = (pos >= st[:, None] - 1) & (pos < (st + ln)[:, None] - 1)
        ce = F.cross_entropy(logits.transpose(1, 2), tgt, reduction="none")
        hit = (logits.argmax(-1) == tgt) | ~mask
        correct.append(hit.all(dim=1))
        nll.append((ce * mask).sum(dim=1))
    return torch.cat(correct), torch.cat(nll)


# --------------------------------------------------------------------------------------------
# Synthetic (symbolic) corpus


class SymbolicCorpus:
    """SynBio + Zipf facts on a small symbolic vocabulary; batches are built on ``device``."""

    def __init__(self, bio: BioSpec, web: WebSpec, *, n_content: int = 128, docs_per_seq: int = 2,
                 data_seed: int = 0, device: str | torch.device = "cpu") -> None:  # fmt: skip
        self.bio, self.web, self.n_content = bio, web, n_content
        self.docs_per_seq, self.device = docs_per_seq, torch.device(device)
        rng = np.random.default_rng(data_seed)
        names_keys = _distinct_codes(rng, bio.n_people + web.n_facts, 3, n_content)
        rng.shuffle(names_keys)
        n_attr = len(bio.attribute_names)
        self.vlen = max(2, math.ceil(math.log(max(c for _, c in bio.attributes), n_content) - 1e-9))
        self.rel_base = N_SPECIAL
        self.content_base = N_SPECIAL + n_attr * bio.n_templates
        self.vocab_size = self.content_base + n_content
        cb = self.content_base
        # Biographies: names (K, 3) and value tokens (K, A, vlen).
        self.names = names_keys[: bio.n_people] + cb
        pools = [_distinct_codes(rng, c, self.vlen, n_content) + cb for _, c in bio.attributes]
        self.value_ids = np.stack(
            [rng.integers(0, c, size=bio.n_people) for _, c in bio.attributes], axis=1
        )
        values = [pools[a][self.value_ids[:, a]] for a in range(len(bio.attributes))]
        if bio.employer_city:
            a_emp = [a for a, _ in bio.attributes].index("employer")
            city_pool = _distinct_codes(rng, bio.n_cities, self.vlen, n_content) + cb
            city_of_employer = rng.integers(0, bio.n_cities, size=dict(bio.attributes)["employer"])
            values.append(city_pool[city_of_employer[self.value_ids[:, a_emp]]])
        self.values = np.stack(values, axis=1)  # (K, A, vlen)
        # Web: keys (n, key_len) and values (n, value_len).
        self.keys = names_keys[bio.n_people :, : web.key_len] + cb
        if web.key_len != 3:
            self.keys = _distinct_codes(rng, web.n_facts, web.key_len, n_content) + cb
        self.web_values = rng.integers(0, n_content, size=(web.n_facts, web.value_len)) + cb
        p = (np.arange(1, web.n_facts + 1, dtype=np.float64)) ** (-web.zipf)
        self.web_p = p / p.sum()
        # Layout.
        self.sent_len = 3 + 1 + self.vlen + 1
        self.bio_len = 1 + n_attr * self.sent_len
        self.fact_len = web.key_len + 1 + web.value_len + 1
        self.web_len = 1 + web.facts_per_doc * self.fact_len
        self.doc_len = max(self.bio_len, self.web_len)
        self.seq_len = docs_per_seq * self.doc_len
        self._to_device()

    def _to_device(self) -> None:
        d = self.device
        self.t_names = torch.as_tensor(self.names, device=d)
        self.t_values = torch.as_tensor(self.values, device=d)
        self.t_keys = torch.as_tensor(self.keys, device=d)
        self.t_web_values = torch.as_tensor(self.web_values, device=d)
        cdf = np.cumsum(self.web_p)
        cdf[-1] = 1.0
        self.t_cdf = torch.as_tensor(cdf, device=d)
        n_attr = len(self.bio.attribute_names)
        self.t_rel0 = self.rel_base + torch.arange(n_attr, device=d) * self.bio.n_templates
        self.t_person_cdf = None
        if self.bio.n_groups:
            pc = np.cumsum(self.bio.person_weights())
            pc[-1] = 1.0
            self.t_person_cdf = torch.as_tensor(pc, device=d)

    # -- sampling ----------------------------------------------------------------------------
    def start(self, seed: int) -> None:
        """Reset the sampling streams (training order) for ``seed``."""
        self.gen = torch.Generator(device=self.device).manual_seed(seed)
        self.host = random.Random(seed)
        self._order = torch.randperm(self.bio.n_people, generator=self.gen, device=self.device)
        self._ptr = 0
        self.bio_docs_seen = 0

    def _next_people(self, n: int) -> torch.Tensor:
        parts, k = [], self.bio.n_people
        if self.t_person_cdf is not None:  # power-law frequency groups: i.i.d. draws
            u = torch.rand(n, generator=self.gen, device=self.device, dtype=torch.float64)
            return torch.searchsorted(self.t_person_cdf, u).clamp_max_(k - 1)
        while n > 0:
            if self._ptr == k:
                self._order = torch.randperm(k, generator=self.gen, device=self.device)
                self._ptr = 0
            take = min(n, k - self._ptr)
            parts.append(self._order[self._ptr : self._ptr + take])
            self._ptr += take
            n -= take
        return torch.cat(parts) if len(parts) > 1 else parts[0]

    def bio_docs(self, n: int) -> torch.Tensor:
        g, d, n_attr = self.gen, self.device, len(self.bio.attribute_names)
        idx = self._next_people(n)
        tmpl = torch.randint(0, self.bio.n_templates, (n, n_attr), generator=g, device=d)
        order = torch.rand(n, n_attr, generator=g, device=d).argsort(dim=1)
        sent = torch.empty(n, n_attr, self.sent_len, dtype=torch.long, device=d)
        sent[:, :, :3] = self.t_names[idx][:, None, :]
        sent[:, :, 3] = self.t_rel0[None, :] + tmpl
        sent[:, :, 4 : 4 + self.vlen] = self.t_values[idx]
        sent[:, :, -1] = DOT
        sent = sent.gather(1, order[:, :, None].expand(-1, -1, self.sent_len))
        bos = torch.full((n, 1), BOS, dtype=torch.long, device=d)
        return torch.cat([bos, sent.view(n, -1)], dim=1)

    def web_docs(self, n: int) -> torch.Tensor:
        w, d = self.web, self.device
        u = torch.rand(n, w.facts_per_doc, generator=self.gen, device=d, dtype=torch.float64)
        k = torch.searchsorted(self.t_cdf, u).clamp_max_(w.n_facts - 1)
        fact = torch.empty(n, w.facts_per_doc, self.fact_len, dtype=torch.long, device=d)
        fact[:, :, : w.key_len] = self.t_keys[k]
        fact[:, :, w.key_len] = EQ
        fact[:, :, w.key_len + 1 : -1] = self.t_web_values[k]
        fact[:, :, -1] = DOT
        bos = torch.full((n, 1), BOS, dtype=torch.long, device=d)
        return torch.cat([bos, fact.view(n, -1)], dim=1)

    def batch(self, batch_size: int, ratio: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs and targets ``(batch_size, seq_len)``; PAD targets are -100 (ignored)."""
        n = batch_size * self.docs_per_seq
        exact = ratio * n
        n_bio = int(exact) + (self.host.random() < exact - int(exact))
        docs = torch.full((n, self.doc_len), PAD, dtype=torch.long, device=self.device)
        slots = torch.randperm(n, generator=self.gen, device=self.device)
        if n_bio:
            docs[slots[:n_bio], : self.bio_len] = self.bio_docs(n_bio)
        if n - n_bio:
            docs[slots[n_bio:], : self.web_len] = self.web_docs(n - n_bio)
        self.bio_docs_seen += n_bio
        x = docs.view(batch_size, self.seq_len)
        y = torch.full_like(x, -100)
        y[:, :-1] = x[:, 1:]
        y.masked_fill_(y == PAD, -100)
        return x, y

    # -- evaluation --------------------------------------------------------------------------
    def bio_eval_set(self, max_people: int | None = None):
        k = min(self.bio.n_people, max_people or self.bio.n_people)
        n_attr = len(self.bio.attribute_names)
        seq = np.zeros((k, n_attr, 5 + self.vlen), dtype=np.int64)
        seq[:, :, 0] = BOS
        seq[:, :, 1:4] = self.names[:k, None, :]
        seq[:, :, 4] = self.rel_base + np.arange(n_attr) * self.bio.n_templates  # template 0
        seq[:, :, 5:] = self.values[:k]
        attr = np.broadcast_to(np.arange(n_attr), (k, n_attr)).reshape(-1)
        return torch.as_tensor(seq.reshape(k * n_attr, -1), device=self.device), attr

    @torch.no_grad()
    def evaluate(self, model, max_people: int | None = 2000, max_facts: int = 50_000) -> dict:
        """Memorisation accuracy (overall and per attribute) and web value-token loss."""
        seqs, attr = self.bio_eval_set(max_people)
        n = len(seqs)
        start = torch.full((n,), 5, device=self.device)
        length = torch.full((n,), self.vlen, device=self.device)
        ok, _ = _score_answers(model, seqs, start, length)
        ok = ok.cpu().numpy()
        names = self.bio.attribute_names
        per_attr = {a: float(ok[attr == i].mean()) for i, a in enumerate(names)}
        out = {"memorization_accuracy": float(ok.mean()), "per_attribute": per_attr,
               "bio_correct": int(ok.sum()), "bio_total": int(n)}  # fmt: skip
        if self.bio.n_groups:  # per person: attributes correct, and its draw probability
            k = len(seqs) // len(names)
            out["bio_correct_by_person"] = ok.reshape(k, len(names)).sum(axis=1).tolist()
            out["person_weight"] = self.bio.person_weights()[:k].tolist()
        out.update(self._web_eval(model, max_facts))
        return out

    def _web_eval(self, model, max_facts: int) -> dict:
        """Zipf-weighted value-token loss (nats per value token) and the facts stored.

        Exact over the ``max_facts`` most frequent facts; beyond that, a uniform sample of 5000
        tail facts stands for the rest (weights and counts scaled up)."""
        w, nf = self.web, self.web.n_facts
        head = np.arange(min(nf, max_facts))
        idx, weight, count_w = head, self.web_p[head], np.ones(len(head))
        if nf > max_facts:
            rng = np.random.default_rng(12345)
            tail = rng.choice(np.arange(max_facts, nf), size=5000, replace=False)
            scale = (nf - max_facts) / len(tail)
            idx = np.concatenate([head, tail])
            weight = np.concatenate([weight, self.web_p[tail] * scale])
            count_w = np.concatenate([count_w, np.full(len(tail), scale)])
        lf = 1 + w.key_len + 1 + w.value_len
        seq = np.empty((len(idx), lf), dtype=np.int64)
        seq[:, 0] = BOS
        seq[:, 1 : 1 + w.key_len] = self.keys[idx]
        seq[:, 1 + w.key_len] = EQ
        seq[:, 2 + w.key_len :] = self.web_values[idx]
        seqs = torch.as_tensor(seq, device=self.device)
        start = torch.full((len(idx),), 2 + w.key_len, device=self.device)
        length = torch.full((len(idx),), w.value_len, device=self.device)
        ok, nll = _score_answers(model, seqs, start, length)
        ok, nll = ok.cpu().numpy().astype(float), nll.cpu().numpy()
        ranks = {}
        lo = 0
        for hi in (10, 100, 1000, 10_000, 100_000, 1_000_000):
            sel = (idx >= lo) & (idx < hi)
            if sel.any():
                ranks[f"{lo}-{hi - 1}"] = float(ok[sel].mean())
            lo = hi
        learned = float((ok * count_w).sum())
        return {
            "web_loss": float((weight * nll).sum() / weight.sum() / w.value_len),
            "web_accuracy": float((weight * ok).sum() / weight.sum()),
            "web_facts_learned": learned,
            "web_accuracy_by_rank": ranks,
            "bits_per_web_fact": w.value_len * math.log2(self.n_content),
        }

    def describe(self) -> dict:
        return {"kind": "synthetic", "bio": self.bio.to_dict(), "web": self.web.to_dict(),
                "vocab_size": self.vocab_size, "n_content": self.n_content,
                "doc_len": self.doc_len, "docs_per_seq": self.docs_per_seq,
                "seq_len": self.seq_len}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Byte-level text corpus (--web-data)

BYTE_BOS, BYTE_PAD, BYTE_VOCAB = 256, 257, 258

_SYL = ["ka", "lo", "mi", "ra", "ten", "vo", "shi", "ber", "dan", "el", "fa", "gor", "hu", "is",
        "jo", "ku", "lem", "nor", "pa", "qui", "sa", "tor", "ul", "vi", "wen", "xa", "yo", "zel"]  # fmt: skip
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]  # fmt: skip
_TEMPLATES: dict[str, list[str]] = {
    "birth_date": [
        "{n} was born on {v}.",
        "{n}'s birthday is {v}.",
        "{n} came into the world on {v}.",
    ],
    "birth_city": ["{n} was born in {v}.", "{n} is a native of {v}.", "{n} grew up in {v}."],
    "university": ["{n} studied at {v}.", "{n} graduated from {v}.", "{n} attended {v}."],
    "major": ["{n} majored in {v}.", "{n} earned a degree in {v}.", "{n} focused on {v}."],
    "employer": ["{n} works for {v}.", "{n} is employed by {v}.", "{n} has a job at {v}."],
    "employer_city": ["{n} works in {v}.", "{n}'s office is in {v}.", "{n} commutes to {v}."],
}


def _words(rng: np.random.Generator, n: int, lo: int = 2, hi: int = 3) -> list[str]:
    out: set[str] = set()
    res: list[str] = []
    while len(res) < n:
        w = "".join(rng.choice(_SYL, size=int(rng.integers(lo, hi + 1)))).capitalize()
        if w not in out:
            out.add(w)
            res.append(w)
    return res


def _text_pool(rng: np.random.Generator, attr: str, n: int) -> list[str]:
    if attr == "birth_date":
        space = [(d, m, y) for y in range(1900, 2000) for m in range(12) for d in range(1, 29)]
        pick = rng.choice(len(space), size=min(n, len(space)), replace=False)
        return [f"{_MONTHS[space[i][1]]} {space[i][0]}, {space[i][2]}" for i in pick]
    w = _words(rng, n)
    fmt = {"university": "University of {}", "major": "{} Studies", "employer": "{} Corp"}
    return [fmt.get(attr, "{}").format(x) for x in w]


def load_web_text(path: str | Path, max_bytes: int = 200_000_000) -> np.ndarray:
    """Byte tokens (uint16) of a ``.txt``, ``.jsonl`` (field ``text``) or ``.parquet`` (column
    ``text``) file; documents are separated by BOS. Raises :class:`MixphaseInputError`."""
    path = Path(path)
    if not path.is_file():
        raise MixphaseInputError(f"web data {path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            docs = [path.read_bytes()[:max_bytes]]
        elif suffix == ".jsonl":
            docs, total = [], 0
            with open(path, encoding="utf-8") as fh:
                for i, line in enumerate(fh):
                    if not line.strip():
                        continue
                    rec = json.loads(line)
                    if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                        raise MixphaseInputError(f"{path}:{i + 1}: no string field 'text'")
                    docs.append(rec["text"].encode())
                    total += len(docs[-1])
                    if total >= max_bytes:
                        break
        elif suffix == ".parquet":
            try:
                import pyarrow.parquet as pq
            except ImportError:
                raise MixphaseInputError(
                    "reading .parquet needs pyarrow: pip install mixphase[parquet]"
                ) from None
            table = pq.read_table(path, columns=["text"])
            docs, total = [], 0
            for t in table.column("text").to_pylist():
                if t:
                    docs.append(str(t).encode())
                    total += len(docs[-1])
                    if total >= max_bytes:
                        break
        else:
            raise MixphaseInputError(f"web data {path}: expected .txt, .jsonl or .parquet")
    except MixphaseInputError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, KeyError) as exc:
        raise MixphaseInputError(f"cannot read web data {path}: {exc}") from None
    except Exception as exc:  # pyarrow's errors
        raise MixphaseInputError(f"cannot read web data {path}: {exc}") from None
    parts = []
    for d in docs:
        parts.append(np.array([BYTE_BOS], dtype=np.uint16))
        parts.append(np.frombuffer(d, dtype=np.uint8).astype(np.uint16))
    tokens = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint16)
    if len(tokens) < 4096:
        raise MixphaseInputError(
            f"web data {path}: only {len(tokens)} bytes of text (need >= 4096)"
        )
    return tokens


class TextCorpus:
    """SynBio rendered as English sentences + the user's text, byte-level tokenised."""

    def __init__(self, bio: BioSpec, web_tokens: np.ndarray, *, seq_len: int = 256,
                 data_seed: int = 0, device: str | torch.device = "cpu") -> None:  # fmt: skip
        self.bio, self.seq_len, self.device = bio, seq_len, torch.device(device)
        self.vocab_size = BYTE_VOCAB
        rng = np.random.default_rng(data_seed)
        first, middle, last = (
            _words(rng, 400, 2, 2),
            _words(rng, 400, 1, 2),
            _words(rng, 1000, 2, 3),
        )
        full = _distinct_codes(rng, bio.n_people, 3, 400)
        self.names = [f"{first[a]} {middle[b]} {last[c]}" for a, b, c in full]
        seen = set()
        for i, nm in enumerate(self.names):  # guarantee uniqueness (last names: 1000)
            while nm in seen:
                nm = nm + " " + _words(rng, 1)[0]
            seen.add(nm)
            self.names[i] = nm
        attrs = [a for a, _ in bio.attributes]
        pools = {a: _text_pool(rng, a, c) for a, c in bio.attributes}
        self.values = {a: [pools[a][j] for j in rng.integers(0, len(pools[a]), bio.n_people)]
                       for a in attrs}  # fmt: skip
        if bio.employer_city:
            cities = _words(rng, bio.n_cities)
            emp_city = {e: cities[rng.integers(bio.n_cities)] for e in pools["employer"]}
            self.values["employer_city"] = [emp_city[e] for e in self.values["employer"]]
        n_hold = max(seq_len + 1, len(web_tokens) // 20)
        self.web_train, self.web_val = web_tokens[:-n_hold], web_tokens[-n_hold:]
        if len(self.web_train) < seq_len + 1:
            raise MixphaseInputError("web data too short for the sequence length")

    def _templates(self, attr: str) -> list[str]:
        t = _TEMPLATES.get(attr, ["{n} has " + attr.replace("_", " ") + " {v}."])
        return t[: self.bio.n_templates]

    def start(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self._order, self._ptr = self.rng.permutation(self.bio.n_people), 0
        self.bio_docs_seen = 0
        self.realised_ratio: list[float] = []

    def _bio_doc(self) -> bytes:
        if self._ptr == self.bio.n_people:
            self._order, self._ptr = self.rng.permutation(self.bio.n_people), 0
        i = int(self._order[self._ptr])
        self._ptr += 1
        attrs = list(self.bio.attribute_names)
        self.rng.shuffle(attrs)
        sents = []
        for a in attrs:
            tm = self._templates(a)
            sents.append(
                tm[int(self.rng.integers(len(tm)))].format(n=self.names[i], v=self.values[a][i])
            )
        return " ".join(sents).encode()

    def batch(self, batch_size: int, ratio: float) -> tuple[torch.Tensor, torch.Tensor]:
        total = batch_size * (self.seq_len + 1)
        target, got, docs = ratio * total, 0, []
        while got < target:
            d = np.concatenate([[BYTE_BOS], np.frombuffer(self._bio_doc(), np.uint8)]).astype(
                np.int64
            )
            if got + len(d) > target and self.rng.random() > (target - got) / len(d):
                break
            docs.append(d)
            got += len(d)
            self.bio_docs_seen += 1
        web = 0
        while got + web < total:
            n = min(self.seq_len, total - got - web)
            s = int(self.rng.integers(0, len(self.web_train) - n))
            docs.append(self.web_train[s : s + n].astype(np.int64))
            web += n
        order = self.rng.permutation(len(docs))
        flat = np.concatenate([docs[i] for i in order])[:total]
        self.realised_ratio.append(min(got, total) / total)
        seq = torch.as_tensor(flat.reshape(batch_size, self.seq_len + 1), device=self.device)
        return seq[:, :-1], seq[:, 1:].clone()

    @torch.no_grad()
    def evaluate(self, model, max_people: int | None = 2000, max_windows: int = 64) -> dict:
        k = min(self.bio.n_people, max_people or self.bio.n_people)
        rows, starts, lens, attr_ids = [], [], [], []
        for i in range(k):
            for j, a in enumerate(self.bio.attribute_names):
                tm = self._templates(a)[0]
                prefix = (tm.split("{v}")[0]).format(n=self.names[i])
                p, v = prefix.encode(), self.values[a][i].encode()
                rows.append([BYTE_BOS, *p, *v])
                starts.append(1 + len(p))
                lens.append(len(v))
                attr_ids.append(j)
        width = max(map(len, rows))
        seq = np.full((len(rows), width), BYTE_PAD, dtype=np.int64)
        for r, row in enumerate(rows):
            seq[r, : len(row)] = row
        d = self.device
        ok, _ = _score_answers(model, torch.as_tensor(seq, device=d), torch.as_tensor(starts, device=d),
                               torch.as_tensor(lens, device=d), chunk=1024)  # fmt: skip
        ok, attr_ids = ok.cpu().numpy(), np.asarray(attr_ids)
        per_attr = {
            a: float(ok[attr_ids == j].mean()) for j, a in enumerate(self.bio.attribute_names)
        }
        # Web validation loss: mean next-byte loss over held-out windows (nats per byte).
        n_win = min(max_windows, max(1, len(self.web_val) - self.seq_len - 1))
        st = np.linspace(0, len(self.web_val) - self.seq_len - 1, n_win).astype(int)
        win = np.stack([self.web_val[s : s + self.seq_len + 1] for s in st]).astype(np.int64)
        win = torch.as_tensor(win, device=d)
        losses = []
        for i in range(0, len(win), 32):
            logits = model(win[i : i + 32, :-1]).float()
            losses.append(F.cross_entropy(logits.transpose(1, 2), win[i : i + 32, 1:]))
        return {"memorization_accuracy": float(ok.mean()), "per_attribute": per_attr,
                "bio_correct": int(ok.sum()), "bio_total": len(ok),
                "web_loss": float(torch.stack(losses).mean())}  # fmt: skip

    def describe(self) -> dict:
        return {"kind": "text", "bio": self.bio.to_dict(), "vocab_size": self.vocab_size,
                "tokenizer": "bytes (256) + BOS + PAD", "seq_len": self.seq_len,
                "web_train_tokens": len(self.web_train), "web_val_tokens": len(self.web_val)}  # fmt: skip


__all__ = ["BIOS_ATTRIBUTES", "SMALL_ATTRIBUTES", "BioSpec", "SymbolicCorpus", "TextCorpus",
           "WebSpec", "load_web_text"]  # fmt: skip
