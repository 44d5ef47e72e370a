"""The app's forms without a browser: extraction and risk-of-bias sheets written as the
workflow reads them, a history that survives a change of the protocol's form, full texts
confined to their folder, the machine's source spans, and what a form refuses."""

from __future__ import annotations

import csv
import json

import pytest

from prismaflow.app.forms import BiasForms, ExtractionForms, Highlighted, excerpt
from prismaflow.app.full_texts import FullTexts
from prismaflow.app.store import SheetStore, extraction_layout
from prismaflow.appraise.tools import TOOLS
from prismaflow.errors import InputFileError
from prismaflow.extract.patterns import source_span
from prismaflow.extract.reviewers import read_sheets

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def forms(config, tmp_path):
    return ExtractionForms(tmp_path, config["extraction"])


def test_a_saved_form_is_a_sheet_the_workflow_reads_and_a_json_history(forms, config):
    forms.save("ana", "r1", {"n_patients": "12", "duration_weeks": "8 weeks"}, "a1")
    forms.save("ana", "r1", {"n_patients": "14"}, "a2")  # a new save replaces the row
    sheet = forms.store.sheet(reviewer="ana")
    read = read_sheets([sheet], forms.fields, {"r1": "r1"}, {"r1"})
    assert read.problems == []
    assert {(v.field, v.value) for v in read.values} == {("n_patients", 14)}
    history = forms.store.history(reviewer="ana")
    assert [(a.id, a.values["n_patients"]) for a in history] == [("a1", "12"), ("a2", "14")]
    raw = forms.store.history_file(reviewer="ana").read_text().splitlines()
    assert raw[0] == "action,id,record_id,values,timestamp"
    first = next(csv.reader([raw[1]]))
    assert json.loads(first[3])["duration_weeks"] == "8 weeks"


def test_the_history_survives_a_field_added_to_the_protocol(forms, config, tmp_path):
    forms.save("ana", "r1", {"n_patients": "12"}, "a1")
    fields = [spec.name for spec in forms.fields]
    later = SheetStore(tmp_path, extraction_layout([*fields, "new_field"]))
    later.put(("r2",), {"new_field": "x"}, "a2", reviewer="ana")
    assert [a.id for a in later.history(reviewer="ana")] == ["a1", "a2"]
    assert [r["record_id"] for r in later.rows(reviewer="ana")] == ["r1", "r2"]


def test_a_reviewer_with_an_xlsx_sheet_is_not_given_a_second_one(forms):
    folder = forms.store.sheet(reviewer="ana").parent
    folder.mkdir(parents=True)
    (folder / "ana.xlsx").write_bytes(b"")
    with pytest.raises(InputFileError, match=r"ana.xlsx: is this reviewer's sheet.*ana.csv"):
        forms.save("ana", "r1", {"n_patients": "12"}, "a1")
    assert not forms.store.sheet(reviewer="ana").exists()


def test_typos_are_named_by_field_as_the_gate_would(forms):
    problems = forms.problems({"n_patients": "a dozen", "duration_weeks": "3 months"})
    assert problems == {
        "n_patients": "'a dozen' is not a number (write a number of patients)",
        "duration_weeks": "'3 months' is not in weeks",
    }
    assert forms.problems({"n_patients": "NR", "duration_weeks": "12 wk"}) == {}


def test_the_adjudicator_settles_one_field_at_a_time(forms):
    forms.settle("r1", "n_patients", "12", "s1")
    forms.settle("r1", "duration_weeks", "8", "s2")
    row = forms.own("adjudication", "r1")
    assert (row["n_patients"], row["duration_weeks"]) == ("12", "8")


def test_machine_spans_are_read_back_from_their_source():
    assert source_span('abstract[197:207] "1.5% cream"') == ("abstract", 197, 207)
    assert source_span("abstract[503:645]") == ("abstract", 503, 645)
    assert source_span('publication_types "Case Reports"') is None
    assert source_span("derived from n_patients=1 and response=partial") is None
    assert source_span(None) is None


def test_highlighting_keeps_the_earlier_of_overlapping_spans():
    text = "a 46-year-old woman was treated"
    shown = Highlighted("abstract", text, ((2, 19, "n_patients"), (2, 13, "age"), (24, 31, "x")))
    assert shown.pieces() == [
        ("a ", None),
        ("46-year-old", "age"),
        (" woman was ", None),
        ("treated", "x"),
        ("", None),
    ]
    assert "".join(piece for piece, _ in shown.pieces()) == text
    before, span, after = excerpt("one two three four five six", 8, 13, around=5)
    assert (before, span, after) == ("…two ", "three", " four…")


