"""Ensembles: a member computes what the same run computes alone; WSD runs branch exactly."""

import json
import math

import pytest
import torch

from mixphase.validate import groups as G
from mixphase.validate.ensemble import train_ensemble
from mixphase.validate.model import GPTConfig, member_losses
from mixphase.validate.optim import FlatLayout
from mixphase.validate.train import RunConfig, train

FAST = {"steps": 40, "batch_size": 16, "n_people": 8, "web_facts": 300, "d_model": 16,
        "warmup": 5, "log_every": 5}  # fmt: skip


@pytest.fixture(autouse=True)
def one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def losses(out) -> list[tuple[int, float]]:
    recs = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    return [(r["step"], r["train_loss"]) for r in recs if "train_loss" in r]


def assert_same_run(a_dir, b_dir, a: dict, b: dict, rel=1e-6):
    la, lb = losses(a_dir), losses(b_dir)
    assert [s for s, _ in la] == [s for s, _ in lb] and la
    for (_, x), (_, y) in zip(la, lb, strict=True):
        assert y == pytest.approx(x, rel=rel)
    for k in ("memorization_accuracy", "bio_correct", "web_facts_learned", "exposures_per_bio",
              "bio_correct_by_person"):  # fmt: skip
        assert a.get(k) == b.get(k)
    assert b["web_loss"] == pytest.approx(a["web_loss"], rel=rel)


def test_members_equal_their_single_runs(tmp_path):
    cfgs = [
        RunConfig(ratio=0.3, seed=1, **FAST),
        RunConfig(ratio=0.1, seed=2, **FAST),
        RunConfig(ratio=0.3, seed=1, **{**FAST, "n_people": 5}),  # subsampled people
        RunConfig(ratio=0.2, seed=3, web_mode="incompressible", **FAST),
        RunConfig(ratio=0.2, seed=0, data_seed=4, **{**FAST, "web_facts": 10}),  # trivial web
        RunConfig(ratio=0.5, seed=5, **{**FAST, "steps": 25, "warmup": 2, "lr": 3e-3}),
        RunConfig(ratio=0.0, seed=6, schedule="wsd", **FAST),
    ]
    single = [train(c, tmp_path / f"s{i}") for i, c in enumerate(cfgs)]
    ens = train_ensemble(cfgs, [tmp_path / f"e{i}" for i in range(len(cfgs))])
    for i, (a, b) in enumerate(zip(single, ens, strict=True)):
        assert a["key"] == b["key"] == cfgs[i].resolved().key()
        assert_same_run(tmp_path / f"s{i}", tmp_path / f"e{i}", a, b)
        assert b["ensemble_size"] == len(cfgs) and a["ensemble_size"] == 1
        assert json.loads((tmp_path / f"e{i}" / "result.json").read_text())["key"] == b["key"]
    # the training really differs between members (no shared stream by accident)
    assert len({tuple(v for _, v in losses(tmp_path / f"e{i}")) for i in range(len(cfgs))}) == 7


def test_wsd_runs_branch_from_a_shared_stable_phase(tmp_path):
    wsd = {**FAST, "schedule": "wsd", "warmup": 3, "log_every": 3}
    short, mid, long = (RunConfig(ratio=0.2, seed=1, **{**wsd, "steps": s}) for s in (20, 40, 60))
    scratch = train(mid, tmp_path / "scratch")  # no trunk folder: from step 0
    assert scratch["branched_from_step"] is None
    trunks = tmp_path / "trunks"
    train(short, tmp_path / "short", trunk_dir=trunks)  # leaves the trunk at step 18
    branched = train(mid, tmp_path / "mid", trunk_dir=trunks)  # continues from step 18
    assert branched["branched_from_step"] == short.resolved().lr_schedule().stable_end == 18
    assert_same_run(tmp_path / "scratch", tmp_path / "mid", scratch, branched, rel=1e-6)
    assert branched["schedule_detail"]["cooldown_steps"] == 4
    # in one ensemble the three lengths share one trunk that forks at 18 and 36
    res = train_ensemble([short, mid, long], [tmp_path / f"e{i}" for i in range(3)],
                         trunk_dir=tmp_path / "fresh")  # fmt: skip
    assert [r["branched_from_step"] for r in res] == [18, 36, 36]
    assert_same_run(tmp_path / "scratch", tmp_path / "e1", scratch, res[1], rel=1e-6)
    assert len(list((tmp_path / "fresh").rglob("step*.pt"))) == 3  # 18, 36, 54


