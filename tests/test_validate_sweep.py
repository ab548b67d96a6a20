"""Sweeps: resumable results file, skipped finished runs, and the comparison with the theory."""

import json
import math

import numpy as np
import pytest

from mixphase.validate import sweep as sw
from mixphase.validate.report import compare

FAST = {"steps": 15, "batch_size": 8, "n_people": 4, "web_facts": 100, "warmup": 2,
        "log_every": 0}  # fmt: skip


def test_sweep_resumes_after_interruption(tmp_path, monkeypatch):
    from mixphase.validate import workers

    runs = sw.plan("tiny", sizes=[0], ratios=[0.1, 0.5], **FAST)
    assert [r.ratio for r in runs] == [0.0, 0.1, 0.5]  # web-only run first
    real = workers.run_group
    calls = []

    def flaky(cfgs, *a, **k):
        calls.append([c.ratio for c in cfgs])
        if len(calls) == 2:
            raise KeyboardInterrupt  # killed while the second run is in flight
        return real(cfgs, *a, **k)

    monkeypatch.setattr(workers, "run_group", flaky)
    with pytest.raises(KeyboardInterrupt):
        sw.execute(runs, tmp_path, ensemble=False)
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["ratio"] == 0.0

    monkeypatch.setattr(workers, "run_group", real)
    done = []
    res = sw.execute(runs, tmp_path, echo=done.append)  # the rest as one ensemble
    assert len(res) == 3 and sorted(r["ratio"] for r in res) == [0.0, 0.1, 0.5]
    assert done[0].startswith("1 of 3 runs already done")
    assert {r["ensemble_size"] for r in res} == {1, 2}
    # a third start runs nothing and keeps the file as is
    before = (tmp_path / "results.jsonl").read_text()
    sw.execute(runs, tmp_path, echo=done.append)
    assert (tmp_path / "results.jsonl").read_text() == before
    assert done[-1].startswith("3 of 3 runs already done")


def test_a_result_that_missed_the_journal_is_recovered(tmp_path, monkeypatch):
    runs = sw.plan("tiny", sizes=[0], ratios=[0.2], web_only=False, **FAST)
    sw.execute(runs, tmp_path)
    (tmp_path / "results.jsonl").write_text("")  # killed after result.json, before the append
    from mixphase.validate import workers

    monkeypatch.setattr(workers, "run_group", lambda *a, **k: pytest.fail("retrained"))
    msgs = []
    res = sw.execute(runs, tmp_path, echo=msgs.append)
    assert len(res) == 1 and any(m.startswith("recovered") for m in msgs)


def test_old_engine_results_are_not_resumed(tmp_path):
    from mixphase.errors import MixphaseInputError

    runs = sw.plan("tiny", sizes=[0], ratios=[0.2], web_only=False, **FAST)
    old = {"key": "tiny|old", "memorization_accuracy": 0.5, "web_loss": 1.0}  # no engine_version
    (tmp_path / "results.jsonl").write_text(json.dumps(old) + "\n")
    with pytest.raises(MixphaseInputError, match="engine 1"):
        sw.execute(runs, tmp_path)
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 1


def test_read_results_ignores_a_torn_line(tmp_path):
    p = tmp_path / "results.jsonl"
    p.write_text('{"key": "a", "x": 1}\n{"key": "b", "x"')
    warned = []
    assert [r["key"] for r in sw.read_results(p, warn=warned.append)] == ["a"]
    assert warned == [f"{p}:2: skipped (torn last line)"]


RATIOS = np.geomspace(0.005, 0.32, 7)


def fake_results(alpha=0.2, sizes=(5e3, 1e4, 2e4, 4e4), ratios=RATIOS):
    """Accuracy curves with r_c/(1-r_c) = c * params^-(alpha+1), and web loss ~ params^-alpha."""
    out = []
    for n in sizes:
        odds_c = 0.05 * (n / 1e4) ** -(alpha + 1)
        rc = odds_c / (1 + odds_c)
        out.append({"key": f"{n}|0", "size": f"s{n:g}", "params": n, "ratio": 0.0, "seed": 0,
                    "steps": 1, "memorization_accuracy": 0.0, "bio_correct": 0, "bio_total": 200,
                    "web_loss": 3.0 * (n / 1e4) ** -alpha, "data": {"kind": "synthetic"}})  # fmt: skip
        for r in ratios:
            acc = 1 / (1 + (rc / r) ** 6)
            out.append({"key": f"{n}|{r}", "size": f"s{n:g}", "params": n, "ratio": float(r),
                        "seed": 0, "steps": 1, "memorization_accuracy": acc,
                        "bio_correct": round(acc * 200), "bio_total": 200,
                        "web_loss": 3.0 * (n / 1e4) ** -alpha})  # fmt: skip
    return out


def test_compare_recovers_a_planted_exponent(tmp_path):
    rep = compare(fake_results(alpha=0.2), scatter=0.05)
    assert len(rep.transitions) == 4
    assert sum(t.critical is not None for t in rep.transitions) >= 3  # one may sit at an edge
    assert rep.web_law["alpha"].median == pytest.approx(0.2, abs=0.03)
    e = rep.scaling.numbers["fitted_exponent"]
    assert e.lower < -1.2 < e.upper
    assert rep.scaling.numbers["judged_against"] == "-(alpha+1)"  # no stored bits recorded
    assert rep.verdict in ("held", "inconclusive")
    rep.save(tmp_path)
    d = json.loads((tmp_path / "report.json").read_text())
    assert d["critical_ratio_power_law"]["verdict"] == rep.verdict and len(d["transitions"]) == 4
    assert (tmp_path / "sweep.png").exists()
    assert rep.verdict.upper() in str(rep)


def test_compare_says_when_it_does_not_hold():
    res = fake_results(alpha=0.2)
    for r in res:  # web loss that falls much faster -> a predicted exponent far from -1.2
        r["web_loss"] = 3.0 * (r["params"] / 1e4) ** -2.0
    rep = compare(res, scatter=0.05)
    assert rep.verdict == "did not hold" and "DID NOT HOLD" in str(rep)
    for t in [t for t in rep.transitions if t.critical is not None]:
        assert t.critical.lower <= t.critical.median <= t.critical.upper
    assert math.isfinite(rep.scaling.numbers["fitted_exponent"].median)


@pytest.mark.parametrize("backend", ["ray", "submitit"])
def test_a_backend_not_installed_is_a_clear_error(tmp_path, monkeypatch, backend):
    import sys

    from mixphase.errors import MixphaseInputError

    monkeypatch.setitem(sys.modules, backend, None)  # as if not installed: import fails
    runs = sw.plan("tiny", sizes=[0], ratios=[0.1], web_only=False, **FAST)
    with pytest.raises(MixphaseInputError, match=f"mixphase\\[{backend}\\]"):
        sw.execute(runs, tmp_path / "out", backend=backend)
    assert not (tmp_path / "out").exists()  # checked before anything is written
