"""Exports that are tables: Scopus CSV (every column layout it has shipped), Web of Science
tab-delimited, and any CSV/TSV/XLSX of one's own read through a column mapping. Each is counted
by its data rows; a row that cannot be read is an error naming its line."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from prismaflow.errors import InputFileError
from prismaflow.formats.text import clean_markup, year_in
from prismaflow.identifiers import normalise_doi, normalise_pmid
from prismaflow.limits import csv_rows
from prismaflow.sheets import read_xlsx_rows

Row = dict[str, str]
_EID = re.compile(r"2-s2\.0-\d+")
_AFTER_INITIAL = re.compile(r"(?<=\.),\s*")


Repair = Callable[[list[str], list[str]], list[str] | None]


def _rows(
    text: str, origin: str | Path, delimiter: str, repair: Repair | None = None
) -> tuple[list[str], list[tuple[int, Row]]]:
    """Header and (line, row) pairs. A row longer than the header is an error, except for the
    single empty trailing cell Web of Science writes at the end of every row, and what
    `repair` can put back in place."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    bounded = csv_rows(reader, origin, lambda: reader.line_num)
    try:
        header = [cell.strip() for cell in next(bounded)]
    except StopIteration:
        raise InputFileError(origin, "has no header row", line=1) from None
    rows = []
    for values in bounded:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
            repaired = repair(header, values) if repair else None
            if repaired is None:
                raise InputFileError(
                    origin,
                    f"row has {len(values)} cells but the header has {len(header)}",
                    line=line,
                    fix="quote cells that contain the delimiter",
                )
            values = repaired
        rows.append((line, dict(zip(header, (v.strip() for v in values), strict=False))))
    return header, rows


def _split(value: str | None, separator: str = ";") -> list[str]:
    return [part.strip() for part in (value or "").split(separator) if part.strip()]


_SUFFIX = re.compile(r"^(Jr\.?|Sr\.?|II|III|IV|V)(?:,\s*|$)")


def scopus_authors(value: str | None) -> list[str]:
    """Names as Scopus separates them: "Smith J., Doe A." (2020), "Xie, L., Jin, X." (2019
    citation export) or "Smith, J.; Doe, A." (2023 on). Names end with an initial's full stop,
    so a comma after a full stop separates names and any other comma is inside one.
    "[No author name available]" is no author."""
    if not value or value.startswith("[No author"):
        return []
    if ";" in value:
        return _split(value, ";")
    names = [name.strip() for name in _AFTER_INITIAL.split(value) if name.strip()]
    joined: list[str] = []
    for name in names:  # "Thompson F.R., III, Jones T.": the suffix is Thompson's
        suffix = _SUFFIX.match(name)
        if suffix and joined:
            joined[-1] = f"{joined[-1]}, {suffix.group(1)}"
            name = name[suffix.end() :].strip()
        if name:
            joined.append(name)
    return joined


def _pages(start: str | None, end: str | None, number: str | None = None) -> str | None:
    if start and end:
        return f"{start}-{end}"
    return start or number or None


def _require(header: Sequence[str], needed: Sequence[str], origin: str | Path, what: str) -> None:
    missing = [column for column in needed if column not in header]
    if missing:
        raise InputFileError(
            origin,
            f"the {what} header lacks the column(s) {missing}",
            line=1,
            fix="export again with these columns included",
        )


def scopus_record(row: Row) -> dict[str, Any]:
    eid = row.get("EID") or (_EID.search(row.get("Link", "")) or [None])[0]
    return {
        "title": clean_markup(row.get("Title")),
        "abstract": None
        if (row.get("Abstract") or "").startswith("[No abstract")
        else clean_markup(row.get("Abstract")),
        "authors": scopus_authors(row.get("Authors")),
        "year": year_in(row.get("Year")),
        "journal": row.get("Source title"),
        "journal_abbrev": row.get("Abbreviated Source Title"),
        "volume": row.get("Volume"),
        "issue": row.get("Issue"),
        "pages": _pages(row.get("Page start"), row.get("Page end"), row.get("Art. No.")),
        "doi": normalise_doi(row.get("DOI")),
        "pmid": normalise_pmid(row.get("PubMed ID")),
        "scopus_eid": eid,
        "language": row.get("Language of Original Document"),
        "publication_types": _split(row.get("Document Type")),
        "keywords": _split(row.get("Author Keywords")),
        "mesh_terms": [],
    }


def merge_funding_texts(header: list[str], values: list[str]) -> list[str] | None:
    """Scopus writes one cell per funding text but names only "Funding Text 1" in the header,
    shifting every later column; the extra texts are joined back into that one cell. The
    row counts as repaired only if its EID then lands in the EID column."""
    if "Funding Text 1" not in header:
        return None
    at, extra = header.index("Funding Text 1"), len(values) - len(header)
    merged = [*values[:at], " ".join(values[at : at + extra + 1]), *values[at + extra + 1 :]]
    if "EID" in header and not _EID.fullmatch(merged[header.index("EID")].strip()):
        return None
    return merged