def test_wsd_schedule_shape():
    s = RunConfig(steps=100, warmup=10, lr=1.0, schedule="wsd").resolved().lr_schedule()
    assert s.lr_at(0) == pytest.approx(0.1) and s.lr_at(9) == pytest.approx(1.0)
    assert s.stable_end == 90 and s.lr_at(89) == 1.0
    assert s.lr_at(99) == pytest.approx(s.min_frac) and s.lr_at(94) < 1.0
    c = RunConfig(steps=100, warmup=10, lr=1.0).resolved().lr_schedule()
    assert c.lr_at(99) == pytest.approx(c.min_frac, abs=1e-3) and c.lr_at(50) < 1.0


def test_fused_head_loss_and_gradients_match_cross_entropy():
    cfg = GPTConfig(vocab_size=37, block_size=9, n_layer=1, n_head=2, d_model=8)
    lay = FlatLayout(cfg)
    flat = torch.randn(3, lay.size, dtype=torch.float64) * 0.3
    x = torch.randint(0, 37, (3, 5, 9))
    y = torch.randint(0, 37, (3, 5, 9))
    y[:, :, -1] = -100

    def run(grad_path: bool):
        f = flat.clone().requires_grad_()
        if grad_path:
            out = member_losses(lay.unflatten(f), x, y, cfg)
        else:
            from mixphase.validate.model import forward

            logits = forward(lay.unflatten(f), x, cfg)
            ce = torch.nn.functional.cross_entropy(logits.reshape(-1, 37), y.reshape(-1),
                                                   reduction="none").view(3, -1)  # fmt: skip
            out = ce.sum(1) / (y != -100).reshape(3, -1).sum(1)
        (out * torch.tensor([1.0, 2.0, -0.5], dtype=torch.float64)).sum().backward()
        return out.detach(), f.grad

    (l1, g1), (l2, g2) = run(True), run(False)
    assert torch.allclose(l1, l2, rtol=1e-10) and torch.allclose(g1, g2, rtol=1e-8, atol=1e-12)


def test_record_fields(tmp_path):
    res = train(RunConfig(ratio=0.3, seed=1, **FAST), tmp_path)
    assert res["engine_version"] == 2 and res["training_tokens"] == res["tokens"]
    assert len(res["accuracy_by_template"]) == 3 and res["n_people_evaluated"] == 8
    assert len(res["bio_correct_by_person"]) == 8 and res["bio_prompts_per_person"] == 15
    assert sum(res["bio_correct_by_person"]) == res["bio_correct"]
    assert res["bio_total"] == 8 * 15
    assert res["bits_stored"] == pytest.approx(res["bits_stored_bio"] + res["bits_stored_web"])
    assert res["bits_per_param"] == pytest.approx(res["bits_stored"] / res["params"])
    assert res["torch_threads"] == 1 and res["schedule"] == "cosine"
    assert res["bio_docs"] + res["web_docs"] == 40 * 16
    fine = res["web_accuracy_by_rank_fine"]
    assert fine["edges"][:4] == [1, 2, 5, 10] and fine["edges"][-1] == 301
    m = res["marginal_web_rank"]
    if m is not None:  # its exposures follow the Zipf law at that rank
        z = sum(k**-1.0 for k in range(1, 301))
        want = res["web_docs"] * 5 * m**-1.0 / z
        assert res["marginal_web_fact_exposures"] == pytest.approx(want)


