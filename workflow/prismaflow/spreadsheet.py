"""Cells that a spreadsheet would run as a formula are written as text."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: str) -> str:
    """A title starting with "=" or "-" is data, not a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
