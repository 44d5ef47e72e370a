"""The reviewers' worklist: what awaits a human decision, most likely relevant first.

Its decision columns have the decision sheet's names, so a filled copy saved as CSV in
config/decisions/<phase>/<reviewer>.csv is read back without editing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from prismaflow.spreadsheet import cell_value
from prismaflow.vocabulary import BY_MODEL

COLUMNS = (
    "rank",
    "record",
    "phase",
    "score",
    "why",
    "title",
    "abstract",
    "year",
    "journal",
    "decision",
    "reason",
    "note",
    "timestamp",
)
WIDTHS = {"title": 60, "abstract": 90, "why": 35, "journal": 25, "record": 28}


def worklist(decisions: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """What no reviewer and no rule has decided, at the phase each record reached, by phase
    (title/abstract first) and descending relevance score."""
    pending = decisions[decisions["decided_by"].isna() | (decisions["decided_by"] == BY_MODEL)]
    merged = pending.merge(
        records[["record_id", "title", "abstract", "year", "journal"]], on="record_id", how="left"
    )
    merged = merged.sort_values(["phase", "score"], ascending=[False, False], kind="stable")
    merged = merged.reset_index(drop=True)
    merged = merged.assign(
        rank=range(1, len(merged) + 1),
        record=merged["record_id"],
        why=merged["score_terms"],
        decision=None,
        reason=None,
        timestamp=None,
        note=None,
    )
    return merged[list(COLUMNS)]


def write_worklist(frame: pd.DataFrame, path: Path, reasons: dict) -> None:
    """An XLSX sheet for reviewers, with a second sheet listing the reason codes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "worklist"
    sheet.append(list(COLUMNS))
    for row in frame.itertuples(index=False):
        sheet.append([cell_value(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 12)
        if name in ("title", "abstract"):
            for cell in sheet[get_column_letter(index)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    codes = book.create_sheet("reason codes")
    codes.append(["reason", "label", "phase"])
    for code, spec in reasons.items():
        codes.append([cell_value(v) for v in (code, spec["label"], spec["phase"])])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