def test_marginal_rank_from_fine_bins():
    import numpy as np

    from mixphase.validate.evaluate import marginal_rank

    idx = np.arange(1000)
    ok = (idx < 99).astype(float)  # the 99 most frequent facts stored
    got = marginal_rank(idx, ok, np.ones(1000), 1000)
    assert 50 < got["marginal_rank"] < 200 and not got["all_stored"]
    assert marginal_rank(idx, np.ones(1000), np.ones(1000), 1000)["marginal_rank"] == 1000
    assert marginal_rank(idx, np.zeros(1000), np.ones(1000), 1000)["marginal_rank"] is None


def test_groups_fit_the_memory_budget_and_keep_wsd_siblings_together():
    runs = [RunConfig(ratio=r, seed=s, **FAST).resolved() for r in (0.1, 0.2, 0.3) for s in (0, 1)]
    runs += [RunConfig(ratio=0.1, **{**FAST, "d_model": 24}).resolved()]
    wsd = [RunConfig(ratio=0.1, schedule="wsd", **{**FAST, "steps": s}).resolved()
           for s in (40, 120)]  # fmt: skip
    per = G.member_bytes(runs[0])
    chunks = G.plan_groups(runs + wsd, jobs=1, budget=3 * per)
    assert sorted(len(c) for c in chunks) == [1, 2, 3, 3]  # d24 alone; 8 d16 runs in <= 3
    assert any(set(c) >= set(wsd) for c in chunks)
    assert all(len({c.group_key() for c in ch}) == 1 for ch in chunks)
    two = G.plan_groups(runs[:6], jobs=2)  # one shape, two workers: two ensembles
    assert sorted(len(c) for c in two) == [3, 3]
    assert math.isclose(sum(G.run_cost(c) for c in runs[:6]), 6 * G.run_cost(runs[0]))


def test_scoring_at_answer_positions_matches_full_logits():
    from mixphase.validate.evaluate import score_answers
    from mixphase.validate.model import forward

    cfg = GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, d_model=8)
    lay = FlatLayout(cfg)
    g = torch.Generator().manual_seed(0)
    flat = torch.randn(2, lay.size, generator=g) * 0.8
    seqs = torch.randint(0, 11, (2, 50, 7), generator=g)
    start = torch.randint(1, 5, (2, 50), generator=g)
    length = torch.randint(1, 3, (2, 50), generator=g)
    ok, nll = score_answers(lay.unflatten(flat), cfg, seqs, start, length)
    logits = forward(lay.unflatten(flat), seqs[..., :-1], cfg)
    for e in range(2):
        for i in range(50):
            p = range(int(start[e, i]) - 1, int(start[e, i] + length[e, i]) - 1)
            lg, t = logits[e, i, list(p)], seqs[e, i, [q + 1 for q in p]]
            assert bool(ok[e, i]) == bool((lg.argmax(-1) == t).all())
            ce = torch.nn.functional.cross_entropy(lg, t, reduction="sum")
            assert float(nll[e, i]) == pytest.approx(float(ce), rel=1e-5)
    assert 0 < ok.float().mean() < 1  # both outcomes are exercised


def test_text_members_equal_their_single_runs(tmp_path):
    web = tmp_path / "web.txt"
    web.write_text(" ".join(f"The number {i} is followed by {i + 1}." for i in range(800)))
    kw = {"web_data": str(web), "steps": 8, "batch_size": 4, "n_people": 5, "seq_len": 64,
          "d_model": 16, "warmup": 2, "log_every": 2}  # fmt: skip
    cfgs = [RunConfig(ratio=0.3, seed=1, **kw), RunConfig(ratio=0.1, seed=2, **kw)]
    single = [train(c, tmp_path / f"s{i}") for i, c in enumerate(cfgs)]
    ens = train_ensemble(cfgs, [tmp_path / f"e{i}" for i in range(2)])
    for i in range(2):
        assert_same_run(tmp_path / f"s{i}", tmp_path / f"e{i}", single[i], ens[i])
        assert single[i]["realised_ratio"] == ens[i]["realised_ratio"]
