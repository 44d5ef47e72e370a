"""Extraction: the condition vocabulary, design rules, derived values and the stage's merge of
machine values with reviewers' values."""

import pandas as pd
import pytest

from prismaflow.extract.fields import field_specs
from prismaflow.extract.prefill import ConditionVocabulary, Prefiller, study_design
from prismaflow.extract.reviewers import ReviewerSheets, ReviewerValue
from prismaflow.extract.stage import extract, studies_schema


def vocabulary(config):
    return ConditionVocabulary.from_config(config["extraction"]["conditions"])


def test_synonyms_map_to_condition_and_group(config):
    condition, group = vocabulary(config).match({"title": "Frontal fibrosing alopecia treated"})
    assert (condition.value, group.value) == ("frontal fibrosing alopecia", "lichenoid")
    assert condition.source == 'title[0:26] "Frontal fibrosing alopecia"'
    condition, group = vocabulary(config).match({"keywords": ["Granuloma annulare"]})
    assert (condition.value, group.value) == ("granuloma annulare", "granulomatous")
    condition, group = vocabulary(config).match({"title": "Ashy dermatosis after vaccination"})
    assert (condition.value, group.value) == ("erythema dyschromicum perstans", "lichenoid")


def test_longest_synonym_wins_over_a_shorter_one_inside_it(config):
    # "lupus miliaris disseminatus faciei" is granulomatous, not cutaneous lupus.
    condition, group = vocabulary(config).match(
        {"title": "Lupus miliaris disseminatus faciei responding to cream"}
    )
    assert (condition.value, group.value) == ("lupus miliaris disseminatus faciei", "granulomatous")


def test_more_curated_fields_win_and_earn_more_confidence(config):
    record = {"mesh_terms": ["Psoriasis"], "title": "Alopecia areata and psoriasis"}
    condition, _ = vocabulary(config).match(record)
    assert (condition.value, condition.confidence) == ("psoriasis", 0.95)
    condition, _ = vocabulary(config).match({"abstract": "A patient with alopecia universalis"})
    assert (condition.value, condition.confidence) == ("alopecia areata", 0.6)


def test_no_supported_value_stays_empty(config):
    condition, group = vocabulary(config).match({"title": "Pharmacokinetics in minipigs"})
    assert condition.value is None and group.value is None and condition.source is None


def test_design_from_publication_types_before_words(config):
    designs = config["extraction"]["designs"]
    rct = study_design(
        {"publication_types": ["Clinical Trial, Phase II", "Randomized Controlled Trial"]}, designs
    )
    assert (rct.value, rct.source) == (
        "randomised controlled trial",
        'publication_types "Randomized Controlled Trial"',
    )
    words = study_design(
        {"publication_types": ["Article"], "abstract": "Case report of a man"}, designs
    )
    assert (words.value, words.source, words.confidence) == (
        "case report",
        'abstract[0:11] "Case report"',
        0.6,
    )
    assert study_design({"publication_types": ["Article"]}, designs).value is None


def test_non_randomised_is_not_read_as_randomised(config):
    designs = config["extraction"]["designs"]
    found = study_design({"abstract": "A non-randomised, open-label study of 9 adults"}, designs)
    assert found.value == "non-randomised trial"


def test_derived_values_say_what_they_were_derived_from(config):
    prefill = Prefiller.from_config(config["extraction"])
    single = prefill(
        {"abstract": "Case report of a 48-year-old woman. Her flare cleared with the cream."}
    )
    assert (single["n_patients"].value, single["response"].value) == (1, "complete")
    assert single["n_responders"].value == 1
    assert single["n_responders"].source == "derived from n_patients=1 and response=complete"
    series = prefill(
        {
            "publication_types": ["Case Reports"],
            "abstract": "Six children were treated. Four of the six regrew some hair.",
        }
    )
    assert (series["n_patients"].value, series["n_responders"].value) == (6, 4)
    assert series["response"].value == "mixed"
    assert series["study_design"].value == "case series"
    assert series["study_design"].source.startswith("derived from study_design=case report")


def test_responders_beyond_the_population_are_dropped(config):
    prefill = Prefiller.from_config(config["extraction"])
    found = prefill({"abstract": "In 5 patients, 13 of 15 lesions improved."})
    assert found["n_patients"].value == 5 and found["n_responders"].value is None


