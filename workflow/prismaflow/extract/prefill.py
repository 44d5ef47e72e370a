"""Machine pre-fill of extraction fields from the record's own metadata.

A value the record does not support stays empty: a wrong condition group would silently move
a study to another synthesis row, while an empty one is listed for a reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Where a term is looked for, most curated first, with the confidence a match there earns.
CONDITION_FIELDS = (("mesh_terms", 0.95), ("keywords", 0.8), ("title", 0.8), ("abstract", 0.6))


@dataclass(frozen=True)
class Prefilled:
    value: str | None
    source: str | None  # "field: matched text", or None when nothing supports a value
    confidence: float | None


EMPTY = Prefilled(None, None, None)


def _texts(record: Mapping[str, Any], field: str) -> list[str]:
    value = record.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


@dataclass(frozen=True)
class ConditionVocabulary:
    """synonym -> (condition, group), matched as whole words, longest synonym first."""

    pattern: re.Pattern[str]
    lookup: Mapping[str, tuple[str, str]]

    @classmethod
    def from_config(
        cls, conditions: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> ConditionVocabulary:
        lookup = {
            synonym.casefold(): (condition, group)
            for group, members in conditions.items()
            for condition, synonyms in members.items()
            for synonym in (*synonyms, condition)
        }
        alternatives = "|".join(re.escape(s) for s in sorted(lookup, key=len, reverse=True))
        return cls(re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE), lookup)

    def match(self, record: Mapping[str, Any]) -> tuple[Prefilled, Prefilled]:
        """(condition, group) from the first field that names one; earliest mention wins."""
        for field, confidence in CONDITION_FIELDS:
            for text in _texts(record, field):
                found = self.pattern.search(text)
                if found:
                    condition, group = self.lookup[found.group(0).casefold()]
                    source = f"{field}: {found.group(0)}"
                    return Prefilled(condition, source, confidence), Prefilled(
                        group, source, confidence
                    )
        return EMPTY, EMPTY


def study_design(record: Mapping[str, Any], designs: Sequence[Mapping[str, Any]]) -> Prefilled:
    """Publication types first (indexers assigned them), then the design's words in the text."""
    types = {t.casefold(): t for t in _texts(record, "publication_types")}
    for spec in designs:
        for wanted in spec["publication_types"]:
            if wanted.casefold() in types:
                return Prefilled(
                    spec["design"], f"publication_types: {types[wanted.casefold()]}", 0.9
                )
    for spec in designs:
        words = spec.get("words") or []
        if not words:
            continue
        pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
        for field in ("title", "abstract"):
            for text in _texts(record, field):
                found = pattern.search(text)
                if found:
                    return Prefilled(spec["design"], f"{field}: {found.group(0)}", 0.6)
    return EMPTY
