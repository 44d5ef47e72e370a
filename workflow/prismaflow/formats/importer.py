"""One entry point for every export file: detect its format, read it, reconcile the count of
records read with the count the file itself implies, and give each record its canonical id.

A mismatch between the two counts is an error: a record a parser skipped would otherwise
vanish from the review without a trace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from prismaflow.errors import InputFileError, ReconciliationError
from prismaflow.formats.api_json import read_api_json
from prismaflow.formats.api_xml import read_europepmc_xml, read_scopus_atom
from prismaflow.formats.bibtex import read_bibtex
from prismaflow.formats.detect import FORMATS, detect_format, header_cells
from prismaflow.formats.markup import read_endnote_xml, read_pubmed_xml, read_wos_plain
from prismaflow.formats.medline import read_medline
from prismaflow.formats.ris import read_ris
from prismaflow.formats.tabular import (
    MAPPABLE,
    read_scopus_csv,
    read_table,
    read_wos_tab,
    read_xlsx_table,
)
from prismaflow.formats.text import decode
from prismaflow.records import RECORD_FIELDS, control_characters, record_id, records_table

TEXT_READERS = {
    "ris": read_ris,
    "medline": read_medline,
    "bibtex": read_bibtex,
    "scopus_csv": read_scopus_csv,
    "wos_tab": read_wos_tab,
    "wos_plain": read_wos_plain,
}
XML_READERS = {
    "pubmed_xml": read_pubmed_xml,
    "endnote_xml": read_endnote_xml,
    "scopus_atom": read_scopus_atom,
    "europepmc_xml": read_europepmc_xml,
}
# What each format's count is taken from, for the reconciliation message.
COUNTED_BY = {
    "scopus_atom": "<entry> elements",
    "europepmc_xml": "<result> elements",
    "ris": "'ER  -' lines",
    "medline": "tagged blocks",
    "bibtex": "@entries",
    "scopus_csv": "data rows",
    "wos_tab": "data rows",
    "wos_plain": "'ER' lines",
    "pubmed_xml": "<PubmedArticle> elements",
    "endnote_xml": "<record> elements",
    "csv": "data rows",
    "scopus_json": "search-results entries",
    "openalex_json": "works",
    "crossref_json": "works",
    "europepmc_json": "resultList results",
    "table": "data rows",
}


@dataclass(frozen=True)
class Imported:
    path: Path
    format: str
    records: pa.Table
    counted: int  # what the file itself says it holds
    controls_removed: int = 0  # control characters taken out of its text


# Languages as exports spell them -> the ISO 639-2 codes PubMed uses (and screening rules test).
LANGUAGE_CODES = {
    "english": "eng", "en": "eng", "french": "fre", "fr": "fre", "german": "ger", "de": "ger",
    "spanish": "spa", "es": "spa", "italian": "ita", "it": "ita", "portuguese": "por",
    "pt": "por", "japanese": "jpn", "ja": "jpn", "chinese": "chi", "zh": "chi",
    "russian": "rus", "ru": "rus", "dutch": "dut", "nl": "dut", "polish": "pol", "pl": "pol",
    "korean": "kor", "ko": "kor", "turkish": "tur", "tr": "tur", "czech": "cze", "cs": "cze",
}  # fmt: skip


_LANGUAGE_SEPARATOR = re.compile(r"\s*(?:[;,/]|\band\b)\s*")


def language_codes(value: str | Sequence[str] | None) -> list[str]:
    """Three-letter codes, one for each language a record is in ("English; French", BibTeX's
    "english and french", a tag per language), or a value as written (lower-cased) for the
    gate to name."""
    written = [value] if isinstance(value, str) else list(value or [])
    names = (n for text in written if text for n in _LANGUAGE_SEPARATOR.split(text.lower()))
    return list(dict.fromkeys(LANGUAGE_CODES.get(n, n) for n in names if n))


def publication_type(value: str) -> str:
    """Legacy exports shout ("JOURNAL ARTICLE"); the types are compared as PubMed writes them.
    Short upper-case words (RCT) are acronyms and stay."""
    return value.title() if value.isupper() and len(value) > 3 else value


def _identified(records: list[dict[str, Any]], source: str, name: str) -> list[dict[str, Any]]:
    """Ids stable for an unchanged file: "<source>:<name>:<position>"."""
    identified = []
    for position, record in enumerate(records, start=1):
        fields = {k: v for k, v in record.items() if k in RECORD_FIELDS}
        fields["language"] = language_codes(fields.get("language"))
        types = fields.get("publication_types")
        if isinstance(types, list):
            fields["publication_types"] = list(
                dict.fromkeys(publication_type(t) if isinstance(t, str) else t for t in types)
            )
        source_id = f"{name}:{position}"
        identified.append(
            {
                **fields,
                "source": source,
                "source_id": source_id,
                "record_id": record_id(source, source_id),
            }
        )
    return identified


def read_records(
    path: Path, fmt: str | None = None, mapping: Mapping[str, str] | None = None
) -> tuple[str, list[dict[str, Any]], int]:
    """(format, records, count the file implies), without ids."""
    if fmt is not None and fmt not in FORMATS:
        raise InputFileError(path, f"unknown format {fmt!r}", fix=f"one of {list(FORMATS)}")
    data = path.read_bytes()
    if path.suffix.lower() == ".xlsx" or (fmt == "table" and data[:2] == b"PK"):
        return "table", *read_xlsx_table(path, mapping or {})
    text = decode(data, path)
    fmt = fmt or detect_format(text, path)
    if fmt == "api_json":
        return read_api_json(text, path)
    if fmt in XML_READERS:
        return fmt, *XML_READERS[fmt](data, path)
    if fmt in ("table", "csv"):
        delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
        if fmt == "csv":
            mapping = {field: field for field in MAPPABLE if field in header_cells(text)}
        return fmt, *read_table(text, path, mapping or {}, delimiter)
    return fmt, *TEXT_READERS[fmt](text, path)


def import_file(
    path: str | Path,
    fmt: str | None = None,
    mapping: Mapping[str, str] | None = None,
    source: str = "file",
    name: str | None = None,
) -> Imported:
    """`name` (default: the file's name without extension) goes into every record id."""
    path = Path(path)
    if path.suffix.lower() == ".parquet":
        return _stage_records(path)
    fmt, records, counted = read_records(path, fmt, mapping)
    if len(records) != counted:
        raise ReconciliationError(
            f"{path}: read {len(records)} records but the file holds {counted} "
            f"({COUNTED_BY[fmt]}); {abs(counted - len(records))} would be lost. "
            "The file may be damaged or in a variant prismaflow does not read: "
            "export it again, or report it with the file attached."
        )
    identified = _identified(records, source, name or path.stem)
    return Imported(path, fmt, records_table(identified), counted, control_characters(identified))


def _stage_records(path: Path) -> Imported:
    """A stage's records (any results/*/records.parquet), kept with their own ids."""
    table = pq.read_table(path)
    missing = [
        name for name in ("record_id", "source", "source_id") if name not in table.schema.names
    ]
    if missing:
        raise InputFileError(path, f"is not a table of records (no {missing} columns)")
    rows = [{k: v for k, v in row.items() if k in RECORD_FIELDS} for row in table.to_pylist()]
    return Imported(path, "parquet", records_table(rows), table.num_rows)
