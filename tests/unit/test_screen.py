import pandas as pd
import pytest

from prismaflow.errors import InputFileError
from prismaflow.identifiers import record_index
from prismaflow.screen.reviewers import read_sheets
from prismaflow.screen.rules import (
    date_window_rule,
    first_hit,
    language_rule,
    off_topic_title_rule,
    protocol_rules,
    publication_type_rule,
    required_concept_rule,
)
from prismaflow.screen.stage import screen

WITH_ABSTRACT = {"title": "Ruxolitinib in lichen planus", "abstract": "Patients took tablets."}


def test_publication_type_rule_names_the_type():
    rule = publication_type_rule("review", ["Review", "Systematic Review"])
    hit = rule({"publication_types": ["Journal Article", "systematic review"]})
    assert (hit.reason, hit.field, hit.term) == ("review", "publication_types", "systematic review")
    assert rule({"publication_types": ["Case Reports"]}) is None
    assert rule({"publication_types": None}) is None


def test_language_rule_excludes_only_known_other_languages():
    rule = language_rule("non_english", ["eng"])
    assert rule({"language": ["fre"]}).term == "fre"
    assert rule({"language": ["eng"]}) is None
    assert rule({"language": None}) is None  # unknown language is never a reason
    assert rule({"language": []}) is None


def test_language_rule_keeps_a_record_in_an_allowed_language_among_others():
    rule = language_rule("non_english", ["eng"])
    assert rule({"language": ["fre", "eng"]}) is None
    assert rule({"language": ["fre", "ger"]}).term == "fre; ger"


def test_date_window_rule_works_at_year_precision():
    rule = date_window_rule("outside_window", None, "2024-09-30")
    assert rule({"year": 2025}).term == "2025"
    assert rule({"year": 2024}) is None  # could be before 30 September
    assert rule({"year": None}) is None
    assert date_window_rule("w", "2015-01-01", None)({"year": 2012}).term == "2012"


def test_off_topic_title_rule_respects_unless_words():
    rule = off_topic_title_rule("on_label", ["vitiligo", "atopic dermatitis"], ["alopecia"])
    assert rule({"title": "Ruxolitinib cream for Vitiligo"}).term == "Vitiligo"
    assert rule({"title": "Vitiligo and alopecia areata treated with cream"}) is None
    assert rule({"title": "Lichen planus"}) is None


def test_required_concept_rule_never_excludes_a_record_without_abstract():
    rule = required_concept_rule("off_topic_route", ["topical", "cream"])
    assert rule({"title": "Ruxolitinib in lichen planus", "abstract": None}) is None
    assert rule(WITH_ABSTRACT).reason == "off_topic_route"
    assert rule({**WITH_ABSTRACT, "keywords": ["ruxolitinib cream"]}) is None


def test_protocol_rules_follow_the_config(config):
    rules = protocol_rules(config["screening"]["rules"], config["search"]["window"])
    assert first_hit(rules, {"language": ["fre"], "publication_types": ["Review"]}).reason == (
        "non_english"
    )
    assert first_hit(rules, {"publication_types": ["Book Chapter"]}).reason == "book"
    assert (
        first_hit(
            rules,
            {
                "title": "Topical ruxolitinib for necrobiosis lipoidica",
                "abstract": "A cream.",
                "year": 2023,
            },
        )
        is None
    )


# --- reviewer sheets --------------------------------------------------------------------------

RECORDS = pd.DataFrame(
    {
        "record_id": ["pubmed:1", "pubmed:2"],
        "doi": ["10.1000/a", None],
        "pmid": ["1", "2"],
        "scopus_eid": [None, "2-s2.0-9"],
    }
)
LINKS = pd.DataFrame(
    {
        "record_id": ["pubmed:1", "scopus:2-s2.0-8", "pubmed:2"],
        "canonical_id": ["pubmed:1", "pubmed:1", "pubmed:2"],
    }
)


