"""Machine pre-fill of the extraction form from the record's own metadata and text.

A value the record does not support stays empty: a wrong condition group would silently move
a study to another synthesis row, while an empty one is listed for a reviewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prismaflow.extract import patterns
from prismaflow.extract.patterns import EMPTY, Prefilled, Record, source_of, texts

# Where a term is looked for, most curated first, with the confidence a match there earns.
CONDITION_FIELDS = (("mesh_terms", 0.95), ("keywords", 0.8), ("title", 0.8), ("abstract", 0.6))
# Fields filled by the pattern of the same name in prismaflow.extract.patterns.
PATTERN_FIELDS = (
    "n_patients",
    "age",
    "sex",
    "regimen",
    "duration_weeks",
    "follow_up_weeks",
    "response",
    "n_responders",
    "adverse_events",
)


def _alternation(terms: Sequence[str]) -> re.Pattern[str]:
    """Whole words or phrases, longest first; a hyphen before a term stops it matching, so
    "randomised" does not match inside "non-randomised". No terms match nothing ("(?!)"), where
    an empty alternation would match everywhere."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<![\w-])(?:{alternatives})\b", re.IGNORECASE)


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
        return cls(_alternation(list(lookup)), lookup)

    def match(self, record: Record) -> tuple[Prefilled, Prefilled]:
        """(condition, group) from the first field that names one; earliest mention wins."""
        for field, confidence in CONDITION_FIELDS:
            for _, text in texts(record, (field,)):
                found = self.pattern.search(text)
                if found:
                    condition, group = self.lookup[found.group(0).casefold()]
                    source = source_of(field, found)
                    return Prefilled(condition, source, confidence), Prefilled(
                        group, source, confidence
                    )
        return EMPTY, EMPTY


def _worded_design(
    text: str, field: str, designs: Sequence[Mapping[str, Any]]
) -> tuple[int, Prefilled] | None:
    """The strongest design whose words the text uses, with its rank in the protocol's list."""
    for rank, spec in enumerate(designs):
        if spec["words"] and (found := _alternation(spec["words"]).search(text)):
            return rank, Prefilled(spec["design"], source_of(field, found), 0.6)
    return None


def study_design(record: Record, designs: Sequence[Mapping[str, Any]]) -> Prefilled:
    """Publication types first (indexers assigned them), unless the title names a stronger
    design (PubMed tags many randomised trials only "Clinical Trial"); then the abstract's
    words. Designs are ranked strongest first, as the protocol lists them."""
    types = {t.casefold(): t for _, t in texts(record, ("publication_types",))}
    typed = next(
        (
            (rank, Prefilled(spec["design"], f'publication_types "{types[w.casefold()]}"', 0.9))
            for rank, spec in enumerate(designs)
            for w in spec["publication_types"]
            if w.casefold() in types
        ),
        None,
    )
    titled = next(
        (
            found
            for _, t in texts(record, ("title",))
            if (found := _worded_design(t, "title", designs))
        ),
        None,
    )
    if titled and (typed is None or titled[0] < typed[0]):
        return titled[1]
    if typed:
        return typed[1]
    for _, text in texts(record, ("abstract",)):
        if found := _worded_design(text, "abstract", designs):
            return found[1]
    return EMPTY


def _derived(values: Mapping[str, Prefilled]) -> dict[str, Prefilled]:
    """What follows from other values: a single patient who responded is one responder; a
    series in which some but not all responded is a mixed response; a "case report" of several
    patients is a case series."""
    n, responders, response = (
        values.get(k, EMPTY) for k in ("n_patients", "n_responders", "response")
    )
    derived: dict[str, Prefilled] = {}
    if responders is EMPTY and n.value == 1 and response.value in ("complete", "partial", "none"):
        count = 0 if response.value == "none" else 1
        source = f"derived from n_patients=1 and response={response.value}"
        derived["n_responders"] = Prefilled(count, source, min(n.confidence, response.confidence))
    if (
        responders is not EMPTY
        and isinstance(n.value, int)
        and 0 < responders.value < n.value
        and response.value != "mixed"
    ):
        source = f"derived from n_responders={responders.value} of n_patients={n.value}"
        derived["response"] = Prefilled("mixed", source, min(n.confidence, responders.confidence))
    design = values.get("study_design", EMPTY)
    if design.value == "case report" and isinstance(n.value, int) and n.value > 1:
        # Indexers tag case series "Case Reports"; a report of several patients is a series.
        source = f"derived from study_design=case report and n_patients={n.value}"
        derived["study_design"] = Prefilled("case series", source, min(n.confidence, 0.7))
    if responders is not EMPTY and isinstance(n.value, int) and responders.value > n.value:
        derived["n_responders"] = EMPTY  # a count the population statement contradicts
    return derived


@dataclass(frozen=True)
class Prefiller:
    """The protocol's pre-fill, built once: the condition vocabulary compiles to one pattern."""

    extraction: Mapping[str, Any]
    vocabulary: ConditionVocabulary
    intervention: patterns.Intervention

    @classmethod
    def from_config(cls, extraction: Mapping[str, Any]) -> Prefiller:
        return cls(
            extraction,
            ConditionVocabulary.from_config(extraction["conditions"]),
            patterns.Intervention.from_config(extraction["intervention"]),
        )

    def __call__(self, record: Record) -> dict[str, Prefilled]:
        """Every field the machine knows how to fill, keyed by field name; fields the protocol
        does not define are left out, and fields without a filler are the reviewers' alone."""
        condition, group = self.vocabulary.match(record)
        from_record: dict[str, Callable[[], Prefilled]] = {
            "condition": lambda: condition,
            "condition_group": lambda: group,
            "study_design": lambda: study_design(record, self.extraction["designs"]),
            "outcome_measure": lambda: patterns.outcome_measure(
                record, self.extraction.get("outcome_measures", [])
            ),
            "formulation": lambda: patterns.formulation(record, self.intervention),
            "concentration": lambda: patterns.concentration(record, self.intervention),
        }
        values = {
            name: from_record[name]() if name in from_record else getattr(patterns, name)(record)
            for name in self.extraction["fields"]
            if name in from_record or name in PATTERN_FIELDS
        }
        values.update({k: v for k, v in _derived(values).items() if k in values})
        return values
