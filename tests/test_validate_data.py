"""Data generators of the validation layer: SynBio, Zipf web, byte-level text, mixing ratio."""

import json
import math

import numpy as np
import pytest
import torch

from mixphase.errors import MixphaseInputError
from mixphase.theory.synbio import bits_per_biography
from mixphase.validate.batches import Batcher
from mixphase.validate.data import (
    BIOS_ATTRIBUTES,
    BOS,
    DOT,
    SMALL_ATTRIBUTES,
    BioSpec,
    SymbolicCorpus,
    WebSpec,
)
from mixphase.validate.text_data import TextBatcher, TextCorpus, load_web_text


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


def batches(corpus, ratio, seed=0, n=1, batch=8):
    s = corpus.stream(ratio, seed)
    bat = Batcher([corpus], batch)
    return s, [bat([s])[0][0] for _ in range(n)]


def test_mixing_ratio_is_exact_in_expectation():
    c = corpus()
    s, _ = batches(c, 0.137, n=200, batch=16)
    assert s.bio_docs / s.docs == pytest.approx(0.137, abs=0.01)
    s, (x,) = batches(c, 0.0)
    assert s.bio_docs == 0 and x.shape == (8, c.seq_len)
    s, _ = batches(c, 1.0)
    assert s.bio_docs == 8 * c.docs_per_seq


def test_bio_documents_reshuffle_order_and_templates():
    c = corpus(bio=BioSpec(n_people=1, n_templates=3), docs_per_seq=1)
    _, (docs,) = batches(c, 1.0, seed=1, batch=20)
    assert (docs[:, 0] == BOS).all()
    sents = docs[:, 1 : c.bio_len].reshape(20, 5, c.sent_len)
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
    s = c.stream(1.0, 3)
    idx = np.concatenate([s.draw(5)[2] for _ in range(14)])
    assert np.bincount(idx, minlength=7).tolist() == [10] * 7


def _fact_ranks(c, docs):
    facts = docs[:, 1 : c.web_len].reshape(-1, c.fact_len)
    keys = {tuple(k): i for i, k in enumerate(c.keys.tolist())}
    return np.array([keys[tuple(k)] for k in facts[:, :3].tolist()]), facts


def test_web_docs_follow_zipf():
    c = corpus(web=WebSpec(n_facts=100, zipf=1.0), docs_per_seq=1)
    _, xs = batches(c, 0.0, n=25, batch=160)
    ranks, facts = _fact_ranks(c, torch.cat(xs))
    freq = np.bincount(ranks, minlength=100) / len(ranks)
    assert freq[0] == pytest.approx(c.web_p[0], rel=0.1)
    assert freq[0] > freq[9] > 0
    # the fixed web: a key always comes with its value
    vals = facts[:, 4:6].numpy()
    assert (vals == c.web_values[ranks]).all()


def test_incompressible_web_redraws_values_at_every_occurrence():
    c = corpus(web=WebSpec(n_facts=20, zipf=1.0), docs_per_seq=1, web_mode="incompressible")
    _, xs = batches(c, 0.0, n=10, batch=64)
    ranks, facts = _fact_ranks(c, torch.cat(xs))
    top = facts[ranks == 0][:, 4:6]
    assert len({tuple(v) for v in top.tolist()}) > 0.9 * len(top)  # a fresh value each time
    assert (top >= c.content_base).all() and (top < c.vocab_size).all()
    fixed = corpus(web=WebSpec(n_facts=20, zipf=1.0), docs_per_seq=1)
    r2, _ = _fact_ranks(fixed, torch.cat(batches(fixed, 0.0, n=10, batch=64)[1]))
    assert (ranks == r2).all()  # the same keys in the same places: same token statistics


def test_batches_reproduce_with_the_seed_and_ignore_the_ensemble():
    c = corpus()
    _, a = batches(c, 0.3, seed=5, n=3, batch=4)
    _, b = batches(c, 0.3, seed=5, n=3, batch=4)
    assert all(torch.equal(u, v) for u, v in zip(a, b, strict=True))
    # trained next to other runs (other ratio, seed, people, web mode), a run sees the same data
    other = corpus(bio=BioSpec(n_people=20), web_mode="incompressible")
    s1, s2, s3 = c.stream(0.3, 5), other.stream(0.7, 1), c.stream(0.0, 2)
    bat = Batcher([c, other], 4)
    for u in a:
        assert torch.equal(bat([s1, s2, s3])[0][0], u)


def test_people_and_facts_are_prefix_stable_and_independent():
    full = corpus(bio=BioSpec(n_people=50), web=WebSpec(n_facts=2000))
    few = corpus(bio=BioSpec(n_people=7), web=WebSpec(n_facts=10))
    assert (few.names == full.names[:7]).all() and (few.values == full.values[:7]).all()
    assert (few.keys == full.keys[:10]).all() and (few.web_values == full.web_values[:10]).all()
    same_people = corpus(bio=BioSpec(n_people=50), web=WebSpec(n_facts=10))
    assert (same_people.names == full.names).all() and (same_people.values == full.values).all()
    other = corpus(bio=BioSpec(n_people=50), data_seed=1)
    assert not (other.names == full.names).all()


def test_seed_streams_are_independent():
    from mixphase.validate import seeds as S

    assert S.torch_seed("init", 0) != S.torch_seed("init", 1)
    # the order stream depends on (seed, data_seed); init on the seed only
    a, b = S.rng("order", 0, 0).random(4), S.rng("order", 0, 1).random(4)
    assert not np.allclose(a, b)
    assert S.torch_seed("init", 3) == S.torch_seed("init", 3)
    assert not np.allclose(S.rng("order", 0, 0).random(4), S.rng("people_order", 0, 0).random(4))
    with pytest.raises(ValueError):
        S.stream("init", -1)


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
    s = tc.stream(0.25, 0)
    bat = TextBatcher([tc], 8)
    x, y = bat([s])
    assert x.shape == (1, 8, 64) and torch.equal(x[0, :, 1:], y[0, :, :-1])
    for _ in range(60):
        bat([s])
    assert np.mean(s.realised_ratio) == pytest.approx(0.25, abs=0.08)
    # employer's city is a function of the employer
    pairs = set(zip(tc.values["employer"], tc.values["employer_city"], strict=True))
    assert len({e for e, _ in pairs}) == len(pairs)
    # people are prefix-stable
    few = TextCorpus(BioSpec(n_people=20, employer_city=True), load_web_text(_text(tmp_path)),
                     seq_len=64)  # fmt: skip
    assert few.names == tc.names[:20] and few.values["major"] == tc.values["major"][:20]