def sheet(tmp_path, text, stage="title_abstract", reviewer="alice"):
    path = tmp_path / stage / f"{reviewer}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read(config, *paths):
    return read_sheets(paths, config["screening"]["reasons"], record_index(RECORDS, LINKS))


def test_records_are_resolved_by_id_doi_pmid_or_member_id(config, tmp_path):
    path = sheet(
        tmp_path,
        "record,decision,reason,note,timestamp\n"
        "10.1000/A,include,,,2024-10-02\n"
        "2,exclude,review,narrative,2024-10-02T10:00\n",
    )
    decisions = read(config, path)
    assert [(d.record_id, d.decision, d.reviewer) for d in decisions] == [
        ("pubmed:1", "include", "alice"),
        ("pubmed:2", "exclude", "alice"),
    ]
    other = sheet(tmp_path, "record,decision\nscopus:2-s2.0-8,maybe\n", reviewer="bob")
    assert read(config, other)[0].record_id == "pubmed:1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("record,decision\n99999,include\n", "line 2: unknown record '99999'"),
        ("record,decision,reason\n1,exclude,typo\n", "line 2: unknown reason code 'typo'"),
        ("record,decision\n1,exclude\n", "line 2: an exclusion needs a reason code"),
        (
            "record,decision\n1,include\n2,include\n1,maybe\n",
            "line 4: alice decided record pubmed:1 twice (also on line 2)",
        ),
        ("record,decision\n1,inclde\n", "line 2: column decision: 'inclde' is not one of"),
        ("record,verdict\n1,include\n", "line 1: header has missing columns ['decision']"),
        ("record,decision\n1,not_retrieved\n", "line 2: not_retrieved is a full-text decision"),
        ("record,decision,timestamp\n1,include,yesterday\n", "line 2: column timestamp"),
    ],
)
def test_sheet_errors_name_file_and_line(config, tmp_path, text, message):
    path = sheet(tmp_path, text)
    with pytest.raises(InputFileError) as error:
        read(config, path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_full_text_reasons_are_refused_at_title_abstract(config, tmp_path):
    path = sheet(tmp_path, "record,decision,reason\n1,exclude,no_outcome_data\n")
    with pytest.raises(InputFileError, match="unknown reason code 'no_outcome_data'"):
        read(config, path)


def test_a_sheet_that_is_not_utf8_is_refused_with_its_line(config, tmp_path):
    path = tmp_path / "title_abstract" / "carol.csv"
    path.parent.mkdir()
    path.write_bytes("record,decision,note\n1,include,ok\n2,include,caf\xe9\n".encode("cp1252"))
    with pytest.raises(InputFileError, match=r"carol\.csv, line 3: is not UTF-8"):
        read(config, path)


# --- the stage --------------------------------------------------------------------------------


def records(*titles):
    return pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(len(titles))],
            "title": list(titles),
            "abstract": [None] * len(titles),
            "publication_types": [["Journal Article"]] * len(titles),
            "language": ["eng"] * len(titles),
            "keywords": [None] * len(titles),
            "year": [2023] * len(titles),
        }
    )


def decide(config, frame, decisions=(), completeness="machine"):
    rules = protocol_rules(config["screening"]["rules"], config["search"]["window"])
    return screen(frame, decisions, rules, config["screening"]["reasons"], completeness)


def test_rule_exclusions_carry_reason_label_and_evidence(config):
    out = decide(config, records("Ruxolitinib cream for vitiligo", "Cream for lichen planus"))
    first = out.iloc[0]
    assert (first["decision"], first["reason"], first["decided_by"]) == (
        "exclude",
        "off_topic_on_label",
        "rule",
    )
    assert first["reason_label"].startswith("Off-topic: approved indication")
    assert (first["evidence_field"], first["evidence_term"]) == ("title", "vitiligo")
    # The other record passes to full text, decided by the model at both stages.
    rest = out[out["record_id"] == "r1"]
    assert rest["phase"].tolist() == ["title_abstract", "full_text"]
    assert set(rest["decided_by"]) == {"model"}


