"""Saved API responses reviewers bring as files: Scopus Search API pages, OpenAlex works,
Crossref works and Europe PMC searches. Each response says how many records it carries (its
result array), and each element becomes one record; responses that carry no bibliographic
records (a Scopus serial-title lookup, an ESearch ID list) are refused with a reason."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from prismaflow.errors import InputFileError
from prismaflow.formats.scopus_json import parse_entry
from prismaflow.formats.text import clean_markup, each_record, parse_json, year_in
from prismaflow.identifiers import normalise_doi, normalise_pmid

JATS = re.compile(r"</?jats:[^>]*>")


def _scopus(entry: Mapping[str, Any]) -> dict[str, Any]:
    record = parse_entry(entry)
    for key in ("source", "source_id", "record_id"):
        record.pop(key)
    return record


def _openalex_abstract(index: Mapping[str, list[int]] | None) -> str | None:
    """OpenAlex ships abstracts as word -> positions; put the words back in order."""
    if not index:
        return None
    positions = {p: word for word, places in index.items() for p in places}
    return " ".join(positions[p] for p in sorted(positions))


def _openalex(work: Mapping[str, Any]) -> dict[str, Any]:
    ids = work.get("ids") or {}
    source = ((work.get("primary_location") or {}).get("source")) or {}
    biblio = work.get("biblio") or {}
    pages = "-".join(p for p in (biblio.get("first_page"), biblio.get("last_page")) if p)
    return {
        "title": clean_markup(work.get("title") or work.get("display_name")),
        # The words are the publisher's text, entities and tags included (&amp;, <p>, <i>).
        "abstract": clean_markup(_openalex_abstract(work.get("abstract_inverted_index"))),
        "authors": [
            (a.get("author") or {}).get("display_name") for a in work.get("authorships") or []
        ],
        "year": work.get("publication_year"),
        "journal": source.get("display_name"),
        "volume": biblio.get("volume"),
        "issue": biblio.get("issue"),
        "pages": pages or None,
        "doi": normalise_doi(work.get("doi") or ids.get("doi")),
        "pmid": normalise_pmid(str(ids.get("pmid") or "").rsplit("/", 1)[-1] or None),
        "pmcid": str(ids.get("pmcid") or "").rsplit("/", 1)[-1] or None,
        "language": work.get("language"),
        "publication_types": [work["type"]] if work.get("type") else [],
        "keywords": [k.get("display_name") for k in work.get("keywords") or []],
        "mesh_terms": [m.get("descriptor_name") for m in work.get("mesh") or []],
    }


def _crossref(work: Mapping[str, Any]) -> dict[str, Any]:
    issued = (work.get("issued") or work.get("published") or {}).get("date-parts") or [[None]]
    abstract = work.get("abstract")
    return {
        "title": clean_markup((work.get("title") or [None])[0]),
        "abstract": clean_markup(JATS.sub(" ", abstract)) if abstract else None,
        "authors": [
            f"{a['family']}, {a['given']}" if a.get("given") else a.get("family") or a.get("name")
            for a in work.get("author") or []
        ],
        "year": year_in(issued[0][0] if issued and issued[0] else None),
        "journal": (work.get("container-title") or [None])[0],
        "journal_abbrev": (work.get("short-container-title") or [None])[0],
        "volume": work.get("volume"),
        "issue": work.get("issue"),
        "pages": work.get("page"),
        "doi": normalise_doi(work.get("DOI")),
        "language": work.get("language"),
        "publication_types": [work["type"]] if work.get("type") else [],
        "keywords": work.get("subject") or [],
    }


def europepmc_record(result: Mapping[str, Any]) -> dict[str, Any]:
    journal = (result.get("journalInfo") or {}).get("journal") or {}
    authors = (result.get("authorList") or {}).get("author")
    mesh = (result.get("meshHeadingList") or {}).get("meshHeading") or []
    types = (result.get("pubTypeList") or {}).get("pubType") or result.get("pubType")
    return {
        "title": clean_markup(result.get("title")),
        "abstract": clean_markup(result.get("abstractText")),
        "authors": [a.get("fullName") for a in authors]
        if authors
        else [a.strip() for a in (result.get("authorString") or "").rstrip(".").split(",")],
        "year": year_in(result.get("pubYear")),
        "journal": result.get("journalTitle") or journal.get("title"),
        "journal_abbrev": journal.get("isoabbreviation"),
        "volume": result.get("journalVolume") or (result.get("journalInfo") or {}).get("volume"),
        "issue": result.get("issue") or (result.get("journalInfo") or {}).get("issue"),
        "pages": result.get("pageInfo"),
        "doi": normalise_doi(result.get("doi")),
        "pmid": normalise_pmid(result.get("pmid")),
        "pmcid": result.get("pmcid"),
        "language": result.get("language"),
        "publication_types": types if isinstance(types, list) else [types] if types else [],
        "mesh_terms": [m.get("descriptorName") for m in mesh],
    }


def _items(document: Any) -> tuple[str, list[Any], Callable[[Any], dict[str, Any]]] | None:
    """(format, result elements, mapper) for a document of a known API, else None."""
    if not isinstance(document, dict):
        return None
    if "search-results" in document:
        entries = document["search-results"].get("entry") or []
        return "scopus_json", [e for e in entries if "error" not in e], _scopus
    if "resultList" in document:
        return "europepmc_json", document["resultList"].get("result") or [], europepmc_record
    if document.get("message-type") == "work":
        return "crossref_json", [document["message"]], _crossref
    if document.get("message-type") == "work-list":
        return "crossref_json", document["message"].get("items") or [], _crossref
    if "meta" in document and "results" in document:
        return "openalex_json", document["results"] or [], _openalex
    if str(document.get("id", "")).startswith("https://openalex.org/W"):
        return "openalex_json", [document], _openalex
    return None


def read_api_json(text: str, origin: str | Path) -> tuple[str, list[dict[str, Any]], int]:
    document = parse_json(text, origin)
    try:
        found = _items(document)
    except (AttributeError, TypeError, KeyError):
        found = None  # an API's keys with other shapes than its own
    if found is None:
        raise InputFileError(
            origin,
            "is a JSON response that carries no bibliographic records prismaflow reads "
            "(Scopus Search, OpenAlex works, Crossref works and Europe PMC searches are read)",
            fix="save the search results themselves, or export RIS/CSV from the database",
        )
    fmt, items, mapper = found
    if not isinstance(items, list):
        raise InputFileError(origin, f"its {fmt} results are not a list", fix="download it again")
    return fmt, each_record(items, mapper, origin, f"{fmt} response"), len(items)
