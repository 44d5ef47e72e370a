"""Records written back in the formats reviewers' tools read: RIS and BibTeX for Zotero and
EndNote, CSV with the columns ASReview and Rayyan import, XLSX for people, Parquet for us.

Spreadsheet cells that a spreadsheet would run as a formula are written as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl import Workbook
from openpyxl.styles import Font

from prismaflow.errors import InputFileError
from prismaflow.formats.bibtex import write_bibtex
from prismaflow.formats.ris import write_ris
from prismaflow.formats.tabular import CSV_COLUMNS, table_rows
from prismaflow.parquet_io import write_artifact
from prismaflow.records import RECORD_SCHEMA
from prismaflow.spreadsheet import cell_value

WRITABLE = ("ris", "bibtex", "csv", "xlsx", "parquet")


def write_csv(records: Iterable[Mapping[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows([[cell_value(v) for v in row] for row in table_rows(records)])


def write_xlsx(records: Iterable[Mapping[str, Any]], path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "records"
    sheet.append(list(CSV_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table_rows(records):
        sheet.append([cell_value(v) for v in row])
    sheet.freeze_panes = "B2"
    book.save(path)


def export_records(table: pa.Table, path: str | Path, fmt: str) -> int:
    """Write the records; returns how many were written."""
    path = Path(path)
    if fmt not in WRITABLE:
        raise InputFileError(path, f"cannot write format {fmt!r}", fix=f"one of {WRITABLE}")
    records = table.to_pylist()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "ris":
        path.write_text(write_ris(records), encoding="utf-8")
    elif fmt == "bibtex":
        path.write_text(write_bibtex(records), encoding="utf-8")
    elif fmt == "csv":
        write_csv(records, path)
    elif fmt == "xlsx":
        write_xlsx(records, path)
    else:
        write_artifact(table.cast(RECORD_SCHEMA), path, rule="prismaflow import")
    return len(records)
