"""``validate reproduce``: the mechanism rule, subsampling, the staged design and a tiny run."""

from __future__ import annotations

import json

import numpy as np
import pytest
import validate_rows as VR

from mixphase.validate import design as D
from mixphase.validate import mechanism as M
from mixphase.validate import reproduce as R
from mixphase.validate import subsampling as SUB
from mixphase.validate import sweep as sw
from mixphase.validate import transitions as T
from mixphase.validate import verdicts as V

SMALL = VR.SIZES[:3]


def _controls(longer, incompressible=1.0, trivial=1.0, web_growth=0.02, seeds=(0, 1, 2),
              conserved=True):  # fmt: skip
    """A sweep plus controls at each size's r_c / 1.5: 3x steps, 10-fact and incompressible webs."""
    rows = VR.sweep(sizes=SMALL, seeds=(0,))
    if not conserved:
        for r in rows:
            r["web_facts_learned"] *= 1 + 3 * r["ratio"]
    for size, n in SMALL:
        q = VR.odds_c(n, -1.0)
        r0 = round(q / (1 + q) / 1.5, 5)
        a0 = 1 / (1 + np.exp(-(np.log(r0) - np.log(q / (1 + q))) / 0.2))
        long_web = VR.point(size, n, 0.0, steps=6000)
        long_web["web_facts_learned"] *= 1 + web_growth
        rows.append(long_web)
        for s in seeds:
            rows.append(VR.point(size, n, r0, seed=s))
            rows.append(VR.row(size, n, r0, a0 + longer * (1 - a0), seed=s, steps=6000))
            rows.append(VR.row(size, n, r0, trivial, seed=s, extra="|facts=10"))
            if incompressible is not None:
                rows.append(
                    VR.row(size, n, r0, incompressible, seed=s, extra="|webmode=incompressible")
                )
    return rows


def _mechanism(rows):
    recs = T.transition_records(rows, scatter=0.1)
    c3 = M.longer_training(rows, T.training_length(recs))
    c4 = M.capacity_freed(rows)
    return c3, c4, M.mechanism(recs, rows, c3, c4)


def test_capacity_limited_needs_every_condition():
    c3, c4, (mech, why, nums) = _mechanism(_controls(longer=0.1))
    assert c3.verdict == V.HELD and c4.verdict == V.HELD
    assert mech == "capacity-limited", why
    assert all(nums["conditions"].values())


@pytest.mark.parametrize(
    "kw,failed",
    [({"longer": 0.5}, "c_longer_training_closes_little"),
     ({"longer": 0.1, "web_growth": 0.3}, "b_web_bits_saturated"),
     ({"longer": 0.1, "conserved": False}, "a_bits_conserved"),
     ({"longer": 0.1, "incompressible": 0.05}, "d_incompressible_web_frees")],
)  # fmt: skip
def test_partly_exposure_limited_when_a_condition_fails(kw, failed):
    _, _, (mech, why, nums) = _mechanism(_controls(**kw))
    assert mech == "partly exposure-limited" and failed in why
    assert nums["conditions"][failed] is False


def test_one_seed_or_a_trivial_web_alone_cannot_earn_capacity_limited():
    c3, c4, (mech, _, nums) = _mechanism(_controls(longer=0.1, seeds=(0,), incompressible=None))
    assert c3.verdict == V.INCONCLUSIVE  # closes little, but on one seed
    assert c4.verdict == V.INCONCLUSIVE  # a trivial web removes capacity and competition at once
    assert mech == "undetermined" and nums["conditions"]["c_longer_training_closes_little"] is None


def _keep_rows(best_keep=0.35):
    """A sweep plus a keep grid at d24, r0 = r_c / 2.5; facts learned peak near ``best_keep``."""
    rows = VR.sweep(sizes=SMALL, seeds=(0,))
    size, n = SMALL[1]
    q = VR.odds_c(n, -1.0)
    r0 = round(q / (1 + q) / 2.5, 5)
    rows += [VR.row(size, n, r0, 0.0, seed=s) for s in (0, 1)]
    for people in (4, 8, 10, 14, 20, 28):
        keep = people / VR.PEOPLE
        acc = float(np.clip(1.3 - keep / best_keep * 0.6, 0, 1)) if keep < 2 * best_keep else 0.02
        rows += [VR.row(size, n, r0, acc, seed=s, extra=f"|people={people}", people=people)
                 for s in (0, 1)]  # fmt: skip
    return rows


