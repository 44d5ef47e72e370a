import pandas as pd

from prismaflow.synthesise.groups import group_summary
from prismaflow.synthesise.prisma import count_of, prisma_counts

REASONS = {
    "review": {"label": "Review", "stage": "both"},
    "no_outcome_data": {"label": "No outcome data", "stage": "full_text"},
}


def test_prisma_counts_follow_links_and_decisions():
    links = pd.DataFrame(
        {
            "record_id": ["p1", "s1", "s2", "s3"],
            "canonical_id": ["p1", "p1", "s2", "s3"],
            "source": ["pubmed", "scopus", "scopus", "scopus"],
        }
    )
    decisions = pd.DataFrame(
        {
            "record_id": ["p1", "s2", "s3", "p1", "s3"],
            "stage": ["title_abstract"] * 3 + ["full_text"] * 2,
            "decision": ["include", "exclude", "maybe", "include", "not_retrieved"],
            "reason": [None, "review", None, None, None],
        }
    )
    counts = prisma_counts(links, decisions, REASONS)
    by_source = counts[counts["box"] == "identified"].set_index("source")["count"].to_dict()
    assert by_source == {"pubmed": 1, "scopus": 3}
    expected = {
        "duplicates_removed": 1,
        "screened": 3,
        "excluded": 1,
        "excluded_reason": 1,
        "sought": 2,
        "not_retrieved": 1,
        "assessed": 1,
        "reports_excluded": 0,
        "included": 1,
    }
    assert {box: count_of(counts, box) for box in expected} == expected
    reason_row = counts[counts["box"] == "excluded_reason"].iloc[0]
    assert (reason_row["reason"], reason_row["label"]) == ("review", "Review")


def test_groups_in_protocol_order_with_unclassified_kept_visible():
    studies = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "condition_group": ["alopecia", "lichenoid", None],
            "condition": ["alopecia areata", "lichen planus", None],
            "study_design": ["case report", None, "case report"],
            "year": [2016, 2022, None],
        }
    )
    groups = group_summary(studies, ["lichenoid", "granulomatous", "alopecia"])
    assert groups["condition_group"].tolist() == [
        "lichenoid",
        "granulomatous",
        "alopecia",
        "unclassified",
    ]
    assert groups["studies"].tolist() == [1, 0, 1, 1]
    assert groups.iloc[0]["designs"] == ["not classified"]
    assert groups.iloc[3]["record_ids"] == ["c"]
