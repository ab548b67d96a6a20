"""Results journals: torn lines moved aside, never glued; readers skip, report and de-duplicate."""

import json

from mixphase import journal


def rec(key, **kw):
    return json.dumps({"key": key, **kw})


def test_a_torn_tail_is_moved_aside_and_the_next_record_starts_clean(tmp_path):
    p = tmp_path / "results.jsonl"
    p.write_text(rec("a") + "\n" + rec("b") + "\n" + '{"key": "c", "acc')
    msg = journal.repair(p)
    assert msg is not None and "results.jsonl:3" in msg and "torn" in msg
    aside = list(tmp_path.glob("results.jsonl.torn-*"))
    assert len(aside) == 1 and aside[0].read_text() == '{"key": "c", "acc'
    assert p.read_text() == rec("a") + "\n" + rec("b") + "\n"
    journal.append_record(p, rec("c", acc=1))
    assert [r["key"] for r in journal.read_records(p)] == ["a", "b", "c"]
    assert journal.repair(p) is None  # nothing to do now


def test_append_never_glues_onto_a_torn_tail(tmp_path):
    p = tmp_path / "results.jsonl"
    p.write_text(rec("a") + "\n" + '{"key": "b", "x"')  # no repair in between
    journal.append_record(p, rec("c"))
    j = journal.read_journal(p)
    assert [r["key"] for r in j.records] == ["a", "c"]
    assert j.skipped == [(2, "not a JSON line")]
    assert j.warnings() == [f"{p}:2: skipped (not a JSON line)"]


def test_readers_deduplicate_by_key_last_wins_and_report_line_numbers(tmp_path):
    p = tmp_path / "results.jsonl"
    p.write_text("\n".join([rec("a", v=1), "garbage", rec("b", v=2), "[1, 2]", '{"nokey": 1}',
                            rec("a", v=3)]) + "\n")  # fmt: skip
    j = journal.read_journal(p)
    assert [(r["key"], r["v"]) for r in j.records] == [("a", 3), ("b", 2)]
    assert j.duplicates == 1
    assert j.skipped == [(2, "not a JSON line"), (4, "not a JSON object"), (5, "no run key")]
    warned = []
    assert len(journal.read_records(p, warn=warned.append)) == 2
    assert len(warned) == 4 and "duplicate" in warned[-1]
    # other JSON-lines files: any object is kept
    assert len(journal.read_journal(p, require_key=False).records) == 3


def test_missing_and_empty_journals(tmp_path):
    assert journal.read_records(tmp_path / "none.jsonl") == []
    assert journal.repair(tmp_path / "none.jsonl") is None
    (tmp_path / "e.jsonl").write_text("")
    assert journal.repair(tmp_path / "e.jsonl") is None
    journal.append_record(tmp_path / "new" / "r.jsonl", rec("x"))
    assert (tmp_path / "new" / "r.jsonl").read_text() == rec("x") + "\n"


def test_every_reader_of_json_lines_goes_through_the_journal(tmp_path):
    """mixphase.readers (used by fit, advise --calibrate and the figures): a torn last line is
    skipped with a warning, a re-recorded run keeps its last record (at the line it came from),
    and any other bad line is still an error naming its line."""
    import pytest

    from mixphase.errors import MixphaseInputError
    from mixphase.readers import read_table
    from paper_figures._common import load_validate_results

    run = {"params": 6048, "steps": 10, "memorization_accuracy": 0.2}
    p = tmp_path / "results.jsonl"
    p.write_text("\n".join([rec("a", ratio=0.1, **run), rec("b", ratio=0.3, **run),
                            rec("a", ratio=0.1, **{**run, "memorization_accuracy": 0.9}),
                            '{"key": "c", "ratio": 0.']))  # fmt: skip
    with pytest.warns(UserWarning) as got:
        t = read_table(p)
    msgs = [str(w.message) for w in got]
    assert any("line 4: skipped a torn last line" in m for m in msgs)
    assert any("1 duplicate record" in m for m in msgs)
    assert [(r["key"], r["memorization_accuracy"], r.where) for r in t.records] == [
        ("a", 0.9, "line 3"), ("b", 0.2, "line 2")]  # fmt: skip
    with pytest.warns(UserWarning):
        rows = load_validate_results(tmp_path)
    assert sorted(r["memorization_accuracy"] for r in rows) == [0.2, 0.9]
    p.write_text(rec("a", ratio=0.1) + "\n" + '{"key": "b", "ratio"\n' + rec("c") + "\n")
    with pytest.raises(MixphaseInputError, match=r"results.jsonl: line 2: not valid JSON"):
        read_table(p)