@pytest.fixture
def full_texts(tmp_path):
    (tmp_path / "full_texts").mkdir()
    (tmp_path / "full_texts" / "smith.pdf").write_bytes(PDF)
    (tmp_path / "secret.pdf").write_bytes(PDF)
    (tmp_path / "full_texts" / "notes.txt").write_text("not a pdf")
    (tmp_path / "full_texts" / "leak.pdf").symlink_to(tmp_path / "secret.pdf")
    return FullTexts(tmp_path, "full_texts")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("../secret.pdf", "is not under the full-text folder full_texts/"),
        ("/etc/passwd", "is not under the full-text folder full_texts/"),
        ("leak.pdf", "is not under the full-text folder full_texts/"),
        (".", "is not under the full-text folder full_texts/"),
        ("absent.pdf", "full_texts/absent.pdf: does not exist"),
        ("notes.txt", "full_texts/notes.txt: is not a PDF"),
    ],
)
def test_only_pdfs_under_the_folder_are_attached(full_texts, given, message):
    with pytest.raises(InputFileError, match=message):
        full_texts.point("r1", given, "ana", None)
    assert full_texts.attached() == {}


def test_an_upload_is_saved_under_the_folder_and_a_moved_file_is_named(full_texts, tmp_path):
    with pytest.raises(InputFileError, match="is not a PDF"):
        full_texts.upload("pubmed:1", "x.pdf", b"<html>", "ana", None)
    full_texts.upload("pubmed:1", "../../x.pdf", PDF, "ana", "u1")
    full_texts.point("pubmed:2", "smith.pdf", "ben", "p1")
    found = full_texts.attached()
    assert found["pubmed:1"].path == tmp_path / "full_texts" / "pubmed_1.pdf"
    assert (found["pubmed:2"].file, found["pubmed:2"].attached_by) == ("smith.pdf", "ben")
    (tmp_path / "full_texts" / "smith.pdf").unlink()
    moved = full_texts.attached()["pubmed:2"]
    assert moved.path is None and "smith.pdf: does not exist" in moved.problem


def test_the_risk_of_bias_form_refuses_what_the_gate_would(tmp_path):
    forms = BiasForms(tmp_path, {"tools": {"trial": "rob2"}, "reviewers": 2})
    rob2 = TOOLS["rob2"]
    low = {f"D{i}": ("low", "") for i in range(1, 6)}
    assert forms.problems(rob2, low | {"D1": ("moderate", "")}) == {
        "D1": "'moderate' is not one of: low, some concerns, high"
    }
    changed = low | {"overall": ("high", "")}
    assert "gives 'low' from the domains" in forms.problems(rob2, changed)["overall"]
    assert forms.problems(rob2, low | {"overall": ("high", "baseline imbalance")}) == {}
    assert forms.proposed(rob2, low | {"D3": ("high", "")}) == "high"
    forms.save("ana", "r1", low | {"overall": ("", "")}, "f1")
    assert forms.own("ana", "r1")["D1"] == ("low", "")
    assert [a.id for a in forms.store.history(reviewer="ana")][:2] == ["f1-D1", "f1-D2"]


def test_a_domain_left_to_the_answers_takes_the_algorithms_judgement(tmp_path):
    forms = BiasForms(tmp_path, {"tools": {"trial": "rob2"}, "reviewers": 2})
    rob2 = TOOLS["rob2"]
    answered = {"1.1": ("y", ""), "1.2": ("n", ""), "1.3": ("n", "")}  # concealment failed
    assert forms.completed(rob2, answered | {"D1": ("", "")})["D1"] == ("high", "")
    assert forms.completed(rob2, {"1.1": ("y", ""), "D1": ("", "")})["D1"] == ("", "")
    problems = forms.problems(rob2, answered | {"D1": ("low", ""), "1.3": ("maybe", "")})
    assert problems == {
        "1.3": "'maybe' is not one of: y, py, pn, n, ni",
        "D1": "RoB 2 (randomised trials) gives 'high' from the signalling answers: say why you "
        "judge 'low' instead, in the support",
    }
    assert forms.problems(rob2, answered | {"D1": ("low", "sealed envelopes")}) == {}
    forms.save("ana", "r1", answered | {"D1": ("high", "")}, "f1")
    forms.save("ana", "r1", answered | {"D1": ("high", ""), "1.3": ("y", "")}, "f2")
    assert [a.id for a in forms.store.history(reviewer="ana")] == [
        "f1-1.1",
        "f1-1.2",
        "f1-1.3",
        "f1-D1",
        "f2-1.3",  # only what changed
    ]


def test_a_new_form_starts_from_the_machine_and_a_saved_one_from_the_reviewer(forms):
    record = {
        "title": "Topical ruxolitinib for lichen planus",
        "abstract": "We treated 12 patients with ruxolitinib 1.5% cream twice daily.",
    }
    machine = forms.prefill(record)
    new = {row.spec.name: row for row in forms.shown(record, machine, None)}
    patients = new["n_patients"]
    assert (patients.machine, patients.value) == ("12", "12")
    before, words, after = patients.excerpt
    assert (
        words in record["abstract"]
        and "12" in words
        and before + words + after in (record["abstract"])
    )
    assert new["follow_up_weeks"].machine == "" and new["follow_up_weeks"].excerpt is None
    saved = {row.spec.name: row for row in forms.shown(record, machine, {"n_patients": "14"})}
    assert (saved["n_patients"].value, saved["n_patients"].machine) == ("14", "12")
    assert saved["concentration"].value == ""  # left blank by the reviewer, not refilled
