import re

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
            "title": TITLE.upper(),
            "journal": "Journal of Investigative Dermatology",
        },
        {
            "source": "pubmed",
            "source_id": "1",
            "doi": "10.1/a",
            "title": TITLE + ".",
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


@pytest.mark.parametrize("identifier", ["pmcid", "scopus_eid"])
def test_pmcid_and_scopus_eid_link_exports_of_one_record(identifier):
    links, records = run(
        {"source": "file", "source_id": "1", identifier: "X1", "title": TITLE},
        {"source": "file", "source_id": "2", identifier: "X1", "title": TITLE.upper() + " (2)"},
    )
    assert len(records) == 1
    assert set(links["rule"]) == {"canonical", identifier}


def test_title_and_year_link_records_without_shared_identifiers():
    links, records = run(
        {"source": "pubmed", "source_id": "1", "title": TITLE + ".", "year": 2024},
        {"source": "scopus", "source_id": "2-s2.0-1", "title": TITLE.title(), "year": 2023},
    )
    assert len(records) == 1
    assert set(links["rule"]) == {"canonical", "title"}


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
        {"source": "pubmed", "source_id": "1", "doi": "10.1/a", "title": TITLE + "."},
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
    links, records = deduplicate(frames, year_tolerance=1, min_title_length=30)
    in_both = sum(1 for r in corpus if r["pmid"] and r["journal"] not in not_in_scopus)
    assert len(records) == len(corpus)
    assert len(links) == len(corpus) + in_both
    assert (records["sources"].map(len) == 2).sum() == in_both
    assert pd.Series([len(m) for m in records["member_record_ids"]]).max() == 2


# --- reviewers' overrides ---------------------------------------------------------------------

from prismaflow.dedupe.overrides import read_overrides  # noqa: E402
from prismaflow.errors import InputFileError  # noqa: E402

SAME = {"title": TITLE, "year": 2024, "pages": "10-12"}


def overrides_file(tmp_path, text):
    path = tmp_path / "dedupe_overrides.csv"
    path.write_text("action,record_a,record_b,note\n" + text, encoding="utf-8")
    return read_overrides(path)


def test_apart_override_keeps_a_matching_pair_apart_and_says_so(tmp_path):
    rows = (
        {"source": "pubmed", "source_id": "1", **SAME},
        {"source": "scopus", "source_id": "2-s2.0-1", **SAME},
    )
    assert len(run(*rows)[1]) == 1
    overrides = overrides_file(tmp_path, "apart,pubmed:1,scopus:2-s2.0-1,two trial arms\n")
    links, records = deduplicate(
        [frame(*rows)], year_tolerance=1, min_title_length=30, overrides=overrides
    )
    assert len(records) == 2
    noted = links.set_index("record_id")["override"]
    assert noted["pubmed:1"].startswith("apart scopus:2-s2.0-1 (two trial arms) [")
    assert noted["pubmed:1"].endswith("dedupe_overrides.csv:2]")


def test_link_override_joins_records_with_different_dois_by_doi(tmp_path):
    rows = (
        {"source": "pubmed", "source_id": "1", "doi": "10.1000/a", **SAME},
        {"source": "scopus", "source_id": "2-s2.0-1", "doi": "10.1000/b", **SAME},
    )
    assert len(run(*rows)[1]) == 2
    overrides = overrides_file(tmp_path, "link,10.1000/A,https://doi.org/10.1000/b,\n")
    links, records = deduplicate(
        [frame(*rows)], year_tolerance=1, min_title_length=30, overrides=overrides
    )
    assert len(records) == 1
    assert links.set_index("record_id").loc["scopus:2-s2.0-1", "rule"] == "override_link"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("merge,1,2,\n", "line 2: unknown action 'merge'"),
        ("link,1,1,\n", "line 2: a record is overridden against itself"),
        ("link,1,2,\napart,2,1,\n", "line 3: the same pair is overridden again (line 2)"),
        ("link,1,,\n", "line 2: empty cell(s) ['record_b']"),
    ],
)
def test_override_sheet_errors_name_the_line(tmp_path, text, message):
    with pytest.raises(InputFileError, match=re.escape(message)):
        overrides_file(tmp_path, text)


def test_an_override_naming_no_record_is_an_error(tmp_path):
    overrides = overrides_file(tmp_path, "apart,pubmed:1,pubmed:999,\n")
    with pytest.raises(InputFileError, match=r"line 2: no searched record is 'pubmed:999'"):
        deduplicate(
            [frame({"source": "pubmed", "source_id": "1", **SAME})],
            year_tolerance=1,
            min_title_length=30,
            overrides=overrides,
        )


# --- incremental runs -------------------------------------------------------------------------


def test_a_later_search_keeps_clusters_and_canonical_ids(tmp_path):
    first = [
        {"source": "scopus", "source_id": "2-s2.0-1", **SAME},
        {"source": "scopus", "source_id": "2-s2.0-2", "title": "Another study " * 4},
    ]
    previous, _ = run(*first)
    # The update adds the PubMed copy (which would be canonical in a fresh run) and a new study.
    later = [
        *first,
        {"source": "pubmed", "source_id": "1", **SAME},
        {"source": "pubmed", "source_id": "7", "title": "A new study " * 4},
    ]
    fresh, _ = run(*later)
    assert fresh.set_index("record_id").loc["scopus:2-s2.0-1", "canonical_id"] == "pubmed:1"
    links, records = deduplicate(
        [frame(*later)], year_tolerance=1, min_title_length=30, previous=previous
    )
    canonical = links.set_index("record_id")["canonical_id"]
    assert canonical["pubmed:1"] == canonical["scopus:2-s2.0-1"] == "scopus:2-s2.0-1"
    assert canonical["pubmed:7"] == "pubmed:7"
    assert set(records["record_id"]) == {"scopus:2-s2.0-1", "scopus:2-s2.0-2", "pubmed:7"}


def test_a_new_record_never_merges_two_earlier_clusters():
    # Two earlier records stayed apart (their years are two apart); a new record from the year
    # between matches both. In a fresh run it bridges them; in an update it may not.
    first = [
        {"source": "scopus", "source_id": "2-s2.0-1", "title": TITLE, "year": 2022},
        {"source": "scopus", "source_id": "2-s2.0-2", "title": TITLE, "year": 2024},
    ]
    previous, _ = run(*first)
    assert previous["canonical_id"].nunique() == 2
    bridge = {"source": "pubmed", "source_id": "1", "title": TITLE, "year": 2023}
    assert run(*first, bridge)[0]["canonical_id"].nunique() == 1
    links, records = deduplicate(
        [frame(*first, bridge)], year_tolerance=1, min_title_length=30, previous=previous
    )
    assert len(records) == 2
    assert set(links["canonical_id"]) == {"scopus:2-s2.0-1", "scopus:2-s2.0-2"}
