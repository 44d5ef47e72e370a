"""The screening app's decision store and the pieces of its pages that are pure: every action
a file, undo as a new row, retries applied once, a torn action carried over, text escaped."""

from __future__ import annotations

import csv
import os
import threading

import pytest

from prismaflow.app.store import DecisionStore
from prismaflow.app.web import highlight
from prismaflow.errors import InputFileError
from prismaflow.screen.reviewers import read_sheet

TA = "title_abstract"
REASONS = {"off_topic": {"label": "Off-topic", "phase": "both"}}


def history(store, reviewer="ana"):
    return [
        (a.kind, a.record, a.values.get("decision"))
        for a in store.history(phase=TA, reviewer=reviewer)
    ]


def sheet(store, reviewer="ana"):
    return [
        (r["record"], r["decision"], r["reason"]) for r in store.rows(phase=TA, reviewer=reviewer)
    ]


def test_a_decision_replaces_the_earlier_one_and_undo_restores_it(tmp_path):
    store = DecisionStore(tmp_path)
    store.decide(TA, "ana", "r1", "include")
    store.decide(TA, "ana", "r2", "exclude", "off_topic")
    store.decide(TA, "ana", "r1", "maybe")
    assert sheet(store) == [("r2", "exclude", "off_topic"), ("r1", "maybe", "")]
    assert store.undo(phase=TA, reviewer="ana").record == "r1"  # the latest standing decision
    assert sheet(store) == [("r2", "exclude", "off_topic"), ("r1", "include", "")]
    store.undo(phase=TA, reviewer="ana")
    store.undo(phase=TA, reviewer="ana")
    assert sheet(store) == [] and store.undo(phase=TA, reviewer="ana") is None
    assert history(store) == [
        ("decide", "r1", "include"),
        ("decide", "r2", "exclude"),
        ("decide", "r1", "maybe"),
        ("undo", "r1", None),
        ("undo", "r2", None),
        ("undo", "r1", None),
    ]
    index = {"r1": "r1", "r2": "r2"}
    store.decide(TA, "ana", "r2", "exclude", "off_topic")
    assert [
        d.record_id for d in read_sheet(store.sheet(phase=TA, reviewer="ana"), TA, REASONS, index)
    ] == ["r2"]


def test_a_retried_action_is_applied_once(tmp_path):
    store = DecisionStore(tmp_path)
    first = store.decide(TA, "ana", "r1", "include", action_id="a1")
    again = store.decide(TA, "ana", "r1", "exclude", "off_topic", action_id="a1")
    assert again == first and sheet(store) == [("r1", "include", "")] and len(history(store)) == 1


@pytest.mark.parametrize("sheet_age_ns", [1_000_000, 0], ids=["older", "same tick"])
def test_an_action_torn_by_a_crash_is_carried_into_the_sheet(tmp_path, sheet_age_ns):
    """File times are as coarse as the kernel's tick: a sheet last written in the tick its
    history gained a row may lack that row, and is carried over too."""
    store = DecisionStore(tmp_path)
    store.decide(TA, "ana", "r1", "include")
    path = store.sheet(phase=TA, reviewer="ana")
    saved = path.read_bytes()
    store.decide(TA, "ana", "r2", "maybe")
    path.write_bytes(saved)  # as if the server died after the history row, before the sheet
    old = os.stat(store.history_file(phase=TA, reviewer="ana")).st_mtime_ns - sheet_age_ns
    os.utime(path, ns=(old, old))
    store.recover(phase=TA, reviewer="ana")
    assert sheet(store) == [("r1", "include", ""), ("r2", "maybe", "")]
    # A sheet saved after the history (by hand) is left as it is.
    path.write_text("record,decision,reason,note,timestamp\nr9,include,,,\n")
    store.recover(phase=TA, reviewer="ana")
    assert sheet(store) == [("r9", "include", "")]


def test_concurrent_decisions_are_all_kept(tmp_path):
    store = DecisionStore(tmp_path)

    def decide(reviewer):
        for i in range(60):
            store.decide(TA, reviewer, f"r{i}", "include")

    workers = [threading.Thread(target=decide, args=(name,)) for name in ("ana", "ana", "ben")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(history(store)) == 120 and len(sheet(store)) == 60 and len(sheet(store, "ben")) == 60


def test_a_sheet_with_columns_the_app_does_not_write_is_refused_by_name(tmp_path):
    store = DecisionStore(tmp_path)
    path = store.sheet(phase=TA, reviewer="ana")
    path.parent.mkdir(parents=True)
    path.write_text("record,decision,verdict\nr1,include,yes\n")
    with pytest.raises(InputFileError, match=r"ana.csv, line 1: has columns .*\[.verdict.\]"):
        store.decide(TA, "ana", "r2", "include")


def test_highlighting_escapes_first_and_marks_terms_case_blind():
    marked = str(highlight('<script>alert("x")</script> Topical CREAM & cream', ["cream"]))
    assert "<script>" not in marked and "&lt;script&gt;" in marked and "&amp;" in marked
    assert marked.count("<mark>") == 2 and "<mark>CREAM</mark>" in marked
    assert str(highlight("<b>bold</b>", [])) == "&lt;b&gt;bold&lt;/b&gt;"
    assert str(highlight(None, ["x"])) == ""


def test_history_is_plain_csv_with_every_action(tmp_path):
    store = DecisionStore(tmp_path)
    store.decide(TA, "ana", "r1", "exclude", "off_topic", note="animal study, in mice")
    with store.history_file(phase=TA, reviewer="ana").open() as stream:
        rows = list(csv.DictReader(stream))
    assert rows[0]["note"] == "animal study, in mice" and rows[0]["reason"] == "off_topic"