def test_a_protocol_without_vocabulary_or_designs_prefills_nothing_from_them(config):
    """A review that names no conditions or designs (the default) leaves those fields empty
    rather than matching the empty string."""
    extraction = {
        **config["extraction"],
        "conditions": {},
        "designs": [],
        "fields": {name: {"type": "text"} for name in ("condition", "condition_group")},
    }
    values = Prefiller.from_config(extraction)({"title": "BCG vaccination of infants"})
    assert {name: v.value for name, v in values.items()} == {
        "condition": None,
        "condition_group": None,
    }


def test_fields_outside_the_protocol_are_not_filled(config):
    extraction = {**config["extraction"], "fields": {"condition": {"type": "text"}}}
    assert set(Prefiller.from_config(extraction)({"title": "Psoriasis"})) == {"condition"}


RECORDS = pd.DataFrame(
    {
        "record_id": ["a", "b"],
        "authors": [["Smith J"], None],
        "year": [2020, 2021],
        "title": ["Necrobiosis lipoidica in 3 patients", "Other"],
        "journal": [None, None],
        "doi": [None, None],
        "pmid": [None, None],
        "publication_types": [["Case Reports"], None],
        "keywords": [None, None],
        "mesh_terms": [None, None],
        "abstract": [None, None],
    }
)
DECISIONS = pd.DataFrame(
    {
        "record_id": ["a", "b", "a", "b"],
        "phase": ["title_abstract"] * 2 + ["full_text"] * 2,
        "decision": ["include", "include", "include", "exclude"],
    }
)


def reviewed(*values):
    return ReviewerSheets(
        [ReviewerValue("a", f, who, v, str(v), f"{who}.csv, line 2") for f, who, v in values], []
    )


def test_extract_keeps_one_row_per_included_study_with_sources(config):
    fields = field_specs(config["extraction"]["fields"])
    studies, disagreements, _ = extract(
        RECORDS, DECISIONS, config["extraction"], fields, ReviewerSheets([], [])
    )
    assert studies["record_id"].tolist() == ["a"] and disagreements.empty
    row = studies.iloc[0]
    assert (row["first_author"], row["condition_group"], row["study_design"]) == (
        "Smith J",
        "granulomatous",
        "case series",
    )
    assert (row["n_patients"], row["n_patients_by"]) == (3, "machine")
    assert row["n_patients_source"] == 'title[25:35] "3 patients"'
    assert row["formulation"] is None and row["formulation_by"] is None
    assert list(studies.columns) == studies_schema(fields).names


def test_reviewers_override_machine_values_field_by_field(config):
    fields = field_specs(config["extraction"]["fields"])
    sheets = reviewed(
        ("n_patients", "alice", 4), ("n_patients", "bob", 4), ("formulation", "alice", "gel")
    )
    studies, disagreements, _ = extract(RECORDS, DECISIONS, config["extraction"], fields, sheets)
    row = studies.iloc[0]
    assert (row["n_patients"], row["n_patients_by"], row["n_patients_confidence"]) == (
        4,
        "alice+bob",
        1.0,
    )
    assert row["n_patients_source"] == "alice.csv, line 2; bob.csv, line 2"
    assert (row["formulation"], row["formulation_by"]) == ("gel", "alice")
    assert row["condition_group_by"] == "machine"  # no reviewer touched it
    assert disagreements.empty


@pytest.mark.parametrize("adjudicated", [False, True])
def test_double_extraction_disagreements_are_listed_until_adjudicated(config, adjudicated):
    fields = field_specs(config["extraction"]["fields"])
    values = [("n_patients", "alice", 3), ("n_patients", "bob", 4)]
    if adjudicated:
        values.append(("n_patients", "adjudication", 4))
    studies, disagreements, _ = extract(
        RECORDS, DECISIONS, config["extraction"], fields, reviewed(*values)
    )
    assert disagreements[["record_id", "field", "values"]].values.tolist() == [
        ["a", "n_patients", "alice=3; bob=4"]
    ]
    row = studies.iloc[0]
    if adjudicated:
        assert (row["n_patients"], row["n_patients_by"]) == (4, "adjudication")
        assert disagreements["resolved_by"].tolist() == ["adjudication"]
    else:
        assert pd.isna(row["n_patients"]) and row["n_patients_by"] is None
        assert row["n_patients_source"] == "disagreement: alice=3; bob=4"
        assert disagreements["resolved_by"].isna().all()
