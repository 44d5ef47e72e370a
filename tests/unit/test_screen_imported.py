"""Decisions exported from ASReview LAB and Rayyan, read into a reviewer's sheet rows: matched
by DOI or title, every row accounted for (matched, undecided or unmatched, by line)."""

from __future__ import annotations

import pandas as pd
import pytest

from prismaflow.errors import InputFileError
from prismaflow.screen.imported import read_export, reason_map, title_index
from tests.conftest import FIXTURES

EXPORTS = FIXTURES / "screening_exports"
RECORDS = pd.DataFrame(
    {
        "record_id": ["pubmed:1", "pubmed:2", "pubmed:3"],
        "title": [
            "Cream for alopecia areata: a case series",
            "An unrelated survey of cardiology",
            "A record nobody screened",
        ],
    }
)
INDEX = {"10.5555/one": "pubmed:1", "pubmed:1": "pubmed:1"}


def test_an_asreview_export_is_matched_by_doi_then_title_and_accounted_for():
    found = read_export(EXPORTS / "asreview_export.csv", INDEX, title_index(RECORDS), {}, "off")
    assert [(d["record"], d["decision"], d["reason"]) for d in found.decisions] == [
        ("pubmed:1", "include", None),
        ("pubmed:2", "exclude", "off"),
    ]
    assert found.undecided == 1 and found.unmatched == [
        "line 5: A title no record of the review carries"
    ]
    assert (
        "2 decisions matched to records; 1 rows without a decision; 1 unmatched" in found.report()
    )


def test_a_rayyan_export_reads_one_reviewers_votes_and_maps_their_reasons():
    reasons = reason_map(["wrong population=wrong_population"], ["wrong_population", "off"])
    with pytest.raises(InputFileError, match=r"line 2: holds the decisions of \['Ana', 'Ben'\]"):
        read_export(EXPORTS / "rayyan_export.csv", INDEX, title_index(RECORDS), reasons, None)
    ben = read_export(
        EXPORTS / "rayyan_export.csv",
        INDEX,
        title_index(RECORDS),
        reasons,
        None,
        rayyan_reviewer="Ben",
    )
    assert [(d["record"], d["decision"], d["reason"]) for d in ben.decisions] == [
        ("pubmed:1", "exclude", "wrong_population"),
        ("pubmed:2", "exclude", "wrong_population"),
    ]
    assert ben.undecided == 2  # no vote of Ben's on the last two rows
    ana = read_export(
        EXPORTS / "rayyan_export.csv",
        INDEX,
        title_index(RECORDS),
        reasons,
        "off",
        rayyan_reviewer="Ana",
    )
    assert [d["decision"] for d in ana.decisions] == ["include", "exclude"]
    assert ana.unmatched == ["line 5: Unrelated survey of cardiology (maybe)"]


def test_an_exclusion_without_a_known_reason_and_a_bad_mapping_are_refused():
    with pytest.raises(InputFileError, match="line 3: an exclusion with no reason"):
        read_export(EXPORTS / "asreview_export.csv", INDEX, title_index(RECORDS), {}, None)
    with pytest.raises(InputFileError, match="'population' is not 'their words=code'"):
        reason_map(["population"], ["off"])
