"""The extraction benchmark's matching and scoring, on the project's own snapshot records."""

import sys

import pandas as pd
import pytest

from prismaflow.extract.prefill import Prefiller
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import extraction

SOURCE = ROOT / "resources/snapshots/ruxolitinib/source/records.tsv"


def test_corpus_rows_become_records_with_lists_and_an_abstract():
    records = extraction.corpus_records(SOURCE)
    row = records.set_index("record_key").loc["r042"]
    assert row["publication_types"] == ["Journal Article", "Case Reports"]
    assert row["abstract"].startswith("Case report of a 48-year-old woman")
    assert row["pmid"] is None


def test_labels_match_by_key_pmid_or_doi_and_report_the_rest():
    labels = pd.DataFrame(
        {
            "record_key": ["r042", "", "", "r999"],
            "pmid": ["", "38417541", "", ""],
            "doi": ["", "", "https://doi.org/10.36849/JDD.7156", ""],
        }
    )
    records = extraction.corpus_records(SOURCE)
    pairs, missing = extraction.match_labels(labels, records)
    assert [record["record_key"] for _, record in pairs] == ["r042", "r008", "r006"]
    assert missing == ["r999"]


@pytest.mark.parametrize("wrong", [False, True])
def test_scores_count_coverage_accuracy_and_misses(config, wrong):
    records = extraction.corpus_records(SOURCE)
    labels = pd.DataFrame(
        {
            "record_key": ["r042", "r008", "r010"],
            "condition_group": ["other", "granulomatous", "lichenoid" if wrong else "alopecia"],
            "n_patients": ["1", "12", "40"],  # r010 states no count: not covered
        }
    )
    pairs, _ = extraction.match_labels(labels, records)
    scores = extraction.field_scores(
        pairs, Prefiller.from_config(config["extraction"]), ("condition_group", "n_patients")
    )
    group = scores["condition_group"]
    assert group["coverage"] == 1.0
    assert group["accuracy"] == pytest.approx(2 / 3 if wrong else 1.0)
    assert len(group["misses"]) == int(wrong)
    patients = scores["n_patients"]
    assert (patients["coverage"], patients["accuracy"]) == (pytest.approx(2 / 3), 1.0)
    assert patients["correct_of_labelled"] == pytest.approx(2 / 3)