def test_subsampling_claims_from_a_keep_grid():
    from mixphase.validate.scaling import web_law_evidence

    rows = _keep_rows()
    g = SUB.keep_grid(rows)
    assert g["K"] == VR.PEOPLE and len(g["keeps"]) == 7 and g["subset"] is False
    recs = T.transition_records(rows, scatter=0.1)
    rec = next(t for t in recs if t.size == g["size"] and t.critical is not None)
    web = web_law_evidence(rows)
    model = SUB.anchored_model(rows, web, g["params"], rec.critical.median)
    half = model.critical_ratio(g["params"], 0.5)
    assert half == pytest.approx(rec.critical.median, rel=1e-6)  # anchored at the 50% point
    k80 = SUB.keep_for(model, g["params"], g["ratio"], rec.width.median)
    assert 0 < k80 < 1
    c7a, c7b = SUB.subsampling(rows, rec, web, 5.0)
    assert c7a.verdict in (V.HELD, V.INCONCLUSIVE, V.NOT_HELD)
    assert c7a.numbers["advise_best_keep"] > 0 and "not a subset" in c7a.numbers["note"]
    assert c7b.verdict in (V.HELD, V.INCONCLUSIVE, V.NOT_HELD, V.NOT_TESTED)
    assert c7b.numbers["keep_for_80"] == pytest.approx(k80)


def test_design_plans_three_seeds_near_each_critical_ratio_and_the_length_block():
    d = D.Design("tiny")
    s1 = D.plan_sweep(d)
    fake = [{"key": c.key(), "d_model": c.d_model, "ratio": c.ratio,
             "memorization_accuracy": float(c.ratio >= 0.04 * 16 / c.d_model)} for c in s1]  # fmt: skip
    rc = D.estimate_critical(fake)
    assert set(rc) == {16, 24, 32}
    s2 = D.plan_refine(d, fake)
    for dm in rc:
        near = [c for c in s2 if c.d_model == dm]
        assert len({c.ratio for c in near}) == 3 and len(near) == 9  # 3 ratios x 3 seeds
    s3 = D.plan_length(d, fake)
    steps = {c.steps for c in s3}
    wsd = D.engine_option("schedule")  # with WSD the block has its own 1x (all lengths branch)
    assert steps == ({667, 2000, 6000} if wsd else {667, 6000})
    assert sum(c.ratio == 0 for c in s3) == 3 * len(steps)  # web-only at each length
    assert all(getattr(c, k) == v for c in s3 for k, v in wsd.items())
    s4 = D.plan_controls(d, fake)
    refine_keys = {c.key() for c in s2}
    bases = [c for c in s4 if c.steps == 2000 and not c.web_facts and "webmode" not in c.key()
             and c.ratio == min(x.ratio for x in s2 if x.d_model == c.d_model)]  # fmt: skip
    assert len(bases) == 6 and all(c.key() in refine_keys for c in bases)  # 3 seeds x 2 sizes
    kinds = {("long" if c.steps == 6000 else "facts" if c.web_facts else "base") for c in s4}
    assert kinds == {"long", "facts", "base"}
    inc = D.engine_option("incompressible")
    assert not inc or sum(all(getattr(c, k) == v for k, v in inc.items()) for c in s4) == 6
    assert D.plan_sweep(d) == s1 and D.plan_refine(d, fake) == s2  # re-planned identically


def test_the_quick_design_fits_its_budget_with_three_seeds_near_each_transition():
    d = D.design_for("tiny", quick=True)
    s1 = D.plan_sweep(d)
    fake = [{"key": c.key(), "d_model": c.d_model, "ratio": c.ratio,
             "memorization_accuracy": float(c.ratio >= 0.04 * 16 / c.d_model)} for c in s1]  # fmt: skip
    plan = s1 + D.plan_refine(d, fake) + D.plan_length(d, fake) + D.plan_controls(d, fake)
    assert D.cost(plan, 2000) + 6 <= D.QUICK_BUDGET  # + the subsampling grid (<= 6 units)
    counts: dict = {}
    for c in plan:
        if c.steps == 2000 and c.ratio > 0 and not c.web_facts and "webmode" not in c.key():
            counts.setdefault((c.d_model, c.ratio), set()).add(c.seed)
    for dm, (lo, hi) in D.bracketing(fake).items():
        assert len(counts[(dm, lo)]) == len(counts[(dm, hi)]) == 3
    assert {c.steps for c in plan} == {667, 2000, 6000}


FAST = {"steps": 12, "batch_size": 8, "warmup": 2, "log_every": 0, "web_facts": 200,
        "n_people": 6, "device": "cpu"}  # fmt: skip


