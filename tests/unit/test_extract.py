import pandas as pd

from prismaflow.extract.prefill import ConditionVocabulary, study_design
from prismaflow.extract.stage import extract


def vocabulary(config):
    return ConditionVocabulary.from_config(config["extraction"]["conditions"])


def test_synonyms_map_to_condition_and_group(config):
    condition, group = vocabulary(config).match({"title": "Frontal fibrosing alopecia treated"})
    assert (condition.value, group.value) == ("frontal fibrosing alopecia", "lichenoid")
    assert condition.source == "title: Frontal fibrosing alopecia"
    condition, group = vocabulary(config).match({"keywords": ["Granuloma annulare"]})
    assert (condition.value, group.value) == ("granuloma annulare", "granulomatous")


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
        "publication_types: Randomized Controlled Trial",
    )
    words = study_design(
        {"publication_types": ["Article"], "abstract": "Case report of a man"}, designs
    )
    assert (words.value, words.source, words.confidence) == (
        "case report",
        "abstract: Case report",
        0.6,
    )
    assert study_design({"publication_types": ["Article"]}, designs).value is None


def test_extract_keeps_one_row_per_included_study(config):
    records = pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "authors": [["Smith J"], None],
            "year": [2020, 2021],
            "title": ["Necrobiosis lipoidica", "Other"],
            "journal": [None, None],
            "doi": [None, None],
            "pmid": [None, None],
            "publication_types": [["Case Reports"], None],
            "keywords": [None, None],
            "mesh_terms": [None, None],
            "abstract": [None, None],
        }
    )
    decisions = pd.DataFrame(
        {
            "record_id": ["a", "b", "a", "b"],
            "stage": ["title_abstract"] * 2 + ["full_text"] * 2,
            "decision": ["include", "include", "include", "exclude"],
        }
    )
    studies = extract(records, decisions, config["extraction"])
    assert studies["record_id"].tolist() == ["a"]
    row = studies.iloc[0]
    assert (row["first_author"], row["condition_group"], row["study_design"]) == (
        "Smith J",
        "granulomatous",
        "case report",
    )
