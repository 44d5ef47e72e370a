import pandas as pd
import pytest

from prismaflow.dedupe.normalise import normalise_title
from prismaflow.dedupe.stage import deduplicate
from prismaflow.records import records_table

TITLE = "Topical ruxolitinib in the treatment of necrobiosis lipoidica: an open-label study"


def frame(*rows):
    return records_table(
        {"record_id": f"{r['source']}:{r['source_id']}", **r} for r in rows
    ).to_pandas()


def run(*rows, year_tolerance=1, min_title_length=30):
    return deduplicate(
        [frame(*rows)], year_tolerance=year_tolerance, min_title_length=min_title_length
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (TITLE + ".", TITLE.upper().replace(": ", " - ")),
        ("Effets du <i>ruxolitinib</i> &amp; vitiligo", "Effets du ruxolitinib & vitiligo"),
        ("Réponse à la crème", "Reponse a la creme"),
    ],
)
def test_title_normalisation_ignores_case_punctuation_markup_and_accents(a, b):
    assert normalise_title(a) == normalise_title(b)


def test_empty_titles_normalise_to_none():
    assert normalise_title(None) is None
    assert normalise_title(" .. ") is None


def test_doi_links_and_pubmed_member_is_canonical():
    links, records = run(
        {
            "source": "scopus",
            "source_id": "2-s2.0-1",
            "doi": "10.1/a",
            "title": "X" * 40,
            "journal": "Journal of Investigative Dermatology",
        },
        {
            "source": "pubmed",
            "source_id": "1",
            "doi": "10.1/a",
            "title": "Y" * 40,
            "journal": "J Invest Dermatol",
            "abstract": "long abstract",
        },
    )
    assert len(records) == 1
    record = records.iloc[0]
    assert record["record_id"] == "pubmed:1"
    assert record["journal"] == "Journal of Investigative Dermatology"  # full name wins
    assert record["abstract"] == "long abstract"
    assert list(record["sources"]) == ["pubmed", "scopus"]
    assert links.set_index("record_id").loc["scopus:2-s2.0-1", "rule"] == "doi"


def test_title_and_year_link_records_without_shared_identifiers():
    links, records = run(
        {"source": "pubmed", "source_id": "1", "title": TITLE + ".", "year": 2024},
        {"source": "scopus", "source_id": "2-s2.0-1", "title": TITLE.title(), "year": 2023},
    )
    assert len(records) == 1
    assert set(links["rule"]) == {"canonical", "title_year"}


def test_years_too_far_apart_keep_records_apart():
    _, records = run(
        {"source": "pubmed", "source_id": "1", "title": TITLE, "year": 2024},
        {"source": "scopus", "source_id": "2-s2.0-1", "title": TITLE, "year": 2021},
    )
    assert len(records) == 2


def test_short_generic_titles_never_match_alone():
    _, records = run(
        {"source": "pubmed", "source_id": "1", "title": "Reply", "year": 2024},
        {"source": "scopus", "source_id": "2-s2.0-1", "title": "Reply", "year": 2024},
    )
    assert len(records) == 2


def test_same_title_with_different_dois_is_never_merged():
    _, records = run(
        {"source": "pubmed", "source_id": "1", "title": TITLE, "doi": "10.1/part1", "year": 2024},
        {
            "source": "scopus",
            "source_id": "2-s2.0-1",
            "title": TITLE,
            "doi": "10.1/part2",
            "year": 2024,
        },
    )
    assert len(records) == 2


def test_a_chain_of_matches_cannot_join_two_dois():
    # b matches a by DOI and c by title; c carries another DOI, so c stays apart.
    links, records = run(
        {"source": "pubmed", "source_id": "1", "doi": "10.1/a", "title": "Other title " * 4},
        {"source": "scopus", "source_id": "2-s2.0-1", "doi": "10.1/a", "title": TITLE},
        {"source": "scopus", "source_id": "2-s2.0-2", "doi": "10.1/b", "title": TITLE},
    )
    assert len(records) == 2
    clusters = links.groupby("canonical_id")["record_id"].apply(set).tolist()
    assert {"pubmed:1", "scopus:2-s2.0-1"} in clusters


def test_every_record_is_linked_exactly_once():
    rows = [
        {
            "source": "pubmed",
            "source_id": str(i),
            "title": f"Study number {i} " * 3,
            "pmid": str(i % 3 + 1),
        }
        for i in range(1, 7)
    ]
    links, records = run(*rows)
    assert sorted(links["record_id"]) == sorted(f"pubmed:{i}" for i in range(1, 7))
    assert len(records) == len(links) - (links["rule"] != "canonical").sum() == 3
    assert set(records["record_id"]) == set(links["canonical_id"])


def test_embedded_snapshot_overlap_is_merged_into_the_corpus_studies(config):
    """Each corpus publication becomes one canonical record, whatever the databases changed."""
    import csv

    from prismaflow.search import snapshot, stage
    from tests.conftest import ROOT

    root = ROOT / "resources" / "snapshots" / "ruxolitinib"
    with open(root / "source" / "records.tsv", encoding="utf-8") as handle:
        corpus = list(csv.DictReader(handle, delimiter="\t"))
    with open(root / "source" / "journals.tsv", encoding="utf-8") as handle:
        not_in_scopus = {
            r["abbreviation"]
            for r in csv.DictReader(handle, delimiter="\t")
            if r["indexed_in_scopus"] == "no"
        }
    frames = []
    for source in ("pubmed", "scopus"):
        qs = [{"id": q["id"], source: q[source]} for q in config["search"]["queries"]]
        frames.append(stage.source_records(snapshot.replay(root, source, qs)).to_pandas())
    links, records = deduplicate(frames, **config["dedupe"])
    in_both = sum(1 for r in corpus if r["pmid"] and r["journal"] not in not_in_scopus)
    assert len(records) == len(corpus)
    assert len(links) == len(corpus) + in_both
    assert (records["sources"].map(len) == 2).sum() == in_both
    assert pd.Series([len(m) for m in records["member_record_ids"]]).max() == 2
