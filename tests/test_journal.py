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
