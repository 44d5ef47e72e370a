"""The protocol's exclusion rules: they decide only the clear cases, and say why.

Each rule returns the field and the term that triggered it, so every exclusion can be checked
by a reviewer against the record. No rule excludes a record for what it lacks (a record
without an abstract is never excluded for not mentioning a concept).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RuleHit:
    rule: str
    reason: str
    field: str
    term: str


Record = Mapping[str, Any]
Rule = Callable[[Record], RuleHit | None]


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)]


def _pattern(terms: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def _first_match(pattern: re.Pattern[str], record: Record, fields: Sequence[str]):
    for name in fields:
        for text in _items(record.get(name)):
            found = pattern.search(text)
            if found:
                return name, found.group(0)
    return None


def publication_type_rule(reason: str, types: Sequence[str]) -> Rule:
    wanted = {t.casefold(): t for t in types}

    def rule(record: Record) -> RuleHit | None:
        for value in _items(record.get("publication_types")):
            if value.casefold() in wanted:
                return RuleHit("publication_type", reason, "publication_types", value)
        return None

    return rule


def language_rule(reason: str, allowed: Sequence[str]) -> Rule:
    """A record in several languages stays while any one of them is allowed: an article
    published in English and French is an English article."""
    allowed_codes = {a.casefold() for a in allowed}

    def rule(record: Record) -> RuleHit | None:
        languages = _items(record.get("language"))
        if languages and not any(lang.casefold() in allowed_codes for lang in languages):
            return RuleHit("language", reason, "language", "; ".join(languages))
        return None

    return rule


def date_window_rule(reason: str, start: str | None, end: str | None) -> Rule:
    """Year precision: a record is outside only if its whole publication year is."""
    first_year = int(start[:4]) if start else None
    last_year = int(end[:4]) if end else None

    def rule(record: Record) -> RuleHit | None:
        year = record.get("year")
        if year is None or year != year:  # None or NaN: unknown, never a reason to exclude
            return None
        if (last_year and year > last_year) or (first_year and year < first_year):
            return RuleHit("date_window", reason, "year", str(int(year)))
        return None

    return rule


def off_topic_title_rule(reason: str, terms: Sequence[str], unless: Sequence[str]) -> Rule:
    """A title naming an off-topic subject (an approved indication, an animal model); words in
    `unless` keep it in, because such a title may also name the question's own subject."""
    indication, keep = _pattern(terms), _pattern(unless) if unless else None

    def rule(record: Record) -> RuleHit | None:
        title = record.get("title")
        if not isinstance(title, str):
            return None
        found = indication.search(title)
        if found and not (keep and keep.search(title)):
            return RuleHit("off_topic_title", reason, "title", found.group(0))
        return None

    return rule


def required_concept_rule(reason: str, terms: Sequence[str]) -> Rule:
    concept = _pattern(terms)

    def rule(record: Record) -> RuleHit | None:
        if not isinstance(record.get("abstract"), str):
            return None
        if _first_match(concept, record, ("title", "abstract", "keywords")):
            return None
        return RuleHit(
            "required_concept", reason, "title+abstract+keywords", "none of: " + ", ".join(terms)
        )

    return rule


def protocol_rules(rules: Mapping[str, Any], window: Mapping[str, Any]) -> list[Rule]:
    """The configured rules in the order the protocol applies them."""
    built: list[Rule] = []
    if "language" in rules:
        built.append(language_rule(rules["language"]["reason"], rules["language"]["allowed"]))
    for entry in rules.get("publication_types", []):
        built.append(publication_type_rule(entry["reason"], entry["types"]))
    if "date_window" in rules:
        built.append(
            date_window_rule(rules["date_window"]["reason"], window.get("start"), window.get("end"))
        )
    for spec in rules.get("off_topic_titles", []):
        built.append(off_topic_title_rule(spec["reason"], spec["terms"], spec.get("unless", [])))
    if "required_concepts" in rules:
        spec = rules["required_concepts"]
        built.append(required_concept_rule(spec["reason"], spec["terms"]))
    return built


def first_hit(rules: Sequence[Rule], record: Record) -> RuleHit | None:
    for rule in rules:
        hit = rule(record)
        if hit:
            return hit
    return None
