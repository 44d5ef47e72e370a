"""The one way a value becomes a spreadsheet cell: every sheet prismaflow writes (the worklist,
the extraction sheet, exports) goes through `cell_value`, so hostile text is neutralised in one
place: a formula is written as text, characters a sheet cannot hold are replaced, and
bidirectional controls that would reorder what a reviewer reads are made visible."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from prismaflow.hostile_text import visible_bidi

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REPLACEMENT = "\ufffd"


def neutralise_formula(value: str) -> str:
    """A title starting with "=" or "-" is data, not a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell_value(value: Any) -> Any:
    """A value as a cell may hold it: missing as empty, text made harmless, the rest as is."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
        text = visible_bidi(text)
        return neutralise_formula(text)
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return None
    return value


def write_form_sheet(
    path: Path,
    title: str,
    header: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    answer: str,
    widths: Mapping[str, int],
) -> None:
    """A sheet for reviewers to fill, one row per item: each row's `allowed` answers are listed
    and offered as a drop-down in its `answer` column; a bold, frozen header."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    letter = get_column_letter(list(header).index(answer) + 1)
    for row in rows:
        allowed = list(row["allowed"])
        shown = {**row, "allowed": ", ".join(allowed)}
        sheet.append([cell_value(shown.get(name)) for name in header])
        choices = DataValidation(type="list", formula1=f'"{",".join(allowed)}"', allow_blank=True)
        sheet.add_data_validation(choices)
        choices.add(f"{letter}{sheet.max_row}")
    for position, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = widths.get(name, 16)
    sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
