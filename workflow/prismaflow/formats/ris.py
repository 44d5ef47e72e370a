"""RIS, in the dialects Scopus, Web of Science, Embase/Ovid, EndNote, Zotero, IEEE, ProQuest
and Rayyan write, read with rispy; this module only cuts the file into records and maps tags.

Records are the lines from `TY  -` to `ER  -`. What lies between records (Ovid's "1." counters,
its trailing NL tag and links) belongs to no record and is left out; a record that never reaches
its ER, or a TY inside an open record, is an error naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import rispy

from prismaflow.errors import InputFileError
from prismaflow.formats.text import clean_markup, type_code, year_in
from prismaflow.identifiers import normalise_doi, normalise_pmid

_TY = re.compile(r"^TY  -")
_ER = re.compile(r"^ER  -")
_EID = re.compile(r"2-s2\.0-\d+")
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d+)")
# A record in two languages has an LA line for each; rispy would keep only the last.
LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "LA"]
TYPE_NAMES = {
    "JOUR": "Journal Article",
    "JFULL": "Journal Article",
    "ABST": "Abstract",
    "BOOK": "Book",
    "CHAP": "Book Chapter",
    "CONF": "Conference Proceeding",
    "CPAPER": "Conference Paper",
    "CASE": "Case",
    "THES": "Thesis",
    "RPRT": "Report",
    "GEN": "Generic",
    "ELEC": "Web Page",
}
PUBMED_PROVIDERS = ("nlm", "pubmed", "medline")


def record_blocks(text: str, origin: str | Path) -> list[str]:
    """The text of each record, TY to ER inclusive."""
    blocks, current, start = [], None, 0
    for number, line in enumerate(text.split("\n"), start=1):
        if _TY.match(line):
            if current is not None:
                raise InputFileError(
                    origin,
                    f"the record starting on line {start} has no 'ER  -' before the next 'TY  -'",
                    line=number,
                    fix="end every record with an 'ER  -' line",
                )
            current, start = [], number
        if current is not None:
            current.append(line)
            if _ER.match(line):
                blocks.append("\n".join(current) + "\n")
                current = None
    if current is not None:
        raise InputFileError(
            origin,
            f"the record starting on line {start} has no 'ER  -' line (the file is cut short?)",
            line=start,
            fix="export the file again",
        )
    return blocks


def _first(entry: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = next((v for v in value if v), None)
        if value:
            return value
    return None


def _pages(entry: Mapping[str, Any]) -> str | None:
    """SP-EP; words in their place (ProQuest's "SP  - No", "EP  - Specified") are no pages."""
    start, end = (
        value if value and re.search(r"\d", str(value)) else None
        for value in (entry.get("start_page"), entry.get("end_page"))
    )
    return f"{start}-{end}" if start and end and start != end else start or end


def _doi(entry: Mapping[str, Any]) -> str | None:
    """DO, else a DOI where EBSCO and others put it: L3 (related records) or a link."""
    unknown = entry.get("unknown_tag") or {}  # rispy files L3 under tags it does not map
    for value in [
        entry.get("doi"),
        *(entry.get("related_records") or []),
        *unknown.get("L3", []),
        *(entry.get("urls") or []),
    ]:
        found = normalise_doi(value) if isinstance(value, str) else None
        if found:
            return found
    return None


def _pmid(entry: Mapping[str, Any]) -> str | None:
    provider = " ".join(
        str(entry.get(k) or "") for k in ("name_of_database", "database_provider")
    ).lower()
    accession = str(entry.get("accession_number") or "")
    if accession.isdecimal() and any(p in provider for p in PUBMED_PROVIDERS):
        return normalise_pmid(accession)
    for note in entry.get("notes") or []:
        found = _PMID_NOTE.search(note)
        if found:
            return normalise_pmid(found.group(1))
    return None


def _eid(entry: Mapping[str, Any]) -> str | None:
    for value in [*(entry.get("urls") or []), str(entry.get("accession_number") or "")]:
        found = _EID.search(value)
        if found:
            return found.group(0)
    return None


def canonical(entry: Mapping[str, Any]) -> dict[str, Any]:
    kind = entry.get("type_of_reference")
    work = entry.get("type_of_work")
    return {
        "title": clean_markup(_first(entry, "title", "primary_title", "translated_title")),
        "abstract": clean_markup(_first(entry, "abstract", "notes_abstract")),
        "authors": [*(entry.get("authors") or []), *(entry.get("first_authors") or [])],
        "year": year_in(_first(entry, "year", "publication_year", "date")),
        # JO and JF name the journal wherever they are present; EBSCO uses T2 for a translated
        # title then. T2 is the journal only when they are absent (Scopus, Zotero).
        "journal": _first(entry, "journal_name", "alternate_title3", "secondary_title"),
        "journal_abbrev": _first(entry, "alternate_title1", "alternate_title2"),
        "volume": _first(entry, "volume"),
        "issue": _first(entry, "number"),
        "pages": _pages(entry),
        "doi": _doi(entry),
        "pmid": _pmid(entry),
        "scopus_eid": _eid(entry),
        "language": entry.get("language") or [],
        "publication_types": list(
            dict.fromkeys(
                [TYPE_NAMES.get(kind, kind), *(work if isinstance(work, list) else [work])]
            )
        ),
        "keywords": entry.get("keywords") or [],
    }


def read_ris(text: str, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    """(records, the count of ER-terminated records in the file)."""
    blocks = record_blocks(text, origin)
    try:
        entries = rispy.loads("".join(blocks), list_tags=LIST_TAGS)
    except Exception as exc:  # rispy raises bare Exceptions for malformed tags
        raise InputFileError(origin, f"malformed RIS: {exc}", fix="export the file again") from None
    # Counted over the whole file, not over the blocks: an ER whose TY was damaged ends a
    # record nothing parsed, and must show up as a missing record.
    counted = sum(1 for line in text.split("\n") if _ER.match(line))
    return [canonical(entry) for entry in entries], counted


def ris_entry(record: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical record as rispy's entry: what Zotero and EndNote import."""
    pages = (record.get("pages") or "").split("-", 1)
    entry = {
        "type_of_reference": type_code(record.get("publication_types"), TYPE_NAMES, "JOUR"),
        "title": record.get("title"),
        "authors": list(record.get("authors") or []),
        "year": str(record["year"]) if record.get("year") else None,
        "secondary_title": record.get("journal"),
        "alternate_title1": record.get("journal_abbrev"),
        "volume": record.get("volume"),
        "number": record.get("issue"),
        "start_page": pages[0] or None,
        "end_page": pages[1] if len(pages) > 1 else None,
        "doi": record.get("doi"),
        "abstract": record.get("abstract"),
        "keywords": list(record.get("keywords") or []),
        "language": list(record.get("language") or []),
        "notes": [f"PMID: {record['pmid']}"] if record.get("pmid") else [],
        "id": record.get("record_id"),
    }
    return {key: value for key, value in entry.items() if value not in (None, [], "")}


def write_ris(records: Iterable[Mapping[str, Any]]) -> str:
    return rispy.dumps([ris_entry(record) for record in records], list_tags=LIST_TAGS)
