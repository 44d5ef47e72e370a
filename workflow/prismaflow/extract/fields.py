"""The extraction form as the protocol defines it, and the reading of one typed cell.

Reviewers type into spreadsheets: "12", "12 weeks", "1.5%", "Partial". A cell is accepted when
it means one value of the field's type (with the field's own unit, if written); anything else
is reported as a problem naming the field, never guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

ARROW_TYPES = {
    "text": pa.string(),
    "category": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
}
# A reviewer's mark for "the report does not give this": an explicit empty value.
NOT_REPORTED = frozenset({"nr", "n/a", "na", "not reported"})
# Units reviewers write for the configured unit; a different unit is a problem, not a conversion.
UNIT_SPELLINGS = {
    "weeks": {"week", "weeks", "wk", "wks", "w"},
    "patients": {"patient", "patients", "pts", "participants", "subjects"},
    "%": {"%", "percent"},
    "years": {"year", "years", "y", "yrs"},
}
_NUMBER_WITH_UNIT = re.compile(r"^([-+]?\d+(?:[.,]\d+)?)\s*(\S.*)?$")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    description: str
    unit: str | None = None
    values: tuple[str, ...] = ()
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.type]

    def coerce(self, raw: Any) -> Any:
        """The typed value of a cell; ValueError says what is wrong with it."""
        if raw is None:
            return None
        text = str(raw).strip()
        if not text or text.casefold() in NOT_REPORTED:
            return None
        if self.type == "text":
            return text
        if self.type == "category":
            return self._category(text)
        return self._number(raw, text)

    def _category(self, text: str) -> str:
        for allowed in self.values:
            if text.casefold() == allowed.casefold():
                return allowed
        raise ValueError(f"{text!r} is not one of {list(self.values)}")

    def _number(self, raw: Any, text: str) -> int | float:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            number = float(raw)
        else:
            found = _NUMBER_WITH_UNIT.match(text)
            if not found:
                raise ValueError(f"{text!r} is not a number" + self._unit_hint())
            number = float(found.group(1).replace(",", "."))
            unit = (found.group(2) or "").strip().casefold()
            if unit and unit not in UNIT_SPELLINGS.get(self.unit or "", {(self.unit or "")}):
                raise ValueError(f"{text!r} is not in {self.unit or 'a bare number'}")
        if self.type == "integer":
            if not number.is_integer():
                raise ValueError(f"{text!r} is not a whole number")
            number = int(number)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{text!r} is below the minimum {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{text!r} is above the maximum {self.maximum:g}")
        return number

    def _unit_hint(self) -> str:
        return f" (write a number of {self.unit})" if self.unit else ""


def typed_text(value: Any) -> str | None:
    """A typed value as a reviewer would type it back: 12.0 reads "12"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_specs(fields: Mapping[str, Mapping[str, Any]]) -> list[FieldSpec]:
    """The configured fields in the protocol's order."""
    return [
        FieldSpec(
            name=name,
            type=spec["type"],
            description=spec["description"],
            unit=spec.get("unit"),
            values=tuple(spec.get("values", ())),
            required=bool(spec.get("required", False)),
            minimum=spec.get("minimum"),
            maximum=spec.get("maximum"),
        )
        for name, spec in fields.items()
    ]
