"""The extraction sheet reviewers fill: one row per included study, the machine's values
pre-filled, where each came from beside it, and the form's rules on a sheet of their own.

Saved unchanged into config/extraction/<reviewer>.xlsx, it reads back as that reviewer's
values: the reviewer vouches for every value left in the sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from prismaflow.extract.fields import FieldSpec
from prismaflow.spreadsheet import cell_value

TITLE_WORDS = 6  # a report without authors is cited by the start of its title


def citation(study: pd.Series) -> str:
    """ "Author Year, Journal": enough to find the report, short enough for a column. A report
    with no author is cited by the first words of its title, as Vancouver cites anonymous
    works, never as "Anonymous" (which names no report)."""
    author = study.get("first_author")
    title = study.get("title")
    if isinstance(author, str):
        author = author.split(",")[0].split(" ")[0]
    elif isinstance(title, str):
        words = title.split()
        author = (
            "“" + " ".join(words[:TITLE_WORDS]) + ("…" if len(words) > TITLE_WORDS else "") + "”"
        )
    else:
        author = "[No author or title]"
    year = study.get("year")
    year = str(int(year)) if year is not None and year == year else "n.d."
    journal = study.get("journal")
    return f"{author} {year}" + (f", {journal}" if isinstance(journal, str) else "")


def _bold_header(sheet, names: Sequence[str], widths: dict[str, int]) -> None:
    sheet.append(list(names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = widths.get(name, 16)
    sheet.freeze_panes = "C2"


def write_extraction_sheet(studies: pd.DataFrame, fields: Sequence[FieldSpec], path: Path) -> None:
    book = Workbook()
    values = book.active
    values.title = "extraction"
    names = ["record_id", "study", *(spec.name for spec in fields)]
    _bold_header(values, names, {"record_id": 28, "study": 30, "adverse_events": 50})
    sources = book.create_sheet("machine sources")
    _bold_header(sources, names, {"record_id": 28, "study": 30})
    for _, study in studies.iterrows():
        key = [cell_value(study["record_id"]), cell_value(citation(study))]
        values.append(key + [cell_value(study.get(spec.name)) for spec in fields])
        sources.append(
            key
            + [
                cell_value(_source_note(study.get(f"{spec.name}_source"), study, spec.name))
                for spec in fields
            ]
        )
    rules = book.create_sheet("fields")
    _bold_header(rules, ["field", "type", "unit", "allowed values", "required", "description"], {})
    for spec in fields:
        rules.append(
            [
                cell_value(v)
                for v in (
                    spec.name,
                    spec.type,
                    spec.unit,
                    ", ".join(spec.values),
                    "yes" if spec.required else "",
                    spec.description,
                )
            ]
        )
    _category_dropdowns(values, fields, len(studies))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _source_note(source: Any, study: pd.Series, field: str) -> str | None:
    if not isinstance(source, str):
        return None
    confidence = study.get(f"{field}_confidence")
    by = study.get(f"{field}_by")
    who = f"{by}: " if isinstance(by, str) and by != "machine" else ""
    shown = f" (confidence {confidence:.2f})" if isinstance(confidence, float) else ""
    return f"{who}{source}{shown}"


def _category_dropdowns(sheet, fields: Sequence[FieldSpec], rows: int) -> None:
    """A list to pick from in each category column. Excel limits such lists to 255
    characters; a longer one gets no list, and the gate still checks every value."""
    for position, spec in enumerate(fields, start=3):
        listed = ",".join([*spec.values, "NR"])
        if spec.type != "category" or rows == 0 or len(listed) > 250:
            continue
        validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
        letter = get_column_letter(position)
        validation.add(f"{letter}2:{letter}{rows + 1}")
        sheet.add_data_validation(validation)