def test_reviewers_override_rules_and_agreeing_reviewers_decide_together(config):
    from prismaflow.screen.reviewers import ReviewerDecision

    frame = records("Ruxolitinib cream for vitiligo")
    human = [
        ReviewerDecision(
            "r0", "title_abstract", name, "include", None, None, "2024-10-01", f"{name}.csv:2"
        )
        for name in ("bob", "alice")
    ]
    out = decide(config, frame, human)
    first = out.iloc[0]
    assert (first["decision"], first["decided_by"]) == ("include", "alice+bob")


def test_conflicting_reviewers_leave_the_record_to_the_policy(config):
    from prismaflow.screen.reviewers import ReviewerDecision

    frame = records("Cream for lichen planus")
    human = [
        ReviewerDecision("r0", "title_abstract", "alice", "include", None, None, None, "a"),
        ReviewerDecision("r0", "title_abstract", "bob", "exclude", "off_topic", None, None, "b"),
    ]
    machine = decide(config, frame, human).iloc[0]
    assert (machine["decision"], machine["decided_by"]) == ("include", "model")
    assert "alice=include" in machine["note"] and "bob=exclude" in machine["note"]
    waiting = decide(config, frame, human, completeness="humans").iloc[0]
    assert waiting["decision"] == "conflict" and waiting["decided_by"] is None


def test_humans_policy_leaves_undecided_records_awaiting_a_reviewer(config):
    out = decide(config, records("Cream for lichen planus"), completeness="humans")
    assert out["decision"].tolist() == ["awaiting"]


def test_a_full_text_decision_for_a_record_excluded_earlier_names_its_sheet_and_line(config):
    from prismaflow.errors import InputFileError
    from prismaflow.screen.reviewers import ReviewerDecision

    frame = records("Ruxolitinib cream for vitiligo")  # excluded by a rule at title/abstract
    late = ReviewerDecision(
        "r0", "full_text", "bob", "include", None, None, None, "decisions/full_text/bob.csv:3"
    )
    with pytest.raises(InputFileError) as error:
        decide(config, frame, [late])
    assert str(error.value).startswith("decisions/full_text/bob.csv, line 3: a full_text decision")


def test_every_file_under_the_reviewers_folders_is_read_or_refused(tmp_path):
    from prismaflow.errors import InputFileError
    from prismaflow.sheets import reviewer_sheets

    folder = tmp_path / "decisions"
    phases = ("title_abstract", "full_text")
    for name in ("title_abstract/alice.csv", "full_text/.gitkeep", "title_abstract/~$bob.csv"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("record,decision\n")
    assert reviewer_sheets(folder, [".csv"], phases) == [str(folder / "title_abstract/alice.csv")]
    for wrong, said in (
        ("title_abstract/carol.xlsx", "save it as carol.csv"),
        ("title_abstract/dan.CSV", "(the extension in lower case)"),
        ("fulltext/erin.csv", "is not where the workflow reads sheets"),
        ("frank.csv", "is not where the workflow reads sheets"),
    ):
        path = folder / wrong
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("record,decision\n")
        with pytest.raises(InputFileError) as error:
            reviewer_sheets(folder, [".csv"], phases)
        assert str(path) in str(error.value) and said in str(error.value), wrong
        path.unlink()


def test_the_sheet_schema_allows_exactly_the_reviewers_decision_words():
    """The row schema is data, not code: it must spell the vocabulary the stages count in."""
    from prismaflow.config import load_yaml
    from prismaflow.screen.reviewers import ROW_SCHEMA
    from prismaflow.vocabulary import REVIEWER_DECISIONS

    allowed = load_yaml(ROW_SCHEMA)["properties"]["decision"]["enum"]
    assert allowed == list(REVIEWER_DECISIONS)
