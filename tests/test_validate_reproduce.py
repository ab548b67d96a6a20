"""``validate reproduce``: verdict logic on synthetic rows with known answers, and a tiny run.

The synthetic rows mimic :func:`mixphase.validate.train.train`'s results: accuracy counts drawn
from a known sigmoid in log ratio, critical ratios on a known power law, web losses with a known
alpha, so each claim's right verdict is known.
"""

import json

import numpy as np
import pytest

from mixphase.validate import claims as C
from mixphase.validate import reproduce as R
from mixphase.validate import sweep as sw

RATIOS = [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32]
SIZES = [(f"d{d}", n) for d, n in ((16, 6000), (24, 12000), (32, 20000), (48, 40000))]
ALPHA = 0.3


def _row(size, params, ratio, acc, seed=0, total=1000, **kw):
    c = round(acc * total)
    r = {"key": f"{size}|{ratio}|{seed}|{kw.get('steps', 1000)}", "size": size, "params": params,
         "ratio": ratio, "seed": seed, "bio_correct": c, "bio_total": total,
         "memorization_accuracy": c / total, "exposures_per_bio": 100.0 * ratio,
         "bits_per_param": 0.3, "steps": 1000, "web_loss": 1.0}  # fmt: skip
    r.update(kw)
    return r


def _grid(width=0.08, exponent=-(ALPHA + 1), floor=0.0):
    """Sigmoid-in-log-ratio accuracies; odds(r_c) = 0.03 (N/12000)^exponent; web = N^-ALPHA."""
    rows = []
    for size, n in SIZES:
        q = 0.03 * (n / 12000) ** exponent
        rc = q / (1 + q)
        rows.append(_row(size, n, 0.0, 0.0, web_loss=5.0 * n**-ALPHA))
        for r in RATIOS:
            acc = floor + (1 - floor) / (1 + np.exp(-(np.log(r) - np.log(rc)) / width))
            rows.append(_row(size, n, r, float(acc)))
    return rows


def test_sharp_transition_in_ratio_and_size_held():
    rows = _grid()
    c1 = C.transition_in_ratio(rows)
    assert c1.verdict == C.HELD
    for p in c1.numbers["per_size"]:
        if "critical_ratio" in p:
            n = p["params"]
            q = 0.03 * (n / 12000) ** -(ALPHA + 1)
            true = q / (1 + q)
            assert p["critical_ratio"]["lower"] * 0.9 <= true <= p["critical_ratio"]["upper"] * 1.1
    assert C.transition_in_size(rows).verdict == C.HELD


def test_gradual_rise_is_not_a_sharp_transition():
    c1 = C.transition_in_ratio(_grid(width=1.5))
    assert c1.verdict == C.NOT_HELD
    assert C.transition_in_size(_grid(width=1.5)).verdict != C.HELD


def test_critical_ratio_power_law_matches_or_not():
    held = C.critical_ratio_power_law(_grid())
    assert held.verdict == C.HELD, held.summary
    assert abs(held.numbers["fitted_exponent"]["median"] + 1.3) < 0.25
    assert abs(held.numbers["alpha"]["median"] - ALPHA) < 0.02
    assert held.numbers["web_law"]["power_law"] is True
    wrong = C.critical_ratio_power_law(_grid(exponent=-3.0))
    assert wrong.verdict == C.NOT_HELD
    few = C.critical_ratio_power_law([r for r in _grid() if r["size"] in ("d16", "d24")])
    assert few.verdict == C.NOT_TESTED


def _controls(longer, matched, trivial, base=0.05):
    return [C.ControlSet(s, n, 0.02, [_row(s, n, 0.02, base, seed=k) for k in (0, 1)],
                         [_row(s, n, 0.02, longer, steps=3000)],
                         [_row(s, n, 0.06, matched, seed=k) for k in (0, 1)],
                         [_row(s, n, 0.02, trivial, seed=k) for k in (0, 1)])
            for s, n in SIZES[:2]]  # fmt: skip


def test_capacity_limited_controls():
    ctl = _controls(longer=0.15, matched=0.95, trivial=1.0)
    c3, c4 = C.longer_training(ctl), C.capacity_freed(ctl)
    assert (c3.verdict, c4.verdict) == (C.HELD, C.HELD)
    assert c3.numbers["per_size"][0]["gain_longer"] == pytest.approx(0.10)
    assert C.mechanism(c3, c4, ctl)[0] == "capacity-limited"


def test_exposure_limited_controls():
    ctl = _controls(longer=0.97, matched=0.95, trivial=0.08)
    c3, c4 = C.longer_training(ctl), C.capacity_freed(ctl)
    assert (c3.verdict, c4.verdict) == (C.NOT_HELD, C.NOT_HELD)
    assert C.mechanism(c3, c4, ctl)[0] == "exposure-limited"
    # longer training helps only somewhat, trivial web does not: neither story
    mixed = _controls(longer=0.4, matched=0.5, trivial=0.3)
    assert C.mechanism(C.longer_training(mixed), C.capacity_freed(mixed), mixed)[0] == "unclear"
    assert C.longer_training([]).verdict == C.NOT_TESTED


