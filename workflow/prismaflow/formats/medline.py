"""MEDLINE/nbib (PubMed's "PubMed format" export, and other databases that copy its tags, such
as ERIC), read with Bio.Medline; records are the blank-line separated blocks of tags."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from Bio import Medline

from prismaflow.errors import InputFileError
from prismaflow.formats.text import clean_markup, each_record, year_in
from prismaflow.identifiers import normalise_doi, normalise_pmid

_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]{1,3}\s*- ")
_DOI = re.compile(r"(\S+)\s*\[doi\]")
_PMC = re.compile(r"PMC\d+")
_DOI_LINK = re.compile(r"https?://(?:dx\.)?doi\.org/\S+", re.IGNORECASE)


def count_records(text: str) -> int:
    """Blocks separated by blank lines that hold at least one tag line."""
    blocks = re.split(r"\n\s*\n", text)
    return sum(any(_TAG_LINE.match(line) for line in b.split("\n")) for b in blocks)


def _doi(record: dict[str, Any]) -> str | None:
    """The AID or LID marked [doi], else one written as a resolver link (some databases that
    copy PubMed's tags write `AID - http://dx.doi.org/10...`)."""
    values = [*(record.get("AID") or []), *([record["LID"]] if "LID" in record else [])]
    for value in values:
        found = _DOI.search(value)
        if found:
            return normalise_doi(found.group(1))
    for value in values:
        link = _DOI_LINK.search(value)
        if link:
            return normalise_doi(link.group(0))
    return None


def _listed(value: str | list[str] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def canonical(record: dict[str, Any]) -> dict[str, Any]:
    pmc = _PMC.search(record.get("PMC", ""))
    return {
        "pmid": normalise_pmid(record.get("PMID")),
        "pmcid": pmc.group(0) if pmc else None,
        "doi": _doi(record),
        "title": clean_markup(record.get("TI") or record.get("BTI")),
        "abstract": clean_markup(record.get("AB")),
        # CN: a collective author ("COVID-19 Study Group"), kept as PubMed's XML reader keeps it.
        "authors": [*(record.get("AU") or []), *_listed(record.get("CN"))],
        "year": year_in(record.get("DP")),
        "journal": record.get("JT"),
        "journal_abbrev": record.get("TA"),
        "volume": record.get("VI"),
        "issue": record.get("IP"),
        "pages": record.get("PG"),
        "language": record.get("LA") or [],
        "publication_types": record.get("PT") or [],
        "keywords": record.get("OT") or [],
        "mesh_terms": [term.split("/")[0].lstrip("*") for term in record.get("MH") or []],
    }


def read_medline(text: str, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    try:
        parsed = [r for r in Medline.parse(io.StringIO(text.strip("\n") + "\n")) if r]
    except (KeyError, ValueError, IndexError):  # Biopython's own, for a line with no tag
        raise InputFileError(
            origin,
            "malformed MEDLINE: a line belongs to no tag (a continuation line where a record "
            "should start)",
            fix="export the file again from PubMed (Save, format PubMed)",
        ) from None
    return each_record(parsed, canonical, origin, "MEDLINE file"), count_records(text)
