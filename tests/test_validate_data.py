"""Data generators of the validation layer: SynBio, Zipf web, byte-level text, mixing ratio."""

import json
import math

import numpy as np
import pytest
import torch

from mixphase.errors import MixphaseInputError
from mixphase.theory.synbio import bits_per_biography
from mixphase.validate.data import (
    BIOS_ATTRIBUTES,
    BOS,
    DOT,
    SMALL_ATTRIBUTES,
    BioSpec,
    SymbolicCorpus,
    TextCorpus,
    WebSpec,
    load_web_text,
)


def corpus(**kw):
    bio = kw.pop("bio", BioSpec(n_people=50))
    web = kw.pop("web", WebSpec(n_facts=2000))
    return SymbolicCorpus(bio, web, **kw)


def test_bits_per_bio_from_cardinalities():
    bio = BioSpec(attributes=BIOS_ATTRIBUTES, employer_city=True)
    assert bio.bits_per_bio == pytest.approx(bits_per_biography(dict(BIOS_ATTRIBUTES)))
    assert bio.bits_per_bio == pytest.approx(45.6, abs=0.05)  # the paper's pools
    small = BioSpec(n_people=20, attributes=SMALL_ATTRIBUTES)
    assert small.bits_per_bio == pytest.approx(5 * math.log2(100))
    assert small.total_bits == pytest.approx(20 * 5 * math.log2(100))


def test_names_unique_and_disjoint_from_web_keys():
    c = corpus(bio=BioSpec(n_people=3000), web=WebSpec(n_facts=20_000))
    names = {tuple(n) for n in c.names}
    assert len(names) == 3000
    assert not names & {tuple(k) for k in c.keys}
    # attribute values lie in their pools; codes differ between pool values
    assert c.values.shape == (3000, 5, c.vlen)


def test_bios_values_realise_the_pools():
    c = corpus(bio=BioSpec(n_people=2000, attributes=(("a", 7), ("b", 3))))
    for j, card in enumerate((7, 3)):
        assert len({tuple(v) for v in c.values[:, j]}) == card


def test_mixing_ratio_is_exact_in_expectation():
    c = corpus()
    c.start(0)
    n_docs = 0
    for _ in range(200):
        c.batch(16, 0.137)
        n_docs += 16 * c.docs_per_seq
    assert c.bio_docs_seen / n_docs == pytest.approx(0.137, abs=0.01)
    c.start(0)
    x, _ = c.batch(8, 0.0)
    assert c.bio_docs_seen == 0
    assert x.shape == (8, c.seq_len)
    c.batch(8, 1.0)
    assert c.bio_docs_seen == 8 * c.docs_per_seq


def test_bio_documents_reshuffle_order_and_templates():
    c = corpus(bio=BioSpec(n_people=1, n_templates=3))
    c.start(1)
    docs = c.bio_docs(20)
    assert (docs[:, 0] == BOS).all()
    sents = docs[:, 1:].reshape(20, 5, c.sent_len)
    assert (sents[:, :, -1] == DOT).all()
    assert (sents[:, :, :3] == torch.as_tensor(c.names[0])).all()
    rel = sents[:, :, 3]
    attr = (rel - c.rel_base) // 3
    assert len({tuple(a.tolist()) for a in attr}) > 1  # order varies
    assert len({tuple(r.tolist()) for r in rel.sort(dim=1).values}) > 1  # templates vary
    # the content (attribute -> value) is the same every time
    for d in range(20):
        for s in range(5):
            a = int(attr[d, s])
            assert sents[d, s, 4 : 4 + c.vlen].tolist() == c.values[0, a].tolist()


def test_epochs_show_every_bio_equally_often():
    c = corpus(bio=BioSpec(n_people=7))
    c.start(3)
    idx = torch.cat([c._next_people(5) for _ in range(14)])
    assert torch.bincount(idx, minlength=7).tolist() == [10] * 7


def test_web_docs_follow_zipf():
    c = corpus(web=WebSpec(n_facts=100, zipf=1.0))
    c.start(0)
    docs = c.web_docs(4000)[:, 1:].reshape(-1, c.fact_len)
    keys = {tuple(k): i for i, k in enumerate(c.keys.tolist())}
    ranks = np.array([keys[tuple(k)] for k in docs[:, :3].tolist()])
    freq = np.bincount(ranks, minlength=100) / len(ranks)
    assert freq[0] == pytest.approx(c.web_p[0], rel=0.1)
    assert freq[0] > freq[9] > 0


def test_batches_reproduce_with_the_seed():
    c = corpus()
    c.start(5)
    a = [c.batch(4, 0.3)[0] for _ in range(3)]
    c.start(5)
    b = [c.batch(4, 0.3)[0] for _ in range(3)]
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))


def _text(tmp_path):
    words = " ".join(f"word{i % 97} is here." for i in range(2000))
    p = tmp_path / "web.txt"
    p.write_text(words)
    return p


def test_load_web_text_formats(tmp_path):
    t = load_web_text(_text(tmp_path))
    assert t.dtype == np.uint16 and t.max() <= 256
    j = tmp_path / "web.jsonl"
    j.write_text("\n".join(json.dumps({"text": "hello world " * 50}) for _ in range(20)))
    assert len(load_web_text(j)) > 4096
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["some text " * 100] * 10}), tmp_path / "w.parquet")
    assert len(load_web_text(tmp_path / "w.parquet")) > 4096


@pytest.mark.parametrize(
    "name,content",
    [("x.csv", "a,b"), ("bad.jsonl", '{"nope": 1}\n'), ("short.txt", "tiny"), ("bad.jsonl", "{")],
)
def test_load_web_text_bad_input(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(MixphaseInputError):
        load_web_text(p)
    with pytest.raises(MixphaseInputError):
        load_web_text(tmp_path / "missing.txt")


def test_text_corpus_batches_and_unique_names(tmp_path):
    tc = TextCorpus(BioSpec(n_people=300, employer_city=True), load_web_text(_text(tmp_path)),
                    seq_len=64)  # fmt: skip
    assert len(set(tc.names)) == 300
    tc.start(0)
    x, y = tc.batch(8, 0.25)
    assert x.shape == (8, 64) and torch.equal(x[:, 1:], y[:, :-1])
    for _ in range(60):
        tc.batch(8, 0.25)
    assert np.mean(tc.realised_ratio) == pytest.approx(0.25, abs=0.08)
    # employer's city is a function of the employer
    pairs = set(zip(tc.values["employer"], tc.values["employer_city"], strict=True))
    assert len({e for e, _ in pairs}) == len(pairs)
