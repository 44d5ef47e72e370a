"""The databases' own responses for a matrix review's records: PubMed EFetch articles and
ESearch results, Scopus Search JSON entries and pages, and a recorded snapshot of them, as the
replay and the live clients read them (the stand-in in tests/live_server.py serves the same
articles and entries when a review searches live)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

RECORDED_AT = "2025-01-15T09:00:00Z"
PAGE = 25  # records per Scopus page, as the COMPLETE view gives them


def pubmed_article(record: Mapping[str, Any]) -> str:
    """One PubmedArticle: PMID, date, journal, title, abstract, authors, language, types, DOI."""
    authors = "".join(
        f"<Author><LastName>{escape(name.split(', ')[0])}</LastName>"
        f"<Initials>{escape(name.split(', ')[1].replace(' ', ''))}</Initials></Author>"
        for name in record["authors"]
    )
    types = "".join(
        f"<PublicationType>{escape(t)}</PublicationType>" for t in record["publication_types"]
    )
    doi = f"<ArticleId IdType='doi'>{escape(record['doi'])}</ArticleId>" if record["doi"] else ""
    return (
        "<PubmedArticle><MedlineCitation Status='MEDLINE' Owner='NLM'>"
        f"<PMID Version='1'>{record['pmid']}</PMID><Article><Journal><JournalIssue>"
        f"<PubDate><Year>{record['year']}</Year><Month>Jun</Month></PubDate></JournalIssue>"
        f"<Title>{escape(record['journal'])}</Title></Journal>"
        f"<ArticleTitle>{escape(record['title'])}</ArticleTitle>"
        f"<Abstract><AbstractText>{escape(record['abstract'])}</AbstractText></Abstract>"
        f"<AuthorList>{authors}</AuthorList>"
        + "".join(f"<Language>{language}</Language>" for language in record["language"])
        + f"<PublicationTypeList>{types}</PublicationTypeList></Article></MedlineCitation>"
        f"<PubmedData><ArticleIdList><ArticleId IdType='pubmed'>{record['pmid']}</ArticleId>"
        f"{doi}</ArticleIdList></PubmedData></PubmedArticle>"
    )


def scopus_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """One Scopus Search entry (COMPLETE view); it entered Scopus a month after its cover date."""
    entry = {
        "eid": record["eid"],
        "dc:title": record["title"],
        "dc:description": record["abstract"],
        "dc:creator": record["authors"][0],
        "author": [
            {"authname": name, "surname": name.split(", ")[0], "initials": name.split(", ")[1]}
            for name in record["authors"]
        ],
        "prism:publicationName": record["journal"],
        "prism:coverDate": f"{record['year']}-06-01",
        "load-date": f"{record['year']}0701",
        "subtypeDescription": "Review" if "Review" in record["publication_types"] else "Article",
    }
    if record["doi"]:
        entry["prism:doi"] = record["doi"]
    return entry


def esearch(pmids: Sequence[str], term: str) -> bytes:
    ids = "".join(f"<Id>{pmid}</Id>" for pmid in pmids)
    return (
        "<?xml version='1.0' encoding='UTF-8' ?><eSearchResult>"
        f"<Count>{len(pmids)}</Count><RetMax>{len(pmids)}</RetMax><RetStart>0</RetStart>"
        f"<QueryKey>1</QueryKey><WebEnv>MCID_matrix</WebEnv><IdList>{ids}</IdList>"
        f"<QueryTranslation>{escape(term)}[All Fields]</QueryTranslation></eSearchResult>"
    ).encode()


def efetch(records: Sequence[Mapping[str, Any]]) -> bytes:
    articles = "".join(pubmed_article(r) for r in records)
    return f"<?xml version='1.0' ?><PubmedArticleSet>{articles}</PubmedArticleSet>".encode()


def scopus_page(entries: Sequence[Mapping[str, Any]], query: str, start: int, total: int) -> bytes:
    results = {
        "opensearch:totalResults": str(total),
        "opensearch:startIndex": str(start),
        "opensearch:itemsPerPage": str(PAGE),
        "opensearch:Query": {"@searchTerms": query},
        "entry": list(entries) or [{"@_fa": "true", "error": "Result set was empty"}],
    }
    return json.dumps({"search-results": results}).encode()


def write_snapshot(
    folder: Path,
    query_id: str,
    queries: Mapping[str, str],
    pubmed: Sequence[Mapping[str, Any]],
    scopus: Sequence[Mapping[str, Any]],
) -> None:
    """A recorded search of both databases for one query, in the form snapshot replay reads."""
    responses: dict[str, list[tuple[str, bytes]]] = {
        "pubmed": [
            ("esearch.xml", esearch([r["pmid"] for r in pubmed], queries["pubmed"])),
            ("efetch_000000.xml", efetch(pubmed)),
        ],
        "scopus": [
            (
                f"page_{start:06d}.json",
                scopus_page(
                    [scopus_entry(r) for r in scopus[start : start + PAGE]],
                    queries["scopus"],
                    start,
                    len(scopus),
                ),
            )
            for start in range(0, max(len(scopus), 1), PAGE)
        ],
    }
    manifest: dict[str, Any] = {
        "name": folder.name,
        "recorded_at": RECORDED_AT,
        "reconstructed": True,
        "sources": {},
    }
    for source, files in responses.items():
        listed = []
        for name, data in files:
            path = folder / source / query_id / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            listed.append(
                {"file": f"{source}/{query_id}/{name}", "sha256": hashlib.sha256(data).hexdigest()}
            )
        manifest["sources"][source] = {
            "api": source,
            "queries": {query_id: {"query": queries[source], "responses": listed}},
        }
    (folder / "snapshot.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
