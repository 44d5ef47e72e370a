"""Which export format a file is, from its content (its extension is only a hint)."""

from __future__ import annotations

import re
from pathlib import Path

from prismaflow.errors import InputFileError

FORMATS = (
    "ris",
    "medline",
    "bibtex",
    "pubmed_xml",
    "endnote_xml",
    "scopus_atom",
    "europepmc_xml",
    "scopus_csv",
    "wos_tab",
    "wos_plain",
    "csv",
    "api_json",
    "table",
)
_RIS = re.compile(r"^TY  - ", re.MULTILINE)
_MEDLINE = re.compile(r"^(?:PMID|TI  |AU  |OWN )- ", re.MULTILINE)
_BIBTEX = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)
_WOS_PLAIN = re.compile(r"^(?:FN |PT [A-Z]\n)", re.MULTILINE)
SCOPUS_COLUMNS = {"Authors", "Title", "Year", "Source title"}
# The CSV prismaflow writes, and ASReview-style tables with lower-case column names.
CSV_COLUMNS = {"title", "abstract", "authors"}
WOS_COLUMNS = {"PT", "AU", "TI"}


def header_cells(text: str) -> list[str]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    return [cell.strip().strip('"') for cell in first.split(delimiter)]


def detect_format(text: str, origin: str | Path) -> str:
    head = text[:20000].lstrip()
    if head.startswith(("{", "[")):
        return "api_json"
    if head.startswith("<") and ("<eSearchResult" in head or "<ePostResult" in head):
        raise InputFileError(
            origin,
            "is an E-utilities ESearch/EPost response: it lists PMIDs, not records",
            fix="fetch the records (EFetch, or PubMed's 'Save' as PubMed/MEDLINE or XML)",
        )
    if head.startswith("<"):
        if "<PubmedArticleSet" in head or "<PubmedArticle" in head:
            return "pubmed_xml"
        if "<records>" in head or "<record>" in head:
            return "endnote_xml"
        if "<search-results" in head:
            return "scopus_atom"
        if "<responseWrapper" in head:
            return "europepmc_xml"
    if head.startswith("FN ") or _WOS_PLAIN.match(head):
        return "wos_plain"
    if _RIS.search(head):
        return "ris"
    if _MEDLINE.search(head):
        return "medline"
    if _BIBTEX.search(head):
        return "bibtex"
    cells = set(header_cells(head))
    if cells >= WOS_COLUMNS:
        return "wos_tab"
    if cells >= SCOPUS_COLUMNS:
        return "scopus_csv"
    if cells >= CSV_COLUMNS:
        return "csv"
    raise InputFileError(
        origin,
        "is not a format prismaflow recognises from its content",
        line=1,
        fix="give the format explicitly (" + ", ".join(FORMATS) + "); "
        "a CSV/TSV/XLSX of your own needs format 'table' and a column mapping",
    )


def format_from_extension(path: str | Path) -> str | None:
    """The format an output file's extension names (for writing; reading goes by content)."""
    return {
        ".ris": "ris",
        ".bib": "bibtex",
        ".csv": "csv",
        ".xlsx": "xlsx",
        ".parquet": "parquet",
    }.get(Path(path).suffix.lower())
