"""The one way a value becomes a spreadsheet cell: every sheet prismaflow writes (the worklist,
the extraction sheet, exports) goes through `cell_value`, so hostile text is neutralised in one
place: a formula is written as text, characters a sheet cannot hold are replaced, and
bidirectional controls that would reorder what a reviewer reads are made visible."""

from __future__ import annotations

from typing import Any

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