def test_tiny_reproduce_runs_every_stage_resumes_and_judges(tmp_path, monkeypatch):
    d = D.Design("tiny", ratios=(0.1, 0.3), refine_seeds=(0,), refine_factors=(1.0,),
                 length_sizes=1, length_factors=(3.0,), length_ratio_factors=(1.0,),
                 control_seeds=(0,), groups=True, n_groups=3, group_people=6, group_ratio=0.3,
                 subsample_seeds=(0,), keep_factors=(1.0,), overrides=FAST)  # fmt: skip
    rep = R.reproduce(tmp_path, d, jobs=1)
    got = json.loads((tmp_path / "report.json").read_text())
    assert got["schema"] == R.SCHEMA
    from mixphase.validate.claims import CLAIM_IDS

    assert [c["claim"] for c in got["claims"]] == list(CLAIM_IDS)
    assert len(got["claims"]) == 8 and all(c["verdict"] in V.VERDICTS for c in got["claims"])
    assert got["mechanism"]["verdict"] in ("capacity-limited", "partly exposure-limited",
                                           "undetermined")  # fmt: skip
    assert got["margins"]["exponent"]["value"] == 0.25
    assert all(t["schema"] == T.SCHEMA for t in got["transitions"])
    assert (tmp_path / "report.md").read_text().startswith("# Reproducing")
    assert (tmp_path / "fig_ratio.png").exists() and (tmp_path / "fig_scaling.png").exists()
    results = sw.read_results(tmp_path / sw.RESULTS)
    assert any(r["steps"] == 36 for r in results)  # the length block / longer controls
    assert len([r for r in results if "groups=" in r["key"]]) == 3
    assert rep.claims[0].claim == "transition_in_ratio"
    # resume: nothing is retrained; a lost line is recovered from its result.json, or, without
    # one, retrained alone
    from mixphase.validate import workers

    calls = []
    real = workers.run_group
    monkeypatch.setattr(workers, "run_group",
                        lambda c, *a, **k: calls.extend(x.key() for x in c) or real(c, *a, **k))  # fmt: skip
    R.reproduce(tmp_path, d, jobs=1)
    assert calls == []
    lines = (tmp_path / sw.RESULTS).read_text().splitlines()
    (tmp_path / sw.RESULTS).write_text("\n".join(lines[:-1]) + "\n")
    R.reproduce(tmp_path, d, jobs=1)
    assert calls == [] and len(sw.read_results(tmp_path / sw.RESULTS)) == len(results)
    lost = json.loads(lines[-1])["key"]
    (tmp_path / sw.RESULTS).write_text("\n".join(lines[:-1]) + "\n")
    for p in (tmp_path / "runs").glob("*/result.json"):
        if json.loads(p.read_text())["key"] == lost:
            p.unlink()
    R.reproduce(tmp_path, d, jobs=1)
    assert calls == [lost]
    assert len(sw.read_results(tmp_path / sw.RESULTS)) == len(results)
    # report-only judges what is there, with the same verdicts
    again = R.reproduce(tmp_path, d, train=False)
    assert [c.verdict for c in again.claims] == [c.verdict for c in rep.claims]
    # without --quick/--preset the report names the preset it judged (it said "small")
    other = R.reproduce(tmp_path, R.design_for("small", False), train=False)
    assert other.design["preset"] == "tiny"
    assert [c.verdict for c in other.claims] == [c.verdict for c in rep.claims]


@pytest.mark.parametrize(
    "args,msg",
    [(["--jobs", "0"], "--jobs"), (["--seeds", "0"], "--seeds"),
     (["--preset", "nope"], "unknown preset")],
)  # fmt: skip
def test_cli_reproduce_bad_input(args, msg, tmp_path, capsys):
    from mixphase.cli import main

    out = tmp_path / "o"
    with pytest.raises(SystemExit) as e:
        main(["validate", "reproduce", "--quick", *args, "--out", str(out)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "mixphase: error:" in err and msg in err
    assert not (out / "results.jsonl").exists()


def test_report_only_without_results_is_an_input_error(tmp_path):
    from mixphase.errors import MixphaseInputError

    with pytest.raises(MixphaseInputError, match="no results"):
        R.reproduce(tmp_path / "none", D.Design("tiny"), train=False)
    assert not (tmp_path / "none").exists()


def test_frequency_groups_draw_people_with_power_law_weights():
    from mixphase.validate.data import BioSpec, SymbolicCorpus, WebSpec

    bio = BioSpec(n_people=40, n_groups=10, group_exponent=1.5)
    w = bio.person_weights()
    assert w.sum() == pytest.approx(1.0)
    g = bio.person_groups()
    gw = np.bincount(g, weights=w)
    assert gw[0] / gw[3] == pytest.approx(4**1.5)  # group g drawn with (g+1)^-1.5
    corpus = SymbolicCorpus(bio, WebSpec(n_facts=50), data_seed=0)
    stream = corpus.stream(1.0, seed=0)  # every document a biography
    drawn = np.concatenate([stream.draw(2000)[2] for _ in range(20)])
    freq = np.bincount(drawn, minlength=40) / drawn.size
    assert np.abs(freq - w).max() < 0.01
    with pytest.raises(Exception, match="n_groups"):
        BioSpec(n_people=5, n_groups=6)
