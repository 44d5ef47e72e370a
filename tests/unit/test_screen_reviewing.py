"""Dual review: agreement statistics, conflicts and adjudication; ranking; the worklist."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from prismaflow.screen.agreement import agreement, cohen_kappa, pabak
from prismaflow.screen.reviewers import ReviewerDecision
from prismaflow.screen.rules import protocol_rules
from prismaflow.screen.stage import conflicts, relevance, screen
from prismaflow.screen.worklist import worklist, write_worklist


def test_kappa_and_pabak_match_hand_computed_values():
    a = ["yes", "yes", "no", "no", "yes"]
    b = ["yes", "no", "no", "no", "yes"]
    # observed 4/5; chance 0.6*0.4 + 0.4*0.6 = 0.48; kappa = 0.32 / 0.52
    assert cohen_kappa(a, b) == pytest.approx(0.32 / 0.52)
    assert pabak(a, b) == pytest.approx(0.6)
    assert cohen_kappa(["no"] * 3, ["no"] * 3) is None  # chance agreement is total
    assert cohen_kappa([], []) is None


def decision(record, reviewer, verdict, phase="title_abstract", reason=None):
    return ReviewerDecision(
        record, phase, reviewer, verdict, reason, None, "2024-10-02", f"{reviewer}.csv"
    )


def test_agreement_rests_on_the_overlap_and_counts_open_conflicts():
    decisions = [
        decision("r1", "alice", "include"),
        decision("r1", "bob", "include"),
        decision("r2", "alice", "exclude", reason="review"),
        decision("r2", "bob", "maybe"),
        decision("r3", "alice", "exclude", reason="review"),
        decision("r3", "bob", "include"),
        decision("r4", "alice", "include"),  # only alice: not in the overlap
        decision("r3", "adjudication", "exclude", reason="review"),
    ]
    row = agreement(decisions).iloc[0]
    assert (row["reviewer_a"], row["reviewer_b"], row["overlap"]) == ("alice", "bob", 3)
    assert (row["agreements"], row["conflicts"], row["conflicts_open"]) == (1, 2, 1)
    assert row["percent_agreement"] == pytest.approx(1 / 3)
    assert row["pabak"] == pytest.approx(-1 / 3)


def frame(*titles):
    return pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(len(titles))],
            "title": list(titles),
            "abstract": [None] * len(titles),
            "keywords": [None] * len(titles),
            "publication_types": [["Journal Article"]] * len(titles),
            "language": ["eng"] * len(titles),
            "year": [2023] * len(titles),
            "journal": [None] * len(titles),
        }
    )


def test_adjudication_resolves_a_conflict(config):
    records = frame("Cream for lichen planus", "Cream for granuloma annulare")
    sheets = [
        decision("r0", "alice", "include"),
        decision("r0", "bob", "exclude", reason="off_topic"),
        decision("r0", "adjudication", "exclude", reason="off_topic"),
    ]
    rules = protocol_rules(config["screening"]["rules"], config["search"]["window"])
    decided = screen(records, sheets, rules, config["screening"]["reasons"], "humans")
    first = decided[decided["record_id"] == "r0"].iloc[0]
    assert (first["decision"], first["reason"], first["decided_by"]) == (
        "exclude",
        "off_topic",
        "adjudication",
    )
    listed = conflicts(sheets, decided)
    assert listed[["record_id", "reviewers", "adjudicated", "final_decision"]].values.tolist() == [
        ["r0", "alice=include, bob=exclude", True, "exclude"]
    ]


def test_relevance_starts_from_the_question_before_any_inclusion():
    records = frame(
        "Topical ruxolitinib cream for lichen planus",
        "Oral ruxolitinib for myelofibrosis in elderly patients",
        "Topical ruxolitinib cream in granuloma annulare",
    )
    scores, terms = relevance(records, {"r1": 0}, "topical ruxolitinib cream in skin disease")
    assert scores[0] > scores[1] and scores[2] > scores[1]
    assert "cream" in terms[0]


def test_rule_exclusions_and_reviewers_teach_the_model_but_its_own_decisions_do_not():
    from prismaflow.screen.stage import training_labels

    rows = [
        {"record_id": "a", "phase": "title_abstract", "decision": "exclude", "decided_by": "rule"},
        {"record_id": "b", "phase": "title_abstract", "decision": "include", "decided_by": "alice"},
        {"record_id": "c", "phase": "title_abstract", "decision": "include", "decided_by": "model"},
        {"record_id": "b", "phase": "full_text", "decision": "exclude", "decided_by": "bob"},
    ]
    assert training_labels(rows) == {"a": 0, "b": 1}


def test_before_any_exclusion_records_rank_by_likeness_to_the_question_not_by_their_order():
    records = frame("cardiac surgery outcomes", "an unrelated survey", "topical cream in alopecia")
    scores, terms = relevance(records, {}, "topical cream for alopecia")
    assert scores.argmax() == 2 and "alopecia" in terms[2] and terms[1] == ""
    # An inclusion joins the question in what records are likened to.
    scores, _ = relevance(records, {"r0": 1}, "topical cream for alopecia")
    assert scores[0] > scores[1]


def test_worklist_lists_undecided_records_best_first_and_neutralises_formulas(config, tmp_path):
    records = frame(
        '=HYPERLINK("x") cream for lichen planus',
        "Cream for alopecia areata",
        "Ruxolitinib cream for vitiligo",
    )
    decisions = pd.DataFrame(
        {
            "record_id": ["r0", "r1", "r2"],
            "phase": ["title_abstract"] * 3,
            "decision": ["include", "include", "exclude"],
            "decided_by": ["model", "model", "rule"],
            "score": [0.2, 0.9, None],
            "score_terms": ["lichen", "alopecia", None],
        }
    )
    pending = worklist(decisions, records)
    assert pending["record"].tolist() == ["r1", "r0"] and pending["rank"].tolist() == [1, 2]
    path = tmp_path / "worklist.xlsx"
    write_worklist(pending, path, config["screening"]["reasons"])
    sheet = load_workbook(path)["title_abstract"]
    header = [c.value for c in sheet[1]]
    assert header[header.index("decision") :] == ["decision", "reason", "note", "timestamp"]
    titles = [row[header.index("title")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles[1].startswith("'=HYPERLINK")
    codes = [
        r[0] for r in load_workbook(path)["reason codes"].iter_rows(min_row=2, values_only=True)
    ]
    assert "off_topic_on_label" in codes


def test_full_text_decisions_note_open_access_from_a_pmcid(config):
    records = frame("Cream for lichen planus", "Cream for granuloma annulare").assign(
        pmcid=["PMC123", None]
    )
    rules = protocol_rules(config["screening"]["rules"], config["search"]["window"])
    decided = screen(records, [], rules, config["screening"]["reasons"], "machine")
    full_text = decided[decided["phase"] == "full_text"].set_index("record_id")
    assert full_text.loc["r0", "open_access"] == "PubMed Central PMC123"
    assert full_text.loc["r1", "open_access"] is None
    assert decided.loc[decided["phase"] == "title_abstract", "open_access"].isna().all()


REASONS = {
    "off_topic": {"label": "Off-topic", "phase": "both"},
    "unscreened": {"label": "Not screened: stopping criterion met", "phase": "both"},
}


def test_a_record_the_protocol_gives_two_reviewers_awaits_the_second_under_humans():
    from prismaflow.screen.double import reviewers_needed

    records = frame("alpha trial", "beta trial", "gamma trial")
    sheets = [
        decision("r0", "alice", "include"),
        decision("r1", "alice", "include"),
        decision("r1", "bob", "include"),
    ]
    both = {"double_screening": {"share": 1.0, "seed": 1}}
    rows = screen(records, sheets, [], REASONS, "humans", settings=both).set_index("record_id")
    ta = rows[rows["phase"] == "title_abstract"]
    assert ta.loc["r0", "decision"] == "awaiting" and "1 of the 2 reviewers" in ta.loc["r0", "note"]
    assert ta.loc["r1", "decision"] == "include" and ta.loc["r1", "decided_by"] == "alice+bob"
    # One reviewer is enough where the protocol says so, and under machine completeness.
    one = screen(records, sheets, [], REASONS, "humans").set_index("record_id")
    assert one.loc["r0"].query("phase == 'title_abstract'")["decision"].item() == "include"
    # A share draws records by their ids: stable, about the share asked for.
    ids = [f"pubmed:{i}" for i in range(4000)]
    half = [reviewers_needed(i, {"share": 0.25, "seed": 7}) for i in ids]
    assert 0.22 < half.count(2) / len(ids) < 0.28
    assert half == [reviewers_needed(i, {"share": 0.25, "seed": 7}) for i in ids]
    assert half != [reviewers_needed(i, {"share": 0.25, "seed": 8}) for i in ids]


def test_once_the_stopping_criterion_is_met_unseen_records_are_excluded_with_its_reason():
    titles = [f"trial of drug {i}" for i in range(300)]
    records = frame(*titles)
    # 50 relevant records found first, then 150 irrelevant in a row: for recall 90 % at least
    # 6 would have to remain among the 250 left before the run, and drawing none in 150 has
    # p = 0.004. (After 10 relevant, 2 would have to remain: p = 0.23, not enough.)
    sheets = [
        decision(
            f"r{i}",
            "alice",
            "include" if i < 50 else "exclude",
            reason=None if i < 50 else "off_topic",
        )
        for i in range(200)
    ]
    sheets = [
        d.__class__(**{**d.__dict__, "timestamp": f"2024-10-02T10:{i // 60:02d}:{i % 60:02d}"})
        for i, d in enumerate(sheets)
    ]
    stop = {"recall": 0.9, "confidence": 0.9, "apply": True, "reason": "unscreened"}
    rows = screen(records, sheets, [], REASONS, "humans", settings={"stopping": stop})
    ta = rows[rows["phase"] == "title_abstract"].set_index("record_id")
    stopped = ta[ta["decided_by"] == "stopping"]
    assert len(stopped) == 100 and set(stopped["reason"]) == {"unscreened"}
    assert "criterion (Callaghan & Müller-Hansen 2020) met" in stopped["note"].iloc[0]
    assert "after 200 of 300 records screened (50 relevant)" in stopped["note"].iloc[0]
    # Not met: the records await a reviewer, as before.
    early = screen(records, sheets[:60], [], REASONS, "humans", settings={"stopping": stop})
    assert (early["decided_by"] == "stopping").sum() == 0


def test_a_filled_worklist_is_read_back_as_it_is_blank_rows_and_all(config, tmp_path):
    import csv

    from prismaflow.screen.reviewers import read_sheet

    records = frame("Cream for alopecia areata", "Cream for lichen planus", "A third record")
    decisions = pd.DataFrame(
        {
            "record_id": ["r0", "r1", "r2"],
            "phase": ["title_abstract"] * 3,
            "decision": ["include"] * 3,
            "decided_by": ["model"] * 3,
            "score": [0.9, 0.5, 0.1],
            "score_terms": ["alopecia", "lichen", ""],
        }
    )
    reasons = config["screening"]["reasons"]
    path = tmp_path / "title_abstract" / "ana.xlsx"
    write_worklist(worklist(decisions, records), path, reasons)
    book = load_workbook(path)
    sheet = book["title_abstract"]
    header = [c.value for c in sheet[1]]
    lists = {str(rule.sqref)[0]: rule.formula1 for rule in sheet.data_validations.dataValidation}
    letter = {name: chr(ord("A") + i) for i, name in enumerate(header)}
    assert "maybe" in lists[letter["decision"]] and "not_retrieved" not in lists[letter["decision"]]
    assert "off_topic" in lists[letter["reason"]]
    sheet.cell(2, header.index("decision") + 1, "include")
    sheet.cell(3, header.index("decision") + 1, "exclude")
    sheet.cell(3, header.index("reason") + 1, "off_topic")  # the third row is left blank
    book.save(path)
    index = {r: r for r in ("r0", "r1", "r2")}
    read = read_sheet(path, "title_abstract", reasons, index)
    assert [(d.record_id, d.decision, d.reason) for d in read] == [
        ("r0", "include", None),
        ("r1", "exclude", "off_topic"),
    ]
    # The same sheet saved as CSV, every column kept.
    as_csv = path.with_suffix(".csv")
    with as_csv.open("w", newline="") as stream:
        csv.writer(stream).writerows(sheet.iter_rows(values_only=True))
    assert [d.record_id for d in read_sheet(as_csv, "title_abstract", reasons, index)] == [
        "r0",
        "r1",
    ]
    # A row saved in the wrong phase's folder names the folder it belongs to.
    with pytest.raises(Exception, match="save that phase's worklist sheet in config/decisions/"):
        read_sheet(as_csv, "full_text", reasons, index)


def test_seed_records_rank_what_is_like_them_first_before_anyone_decides():
    records = frame(
        "granuloma annulare treated with a cream",
        "cardiac surgery outcomes",
        "a cream for granuloma annulare in two patients",
        "an unrelated survey",
    )
    rows = screen(records, [], [], REASONS, "humans", question="any question", seeds=["r0"]).query(
        "phase == 'title_abstract'"
    )
    scores = dict(zip(rows["record_id"], rows["score"], strict=True))
    assert max(("r1", "r2", "r3"), key=scores.get) == "r2"