def read_scopus_csv(text: str, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    header, rows = _rows(text, origin, ",", repair=merge_funding_texts)
    _require(header, ["Authors", "Title", "Year", "Source title"], origin, "Scopus CSV")
    return [scopus_record(row) for _, row in rows], len(rows)


_EMAIL = re.compile(r"\(?\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*\)?")


def _without_email(name: str) -> str:
    """Web of Science puts a corresponding author's address in the name: "Smith, J (x@y.org)"."""
    return " ".join(_EMAIL.sub("", name).split())


def wos_record(row: Row) -> dict[str, Any]:
    accession = row.get("UT") or row.get("AN")
    return {
        "title": clean_markup(row.get("TI")),
        "abstract": clean_markup(row.get("AB")),
        "authors": [_without_email(a) for a in _split(row.get("AU"))],
        "year": year_in(row.get("PY")),
        "journal": row.get("SO"),
        "journal_abbrev": row.get("JI") or row.get("J9"),
        "volume": row.get("VL"),
        "issue": row.get("IS"),
        "pages": _pages(row.get("BP"), row.get("EP"), row.get("AR")),
        "doi": normalise_doi(row.get("DI")),
        "pmid": normalise_pmid(row.get("PM")),
        "language": row.get("LA"),
        "publication_types": _split(row.get("DT")),
        "keywords": _split(row.get("DE")),
        "mesh_terms": [],
        "_accession": accession,
    }


def read_wos_tab(text: str, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    header, rows = _rows(text, origin, "\t")
    _require(header, ["PT", "TI"], origin, "Web of Science tab-delimited")
    return [wos_record(row) for _, row in rows], len(rows)


# The generic table: canonical field -> how a cell becomes its value.
MAPPABLE: dict[str, Callable[[str], Any]] = {
    "title": clean_markup,
    "abstract": clean_markup,
    "authors": _split,
    "year": year_in,
    "journal": str,
    "volume": str,
    "issue": str,
    "pages": str,
    "doi": normalise_doi,
    "pmid": normalise_pmid,
    "language": _split,
    "publication_types": _split,
    "keywords": _split,
}


def read_table(
    text_or_rows: str | list[tuple[int, Row]],
    origin: str | Path,
    mapping: Mapping[str, str],
    delimiter: str = ",",
) -> tuple[list[dict[str, Any]], int]:
    """A table of one's own: `mapping` names, per canonical field, the column holding it;
    title is required."""
    unknown = sorted(set(mapping) - set(MAPPABLE))
    if unknown or "title" not in mapping:
        raise InputFileError(
            origin,
            f"column mapping: unknown fields {unknown}"
            if unknown
            else "column mapping lacks title",
            fix=f"map some of {sorted(MAPPABLE)} to column names; title is required",
        )
    if isinstance(text_or_rows, str):
        header, rows = _rows(text_or_rows, origin, delimiter)
        _require(header, [mapping["title"]], origin, "table")
    else:
        rows = text_or_rows  # a workbook's, whose header read_xlsx_rows checked: it may be all
        # there is (an export of a search that found nothing)
    records = []
    for _, row in rows:
        records.append(
            {
                field: MAPPABLE[field](row[column]) if row.get(column) else None
                for field, column in mapping.items()
            }
        )
    return records, len(rows)


def read_xlsx_table(path: Path, mapping: Mapping[str, str]) -> tuple[list[dict[str, Any]], int]:
    """A workbook of records; without a mapping, its columns are read by their names where
    they are fields' names (prismaflow's own export, or a sheet laid out like it)."""
    rows = read_xlsx_rows(path, [mapping.get("title", "title")], allowed=None)
    if not mapping:
        named = {column for _, row in rows for column in row}
        mapping = {field: field for field in MAPPABLE if field in named}
    return read_table(rows, path, mapping)


# What ASReview and Rayyan import from CSV: these column names are recognised by both.
CSV_COLUMNS = (
    "record_id",
    "title",
    "abstract",
    "authors",
    "journal",
    "year",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "keywords",
    "language",
    "publication_types",
)


def table_rows(records: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Records as rows of CSV_COLUMNS; lists joined with ";" (no space: ASReview keeps what
    follows a separator as it is, so "; Doe" would be the name " Doe")."""
    rows = []
    for record in records:
        row = []
        for column in CSV_COLUMNS:
            value = record.get(column)
            if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
                value = ";".join(map(str, list(value)))
            row.append(value)
        rows.append(row)
    return rows
