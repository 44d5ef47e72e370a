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


def count_records(text: str) -> int:
    """Blocks separated by blank lines that hold at least one tag line."""
    blocks = re.split(r"\n\s*\n", text)
    return sum(any(_TAG_LINE.match(line) for line in b.split("\n")) for b in blocks)


def _doi(record: dict[str, Any]) -> str | None:
    for value in [*(record.get("AID") or []), *([record["LID"]] if "LID" in record else [])]:
        found = _DOI.search(value)
        if found:
            return normalise_doi(found.group(1))
    return None


def canonical(record: dict[str, Any]) -> dict[str, Any]:
    pmc = _PMC.search(record.get("PMC", ""))
    return {
        "pmid": normalise_pmid(record.get("PMID")),
        "pmcid": pmc.group(0) if pmc else None,
        "doi": _doi(record),
        "title": clean_markup(record.get("TI") or record.get("BTI")),
        "abstract": clean_markup(record.get("AB")),
        "authors": record.get("AU") or [],
        "year": year_in(record.get("DP")),
        "journal": record.get("JT"),
        "journal_abbrev": record.get("TA"),
        "volume": record.get("VI"),
        "issue": record.get("IP"),
        "pages": record.get("PG"),
        "language": (record.get("LA") or [None])[0],
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
