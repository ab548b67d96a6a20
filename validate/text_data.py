"""Byte-level training data: SynBio rendered as English sentences mixed with the user's own text.

``--web-data PATH`` (``.txt``, ``.jsonl`` with a ``text`` field, ``.parquet`` with a ``text``
column): everything, biographies included, is byte-level tokenised (258 tokens: 256 bytes, BOS,
PAD). Biography documents are added to a batch until their tokens reach ``r`` times the batch's
tokens (the last one kept with the probability that makes the expectation exact up to
truncation), web chunks fill the rest, the documents are shuffled and packed; the realised share
is logged. The last 5% of the text is held out for the web validation loss (nats per byte).

People follow the seed streams of :mod:`mixphase.validate.seeds` (prefix-stable in ``n_people``:
a run with fewer people keeps the first ones, same names and attribute values); a run's stream
(:class:`TextStream`) draws from its own ``order`` stream.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from mixphase.errors import MixphaseInputError
from mixphase.validate import seeds as S
from mixphase.validate.data import BioSpec

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
                 data_seed: int = 0) -> None:  # fmt: skip
        self.bio, self.seq_len, self.data_seed = bio, seq_len, data_seed
        self.vocab_size = BYTE_VOCAB
        words = S.rng("text_words", data_seed)
        first, middle, last = (
            _words(words, 400, 2, 2),
            _words(words, 400, 1, 2),
            _words(words, 1000, 2, 3),
        )
        ints = S.prefix_distinct(S.rng("names", data_seed), bio.n_people, 400 * 400 * 1000)
        a, b, c = ints % 400, (ints // 400) % 400, ints // (400 * 400)
        self.names = [f"{first[i]} {middle[j]} {last[k]}" for i, j, k in zip(a, b, c, strict=True)]
        attrs = [a for a, _ in bio.attributes]
        pools = {a: _text_pool(S.rng(f"pool/{a}", data_seed), a, n) for a, n in bio.attributes}
        self.values = {a: [pools[a][j] for j in S.rng(f"values/{a}", data_seed).integers(
            0, len(pools[a]), bio.n_people)] for a in attrs}  # fmt: skip
        if bio.employer_city:
            cities = _words(S.rng("pool/employer_city", data_seed), bio.n_cities)
            pick = S.rng("employer_city", data_seed).integers(
                0, bio.n_cities, len(pools["employer"])
            )
            emp_city = dict(zip(pools["employer"], (cities[i] for i in pick), strict=True))
            self.values["employer_city"] = [emp_city[e] for e in self.values["employer"]]
        n_hold = max(seq_len + 1, len(web_tokens) // 20)
        self.web_train, self.web_val = web_tokens[:-n_hold], web_tokens[-n_hold:]
        if len(self.web_train) < seq_len + 1:
            raise MixphaseInputError("web data too short for the sequence length")
        self.doc_len = seq_len

    def templates(self, attr: str) -> list[str]:
        t = _TEMPLATES.get(attr, ["{n} has " + attr.replace("_", " ") + " {v}."])
        return t[: self.bio.n_templates]

    def stream(self, ratio: float, seed: int, data_seed: int | None = None) -> TextStream:
        return TextStream(self, ratio, seed, self.data_seed if data_seed is None else data_seed)

    def layout_key(self) -> tuple:
        return ("text", self.seq_len, self.vocab_size)

    def describe(self) -> dict:
        return {"kind": "text", "bio": self.bio.to_dict(), "vocab_size": self.vocab_size,
                "tokenizer": "bytes (256) + BOS + PAD", "seq_len": self.seq_len,
                "web_train_tokens": len(self.web_train), "web_val_tokens": len(self.web_val)}  # fmt: skip


class TextStream:
    """One run's byte-level training stream (its ``order`` stream drives every choice)."""

    def __init__(self, corpus: TextCorpus, ratio: float, seed: int, data_seed: int) -> None:
        self.corpus, self.ratio = corpus, float(ratio)
        self.rng = S.rng("order", seed, data_seed)
        self._order, self._ptr = self.rng.permutation(corpus.bio.n_people), 0
        self.bio_docs = 0
        self.docs = 0
        self.realised_ratio: list[float] = []

    @property
    def web_docs(self) -> int:
        return self.docs - self.bio_docs

    def _bio_doc(self) -> bytes:
        c = self.corpus
        if self._ptr == c.bio.n_people:
            self._order, self._ptr = self.rng.permutation(c.bio.n_people), 0
        i = int(self._order[self._ptr])
        self._ptr += 1
        attrs = list(c.bio.attribute_names)
        self.rng.shuffle(attrs)
        sents = []
        for a in attrs:
            tm = c.templates(a)
            sents.append(tm[int(self.rng.integers(len(tm)))].format(n=c.names[i], v=c.values[a][i]))
        return " ".join(sents).encode()

    def batch(self, batch_size: int) -> np.ndarray:
        """Tokens ``(batch_size, seq_len + 1)`` of one step."""
        c = self.corpus
        total = batch_size * (c.seq_len + 1)
        target, got, docs = self.ratio * total, 0, []
        while got < target:
            d = np.concatenate([[BYTE_BOS], np.frombuffer(self._bio_doc(), np.uint8)]).astype(
                np.int64
            )
            if got + len(d) > target and self.rng.random() > (target - got) / len(d):
                break
            docs.append(d)
            got += len(d)
            self.bio_docs += 1
        web = 0
        while got + web < total:
            n = min(c.seq_len, total - got - web)
            s = int(self.rng.integers(0, len(c.web_train) - n))
            docs.append(c.web_train[s : s + n].astype(np.int64))
            web += n
        self.docs += len(docs)
        order = self.rng.permutation(len(docs))
        flat = np.concatenate([docs[i] for i in order])[:total]
        self.realised_ratio.append(min(got, total) / total)
        return flat.reshape(batch_size, c.seq_len + 1)

    def state_dict(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "order": self._order.tolist(), "ptr": self._ptr,
                "bio_docs": self.bio_docs, "docs": self.docs,
                "realised_ratio": list(self.realised_ratio)}  # fmt: skip

    def load_state_dict(self, sd: dict) -> None:
        self.rng.bit_generator.state = sd["rng"]
        self._order, self._ptr = np.asarray(sd["order"], dtype=np.int64), int(sd["ptr"])
        self.bio_docs, self.docs = int(sd["bio_docs"]), int(sd["docs"])
        self.realised_ratio = list(sd["realised_ratio"])

    def fork(self) -> TextStream:
        import copy

        new = copy.copy(self)
        new.rng = copy.deepcopy(self.rng)
        new._order = self._order.copy()
        new.realised_ratio = list(self.realised_ratio)
        return new


class TextBatcher:
    """Stacks the batches of several byte-level streams (generated one by one)."""

    def __init__(self, corpora: list[TextCorpus], batch_size: int, device="cpu") -> None:
        self.batch_size, self.device = batch_size, torch.device(device)

    def __call__(self, streams: list[TextStream]) -> tuple[torch.Tensor, torch.Tensor]:
        seq = np.stack([s.batch(self.batch_size) for s in streams])
        seq = torch.as_tensor(seq, device=self.device)
        return seq[..., :-1], seq[..., 1:].clone()


__all__ = ["BYTE_BOS", "BYTE_PAD", "BYTE_VOCAB", "TextBatcher", "TextCorpus", "TextStream",
           "load_web_text"]  # fmt: skip