def test_threshold_frequency_power_law():
    from mixphase.records import Estimate

    alpha = Estimate(ALPHA, ALPHA - 0.02, ALPHA + 0.02, 0.9)
    groups = np.arange(1, 101, dtype=float) ** -1.5

    def grouped(exponent):
        rows = []
        for size, n in SIZES:
            exposures = (1e9 * groups).tolist()
            thr = 1e8 * (n / 6000) ** exponent
            correct = [5 if e >= thr else 0 for e in exposures]
            rows.append(_row(size, n, 0.2, float(np.mean(correct)) / 5, bio_correct_by_person=correct,
                             person_exposures=exposures, n_attributes=5))  # fmt: skip
        return rows

    held = C.threshold_frequency(grouped(-(ALPHA + 1)), alpha)
    assert held.verdict == C.HELD, held.summary
    assert abs(held.numbers["fitted_exponent"]["median"] + 1.3) < 0.3
    assert C.threshold_frequency(grouped(+0.5), alpha).verdict == C.NOT_HELD


def test_subsampling_verdicts():
    def t(best, above):
        return C.SubsampleTest("d32", 20000, 0.02, 0.04, 0.3, 0.5, 20,
                               [_row("d32", 20000, 0.02, best, n_people=6)],
                               [_row("d32", 20000, 0.02, above, n_people=14)])  # fmt: skip

    assert C.subsampling([t(0.95, 0.05)]).verdict == C.HELD
    assert C.subsampling([t(0.4, 0.05)]).verdict == C.NOT_HELD
    assert C.subsampling([], "why").verdict == C.NOT_TESTED


def test_advise_keep_fractions_are_ordered():
    rows = _grid()
    for r in rows:
        r["data"] = {"web": {"value_len": 2, "facts_per_doc": 5}, "doc_len": 36,
                     "bio": {"n_people": 20, "bits_per_bio": 33.2}}  # fmt: skip
    best, collapse = R.advise_keep(rows, ALPHA, 20000, 0.04, 0.02, R.Design("tiny"))
    assert 0 < best < 1 and 0 < collapse < 1
    assert best <= collapse  # the best keep learns; beyond collapse_at nothing is learned


FAST = {"steps": 12, "batch_size": 8, "warmup": 2, "log_every": 0, "web_facts": 200,
        "n_people": 6, "device": "cpu"}  # fmt: skip


def test_tiny_reproduce_runs_every_stage_and_resumes(tmp_path, monkeypatch):
    d = R.Design("tiny", ratios=(0.1, 0.3), control_seeds=(0,), groups=True, n_groups=3,
                 group_people=6, group_ratio=0.3, overrides=FAST)  # fmt: skip
    rep = R.reproduce(tmp_path, d, jobs=1)
    got = json.loads((tmp_path / "report.json").read_text())
    assert [c["claim"] for c in got["claims"]] == list(C.CLAIM_IDS)
    assert got["mechanism"] in ("capacity-limited", "exposure-limited", "unclear")
    assert all(c["verdict"] in (C.HELD, C.NOT_HELD, C.NOT_TESTED) for c in got["claims"])
    assert all(c["numbers"] for c in got["claims"])
    assert (tmp_path / "report.md").read_text().startswith("# Reproducing")
    assert (tmp_path / "fig_ratio.png").exists() and (tmp_path / "fig_scaling.png").exists()
    results = sw.read_results(tmp_path / sw.RESULTS)
    # sweep 3x3 + controls (2 sizes x longer, matched, trivial) + groups 3
    assert len(results) == 9 + 6 + 3
    grouped = [r for r in results if "groups=" in r["key"]]
    assert len(grouped) == 3 and len(grouped[0]["person_exposures"]) == 6
    assert {r["exposures_per_bio"] >= 0 and "bits_per_param" in r for r in results} == {True}
    assert rep.claims[2].numbers or rep.claims[2].verdict == C.NOT_TESTED
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


def test_bracket_rule_when_the_fit_cannot_place_the_transition():
    # three sizes, the jump between the first two: no fit, but a rise within a factor < 9
    rows = [_row(s, n, 0.04, a) for (s, n), a in zip(SIZES[:3], (0.07, 0.84, 0.98), strict=True)]
    rows += [_row(s, n, 0.01, 0.0) for s, n in SIZES[:3]]
    c2 = C.transition_in_size(rows)
    assert c2.verdict == C.HELD and "bracket" in c2.summary
    assert C.bracket([6000, 12000, 20000], [0.07, 0.84, 0.98]) == (6000.0, 12000.0)
    assert C.bracket([1, 10, 100], [0.0, 0.5, 0.9]) is None  # rise over 100x: not sharp
    assert C.bracket([1, 2, 4], [0.2, 0.5, 0.9]) is None  # does not start near zero


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
