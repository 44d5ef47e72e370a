"""Reading the sheets people write (reviewers' decisions and extraction, dedupe overrides) as
CSV or XLSX, with the line number of every row so that each error can name where to look."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from prismaflow.errors import InputFileError
from prismaflow.limits import check_lines, check_workbook, csv_rows
from prismaflow.vocabulary import AWAITING, CONFLICT

Row = dict[str, str]
# A sheet of this name (in a stage's decisions folder, or among the extraction sheets) settles
# what the reviewers disagree on.
ADJUDICATOR = "adjudication"
SETTLED = "settled"  # a form's item settled by the reviewers; else AWAITING or CONFLICT


@dataclass(frozen=True)
class Verdict:
    """One reviewer's word on one item of a form (a risk-of-bias domain, a GRADE domain)."""

    reviewer: str
    value: str
    reason: str | None


def settle(found: Sequence[Verdict], needed: int = 1) -> tuple[Verdict | None, str]:
    """The adjudicator's word where there is one; otherwise the reviewers' once `needed` of
    them have given it and they agree."""
    adjudicated = [v for v in found if v.reviewer == ADJUDICATOR]
    if adjudicated:
        return adjudicated[0], SETTLED
    if len({v.value for v in found}) > 1:
        return None, CONFLICT
    if len(found) < needed:
        return None, AWAITING
    return found[0], SETTLED


def _check_header(path: Path, header: Sequence[str], required, allowed) -> None:
    """allowed=None: any column may appear (a table of one's own, read through a mapping)."""
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if allowed is not None and c not in allowed]
    if missing or unknown:
        raise InputFileError(
            path,
            f"header has missing columns {missing} / unknown columns {unknown}",
            line=1,
            fix=f"use the columns {list(allowed)}" if allowed else f"add the columns {missing}",
        )


def read_rows(
    path: Path, required: Sequence[str], allowed: Sequence[str], sheet: str | None = None
) -> list[tuple[int, Row]]:
    """(line number, row) pairs, with blank cells left out of each row; from a workbook, the
    worksheet named `sheet` if it has one, else its first."""
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_rows(path, required, allowed, sheet)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputFileError(
            path, "is not UTF-8 text", line=line, fix="save the sheet as CSV UTF-8"
        ) from None
    check_lines(text, path)
    reader = csv.DictReader(text.splitlines())
    bounded = csv_rows(reader, path, lambda: reader.line_num)
    first = next(bounded, None)  # reading the first row reads the header too
    _check_header(path, reader.fieldnames or [], required, allowed)
    rows = []
    for row in itertools.chain([first], bounded) if first is not None else []:
        cells = {k: v.strip() for k, v in row.items() if isinstance(v, str) and v.strip()}
        if None in row:
            raise InputFileError(
                path,
                "has more cells than the header has columns",
                line=reader.line_num,
                fix="quote cells that contain commas",
            )
        rows.append((reader.line_num, cells))
    return rows


def _cell_text(value: object) -> str:
    """A cell as the text a reviewer sees: 12.0 typed as a number reads "12"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_xlsx_rows(
    path: Path, required: Sequence[str], allowed: Sequence[str] | None, sheet: str | None = None
) -> list[tuple[int, Row]]:
    """The first sheet of a workbook, read as read_rows reads a CSV (row numbers as Excel
    shows them); computed cells give their last saved value, never their formula."""
    check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError) as exc:
        raise InputFileError(
            path, f"is not a readable XLSX workbook ({exc})", fix="save it as .xlsx or CSV"
        ) from None
    chosen = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
    rows = list(chosen.iter_rows(values_only=True))
    book.close()
    if not rows:
        raise InputFileError(path, "is empty", line=1, fix="add a header row and data rows")
    header = ["" if c is None else _cell_text(c) for c in rows[0]]
    _check_header(path, [name for name in header if name], required, allowed)
    parsed = []
    for line, values in enumerate(rows[1:], start=2):
        cells = {}
        for position, value in enumerate(values):
            text = "" if value is None else _cell_text(value)
            if not text:
                continue
            if position >= len(header) or not header[position]:
                raise InputFileError(path, "has a cell under no column header", line=line)
            cells[header[position]] = text
        if cells:
            parsed.append((line, cells))
    return parsed


# Files a spreadsheet program or a version-control system leaves beside a sheet; not sheets.
NOT_SHEETS = ("~$", ".~lock", ".")
SHEET_SUFFIXES = (".csv", ".xlsx")  # what reviewers may save a sheet as


def reviewer_sheets(
    folder: Path,
    suffixes: Sequence[str],
    subfolders: Sequence[str] = (),
    kept_apart: Sequence[str] = (),
) -> list[str]:
    """Every sheet a reviewer saved under `folder` (in one of `subfolders`, when given), or an
    error naming the first file the workflow would otherwise pass over: a reviewer's work that
    is silently ignored is worse than a run that stops and says why. Subfolders `kept_apart`
    hold files that are not sheets by design (the screening app's history)."""
    expected = (
        f"{folder}/<{'|'.join(subfolders)}>/<reviewer>{'|'.join(suffixes)}"
        if subfolders
        else f"{folder}/<reviewer>{'|'.join(suffixes)}"
    )
    found = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_dir() or path.name.startswith(NOT_SHEETS):
            continue
        if path.relative_to(folder).parts[0] in kept_apart:
            continue
        depth = len(path.relative_to(folder).parts)
        if depth != (2 if subfolders else 1) or (subfolders and path.parent.name not in subfolders):
            raise InputFileError(
                path, "is not where the workflow reads sheets", fix=f"move it to {expected}"
            )
        if path.suffix not in suffixes:
            raise InputFileError(
                path,
                f"is not a sheet the workflow reads ({path.suffix or 'no extension'})",
                fix=f"save it as {path.stem}{suffixes[0]}"
                + (" (the extension in lower case)" if path.suffix.lower() in suffixes else ""),
            )
        found.append(str(path))
    return found
