"""Scopus Search API JSON pages into canonical records."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prismaflow.errors import InputFileError
from prismaflow.formats.text import each_record, parse_json
from prismaflow.identifiers import normalise_doi, normalise_pmid
from prismaflow.records import record_id

SOURCE = "scopus"
_YEAR = re.compile(r"^(\d{4})")


@dataclass(frozen=True)
class ScopusPage:
    total_results: int
    start_index: int
    query: str | None
    records: tuple[Mapping[str, Any], ...]


def _author_name(author: Mapping[str, Any]) -> str | None:
    """'Surname I.' as Scopus writes it becomes 'Surname I' as PubMed does."""
    surname = author.get("surname")
    initials = (author.get("initials") or "").replace(".", "").replace(" ", "")
    if surname:
        return f"{surname} {initials}".strip()
    return author.get("authname")


def _authors(entry: Mapping[str, Any]) -> list[str]:
    listed = entry.get("author")
    if listed:
        return [name for name in (_author_name(a) for a in listed) if name]
    creator = entry.get("dc:creator")
    return [creator.replace(".", "")] if creator else []


def parse_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    eid = entry.get("eid")
    year = _YEAR.match(entry.get("prism:coverDate") or "")
    keywords = entry.get("authkeywords")
    subtype = entry.get("subtypeDescription")
    return {
        "source": SOURCE,
        "source_id": eid,
        "record_id": record_id(SOURCE, eid) if eid else None,
        "scopus_eid": eid,
        "doi": normalise_doi(entry.get("prism:doi")),
        "pmid": normalise_pmid(entry.get("pubmed-id")),
        "title": entry.get("dc:title"),
        "abstract": entry.get("dc:description"),
        "authors": _authors(entry),
        "year": int(year.group(1)) if year else None,
        "journal": entry.get("prism:publicationName"),
        "volume": entry.get("prism:volume"),
        "issue": entry.get("prism:issueIdentifier"),
        "pages": entry.get("prism:pageRange") or entry.get("article-number"),
        "publication_types": [subtype] if subtype else [],
        "keywords": [k.strip() for k in keywords.split("|")] if keywords else [],
    }


def parse_scopus_page(data: bytes, origin: str | Path) -> ScopusPage:
    """One page of search results; an empty result set is a page with no records, not an error."""
    document = parse_json(data, origin)
    try:
        results = document["search-results"]
        total = int(results["opensearch:totalResults"])
        start = int(results.get("opensearch:startIndex") or 0)
    except (KeyError, TypeError, ValueError):
        raise InputFileError(
            origin, "not a Scopus Search API response (no search-results/totalResults)"
        ) from None
    entries = [e for e in results.get("entry") or [] if not isinstance(e, dict) or "error" not in e]
    records = tuple(each_record(entries, parse_entry, origin, "Scopus page"))
    missing = [i + 1 for i, rec in enumerate(records) if rec["scopus_eid"] is None]
    if missing:
        raise InputFileError(origin, f"entries number {missing} have no EID")
    query = (results.get("opensearch:Query") or {}).get("@searchTerms")
    return ScopusPage(total_results=total, start_index=start, query=query, records=records)
