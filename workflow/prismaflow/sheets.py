"""Reading the CSV sheets people write (reviewers' decisions, dedupe overrides), with the line
number of every row so that each error can name where to look."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from prismaflow.errors import InputFileError

Row = dict[str, str]


def read_rows(path: Path, required: Sequence[str], allowed: Sequence[str]) -> list[tuple[int, Row]]:
    """(line number, row) pairs, with blank cells left out of each row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise InputFileError(
            path, "is not UTF-8 text", line=line, fix="save the sheet as CSV UTF-8"
        ) from None
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in allowed]
    if missing or unknown:
        raise InputFileError(
            path,
            f"header has missing columns {missing} / unknown columns {unknown}",
            line=1,
            fix=f"use the columns {list(allowed)}",
        )
    rows = []
    for row in reader:
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
