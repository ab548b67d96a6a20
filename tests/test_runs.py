"""Run selection (mixphase.runs): the main sweep, its web-only runs and its controls."""

from __future__ import annotations

from mixphase import runs as R


def _key(size, r, seed=0, steps=4000, extra=""):
    return f"small|{size}|r={r:g}|seed={seed}|data=0|steps={steps}|bs=1024|lr=0.01{extra}"


def _row(size, r, seed=0, steps=4000, extra="", params=6624, **kw):
    return {"key": _key(size, r, seed, steps, extra), "size": size, "params": params, "ratio": r,
            "seed": seed, "steps": steps, **kw}  # fmt: skip


def gpu_like_rows():
    """The committed GPU reproduce's layout: sweep, extra seeds, controls, groups, subsampling."""
    rows = []
    for i, size in enumerate(("d16", "d24", "d32")):
        rows.append(_row(size, 0.0, params=6000 * (i + 1)))
        rows += [_row(size, r, params=6000 * (i + 1)) for r in (0.01, 0.02, 0.04, 0.08)]
    rows.append(_row("d16", 0.08, seed=1))  # a control's base at a second seed: same experiment
    rows.append(_row("d16", 0.24, seed=0))  # the matched-exposure run: same configuration
    rows.append(_row("d16", 0.08, steps=12000))  # 3x steps
    rows += [_row("d16", 0.08, seed=s, extra="|facts=10") for s in (0, 1)]  # trivial web
    rows += [_row(s, 0.2, extra="|people=200|groups=100x1.5") for s in ("d16", "d24", "d32")]
    rows += [_row("d32", 0.005, seed=s, extra=f"|people={p}") for s in (0, 1) for p in (15, 24)]
    return rows


def test_main_sweep_keeps_only_the_main_configuration():
    # Bug (issue 14): grouping by (steps, web) kept the power-law-group runs (200 people) and the
    # subsampling runs (15, 24 people) as extra seeds of the sweep.
    rows = gpu_like_rows()
    main = R.main_sweep_rows(rows)
    keys = {r["key"] for r in main}
    assert len(main) == 3 * 4 + 2
    assert not any("people=" in k or "groups=" in k or "facts=" in k for k in keys)
    assert all(r["steps"] == 4000 and r["ratio"] > 0 for r in main)
    assert _key("d16", 0.08, seed=1) in keys and _key("d16", 0.24) in keys
    assert [r["size"] for r in R.web_only_rows(rows)] == ["d16", "d24", "d32"]


def test_controls_and_differences():
    rows = gpu_like_rows()
    main = R.main_config(rows)
    ctl = R.controls(rows)
    assert len(ctl) == 5  # 3x steps, trivial web, groups, two subsample sizes
    long = next(rs for c, rs in ctl.items() if "steps=12000" in c)
    assert R.differences(long[0], main) == {"steps": ("4000", "12000")}
    assert R.differences(_row("d16", 0.08, extra="|facts=10"), main) == {"facts": (None, "10")}
    assert R.config_id(_row("d16", 0.01, seed=3)) == R.config_id(_row("d32", 0.5, seed=0))
    assert R.replicate_id(_row("d16", 0.01, seed=3)) == ("3", "0", None)


def test_rows_without_keys_pass_unchanged_and_hand_made_keys_use_row_fields():
    plain = [{"params": 1e4, "ratio": r, "accuracy": 0.5} for r in (0.0, 0.1, 0.2)]
    assert R.main_sweep_rows(plain) == plain
    hand = [{"key": f"k{i}", "size": "a", "params": 1, "ratio": r, "steps": s}
            for i, (r, s) in enumerate([(0.1, 10), (0.2, 10), (0.3, 10), (0.2, 30)])]  # fmt: skip
    assert [r["ratio"] for r in R.main_sweep_rows(hand)] == [0.1, 0.2, 0.3]


def test_figures_and_advise_read_only_the_main_sweep(tmp_path):
    # The same bug through the readers that existed before mixphase.runs: figures 1-3 and advise
    # --calibrate averaged the frequency-group and subsampling runs in as extra seeds. Figures
    # now read the main sweep; advise (issue 13) models each run's configuration: group runs and
    # other webs are left out, a subsampled run keeps its own number of people.
    import json

    from mixphase.advise.runs import calibration_data
    from mixphase.paper_figures._common import load_validate_results

    def realistic(r):
        people = int(r["key"].split("people=")[1].split("|")[0]) if "people=" in r["key"] else 40
        bio = {"n_people": people, **({"n_groups": 100} if "groups=" in r["key"] else {})}
        web = {"n_facts": 10 if "facts=10" in r["key"] else 50000}
        return {**r, "memorization_accuracy": 0.5, "bio_correct": 100, "bio_total": 200,
                "n_people": people, "data": {"web": web, "bio": bio}}  # fmt: skip

    rows = [realistic(r) for r in gpu_like_rows()]
    f = tmp_path / "results.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert len(load_validate_results(f)) == 3 * 4 + 2
    cal = calibration_data(rows)
    kept = 3 * 4 + 2 + 1 + 4  # main sweep, the 3x-steps control, the 4 subsampling runs
    assert cal.sizes.size == kept
    assert sorted(set(cal.facts.tolist())) == [15.0, 24.0, 40.0]


def test_calibration_rows_keep_configurations_the_model_describes():
    """advise --calibrate models each run's length, seeds and people, so those stay; web-only
    runs, popularity groups and another web (a control that frees capacity) are left out."""
    main_web = {"web": {"facts": 100000}}
    rows = [_row("d16", 0.0, data=main_web), _row("d16", 0.04, data=main_web),
            _row("d16", 0.04, steps=12000, data=main_web), _row("d16", 0.04, seed=1, data=main_web),
            _row("d16", 0.04, extra="|people=15", data={**main_web, "bio": {"n_people": 15}}),
            _row("d16", 0.04, extra="|groups=100x1.5", data={**main_web, "bio": {"n_groups": 100}}),
            _row("d16", 0.04, extra="|facts=10", data={"web": {"facts": 10}})]  # fmt: skip
    kept = R.calibration_rows(rows)
    assert [r["key"] for r in kept] == [r["key"] for r in rows[1:5]]
    plain = [{"ratio": 0.0, "accuracy": 0.1}, {"ratio": 0.1, "accuracy": 0.9}]  # a user's CSV rows
    assert R.calibration_rows(plain) == plain
