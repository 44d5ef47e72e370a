"""Reviewers' extraction sheets: read, typed field by field, and compared between reviewers.

A sheet is config/extraction/<reviewer>.csv or .xlsx, one row per study (record id, DOI or
PMID) and one column per protocol field. A blank cell leaves the value to others; "NR" says the
report does not give it. A cell that does not fit its field is a problem for the gate to
report with its file, row, study and field; it never becomes a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.errors import InputFileError
from prismaflow.extract.fields import FieldSpec
from prismaflow.identifiers import resolve_record
from prismaflow.sheets import ADJUDICATOR, read_rows

# Columns of the sheet prismaflow writes that carry no reviewer's value.
INFORMATION_COLUMNS = ("study",)
PROBLEMS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int64()),
        ("record_id", pa.string()),
        ("field", pa.string()),
        ("value", pa.string()),
        ("problem", pa.string()),
    ]
)
DISAGREEMENTS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("field", pa.string()),
        ("values", pa.string()),  # "alice=12; bob=14", as each reviewer wrote it
        ("resolved_by", pa.string()),
        ("resolved_value", pa.string()),
    ]
)


@dataclass(frozen=True)
class ReviewerValue:
    record_id: str
    field: str
    reviewer: str
    value: Any  # typed; None when the reviewer wrote "NR"
    written: str
    origin: str  # "file, line N"


@dataclass(frozen=True)
class ReviewerSheets:
    values: list[ReviewerValue]
    problems: list[dict[str, Any]]

    def problems_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.problems, columns=PROBLEMS_SCHEMA.names)


def read_sheet(
    path: Path, fields: Sequence[FieldSpec], index: Mapping[str, str], included: set[str]
) -> ReviewerSheets:
    """One reviewer's sheet; the reviewer id is the file's name."""
    specs = {spec.name: spec for spec in fields}
    rows = read_rows(path, ("record_id",), ("record_id", *INFORMATION_COLUMNS, *specs))
    values, problems, seen = [], [], {}

    def problem(line: int, record: str | None, field: str | None, value: str, why: str) -> None:
        problems.append(
            {
                "file": str(path),
                "line": line,
                "record_id": record,
                "field": field,
                "value": value,
                "problem": why,
            }
        )

    for line, row in rows:
        reference = row["record_id"]
        record_id = resolve_record(reference, index)
        if record_id not in included:
            why = "is not an included study" if record_id else "names no record"
            problem(line, record_id, None, reference, f"record {reference!r} {why}")
            continue
        if record_id in seen:
            problem(line, record_id, None, reference, f"study also on line {seen[record_id]}")
            continue
        seen[record_id] = line
        for name, written in row.items():
            if name not in specs:
                continue
            try:
                typed = specs[name].coerce(written)
            except ValueError as exc:
                problem(line, record_id, name, written, str(exc))
                continue
            origin = f"{path.name}, line {line}"
            values.append(ReviewerValue(record_id, name, path.stem, typed, written, origin))
    return ReviewerSheets(values, problems)


def read_sheets(
    paths: Sequence[str | Path],
    fields: Sequence[FieldSpec],
    index: Mapping[str, str],
    included: set[str],
) -> ReviewerSheets:
    reviewers: dict[str, Path] = {}
    for path in map(Path, paths):
        if path.stem in reviewers:
            raise InputFileError(
                path,
                f"reviewer {path.stem!r} also has {reviewers[path.stem].name}",
                fix="keep one sheet per reviewer (CSV or XLSX)",
            )
        reviewers[path.stem] = path
    sheets = [read_sheet(p, fields, index, included) for p in reviewers.values()]
    return ReviewerSheets(
        [v for s in sheets for v in s.values], [p for s in sheets for p in s.problems]
    )


@dataclass(frozen=True)
class Settled:
    """A field's value as the reviewers settled it; `by` is None for an open disagreement."""

    value: Any
    by: str | None
    source: str


def settle(values: Sequence[ReviewerValue]) -> tuple[Settled, dict[str, Any] | None]:
    """One field of one study from every reviewer who filled it: the adjudicator's value if
    there is one, else the value all reviewers agree on; a disagreement leaves no value."""
    adjudicated = [v for v in values if v.reviewer == ADJUDICATOR]
    reviewers = sorted((v for v in values if v.reviewer != ADJUDICATOR), key=lambda v: v.reviewer)
    distinct = {_key(v.value) for v in reviewers}
    disagreement = None
    if len(distinct) > 1:
        disagreement = {
            "record_id": values[0].record_id,
            "field": values[0].field,
            "values": "; ".join(f"{v.reviewer}={v.written}" for v in reviewers),
            "resolved_by": ADJUDICATOR if adjudicated else None,
            "resolved_value": adjudicated[0].written if adjudicated else None,
        }
    if adjudicated:
        chosen = adjudicated[0]
        return Settled(chosen.value, ADJUDICATOR, chosen.origin), disagreement
    if disagreement:
        return Settled(None, None, f"disagreement: {disagreement['values']}"), disagreement
    by = "+".join(v.reviewer for v in reviewers)
    return Settled(reviewers[0].value, by, "; ".join(v.origin for v in reviewers)), None


def _key(value: Any) -> Any:
    """Values compare as the reviewer meant them: 12 and 12.0 agree, "Cream" and "cream" too."""
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def settled_values(
    sheets: ReviewerSheets,
) -> tuple[dict[tuple[str, str], Settled], pd.DataFrame]:
    """(record id, field) -> settled value, and the table of disagreements."""
    grouped: dict[tuple[str, str], list[ReviewerValue]] = {}
    for value in sheets.values:
        grouped.setdefault((value.record_id, value.field), []).append(value)
    settled, disagreements = {}, []
    for key, values in sorted(grouped.items()):
        settled[key], disagreement = settle(values)
        if disagreement:
            disagreements.append(disagreement)
    return settled, pd.DataFrame(disagreements, columns=DISAGREEMENTS_SCHEMA.names)
