"""The reviewers' worklist: what awaits a human decision, most likely relevant first.

One worksheet per phase, named after it, with drop-down lists for the decision and for the
phase's reason codes. Its decision columns have the decision sheet's names and its other
columns are read as information (screen.reviewers), so a filled copy saved as
config/decisions/<phase>/<reviewer>.xlsx, or the phase's sheet saved as .csv, is read back as
it is: nothing to delete, and rows left blank are records not yet decided.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from prismaflow.spreadsheet import cell_value
from prismaflow.vocabulary import BY_MODEL, NOT_RETRIEVED, PHASES, REVIEWER_DECISIONS

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
    """An XLSX workbook for reviewers: a sheet per phase with drop-downs, and the reason codes."""
    book = Workbook()
    book.remove(book.active)
    for phase in PHASES:
        in_phase = frame["phase"] == phase if "phase" in frame else phase == PHASES[0]
        rows = frame[in_phase] if "phase" in frame else frame if in_phase else frame.iloc[0:0]
        codes = [c for c, spec in reasons.items() if spec["phase"] in (phase, "both")]
        _phase_sheet(book.create_sheet(phase), rows, phase, codes)
    listed = book.create_sheet("reason codes")
    listed.append(["reason", "label", "phase"])
    for code, spec in reasons.items():
        listed.append([cell_value(v) for v in (code, spec["label"], spec["phase"])])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _phase_sheet(sheet, rows: pd.DataFrame, phase: str, codes: list[str]) -> None:
    sheet.append(list(COLUMNS))
    for row in rows.itertuples(index=False):
        sheet.append([cell_value(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 12)
        if name in ("title", "abstract"):
            for cell in sheet[get_column_letter(index)][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    decisions = [d for d in REVIEWER_DECISIONS if phase != PHASES[0] or d != NOT_RETRIEVED]
    last = max(len(rows) + 1, 2)
    for name, allowed in (("decision", decisions), ("reason", codes)):
        if not allowed:
            continue
        letter = get_column_letter(COLUMNS.index(name) + 1)
        # A list typed into the rule holds at most 255 characters; a longer one points at
        # the reason codes' sheet.
        listed = ",".join(allowed)
        formula = f'"{listed}"' if len(listed) < 250 else f"'reason codes'!$A$2:$A${len(codes) + 1}"
        check = DataValidation(type="list", formula1=formula, allow_blank=True)
        check.error = f"Choose one of: {listed}"[:255]
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{last}")
