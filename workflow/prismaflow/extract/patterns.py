"""Text patterns that pre-fill numeric and regimen fields from a record's title and abstract.

Each pattern returns the value with the field, character span and text it came from, so a
reviewer can check it in seconds; when no pattern matches, the field stays empty. Confidence
is the share of pattern matches we expect to be right (set from the development labels in
benchmarks/labels/), not a probability the pattern computes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Prefilled:
    value: Any
    source: str | None  # 'field[start:end] "matched text"', or None when nothing supports a value
    confidence: float | None


EMPTY = Prefilled(None, None, None)
TEXT_FIELDS = ("title", "abstract")

WORD_NUMBERS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_COUNT = r"(\d+|" + "|".join(WORD_NUMBERS) + r")"
_PEOPLE = (
    r"(?:patients|adults|children|adolescents|participants|subjects|women|men|cases|individuals)"
)
_ADJECTIVES = r"(?:(?:randomi[sz]ed|enrolled|consecutive|adult|paediatric|pediatric|evaluable)\s+)?"
_ONE_PERSON = r"(?:woman|man|girl|boy|patient|female|male|child|infant)"
WEEKS_PER = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}
_PRIOR_TREATMENT = re.compile(
    r"\b(?:earlier|previous(?:ly)?|prior|despite|had not responded|had failed|failed)\b", re.I
)


def texts(record: Record, fields: Sequence[str] = TEXT_FIELDS) -> Iterator[tuple[str, str]]:
    """(field, text) pairs of the record's string fields, list fields item by item."""
    for field in fields:
        value = record.get(field)
        if isinstance(value, str):
            yield field, value
        elif value is not None:
            yield from ((field, v) for v in value if isinstance(v, str))


def source_of(field: str, found: re.Match[str]) -> str:
    return f'{field}[{found.start()}:{found.end()}] "{found.group(0)}"'


_SPAN = re.compile(r"^(\w+)\[(\d+):(\d+)\](?: |$)")


def source_span(source: str | None) -> tuple[str, int, int] | None:
    """(field, start, end) of a source written by source_of; None for other sources (a
    publication type, a derivation, a reviewer's sheet)."""
    found = _SPAN.match(source or "")
    return (found.group(1), int(found.group(2)), int(found.group(3))) if found else None


def _number(token: str) -> int:
    return int(token) if token.isdecimal() else WORD_NUMBERS[token.casefold()]


def _first(
    record: Record,
    pattern: re.Pattern[str],
    value: Callable[[re.Match[str]], Any],
    confidence: float,
) -> Prefilled:
    for field, text in texts(record):
        for found in pattern.finditer(text):
            result = value(found)
            if result is not None:
                return Prefilled(result, source_of(field, found), confidence)
    return EMPTY


def _first_of(
    record: Record,
    candidates: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], Any], float]],
) -> Prefilled:
    """The first pattern, in order of preference, that finds a value anywhere in the record."""
    for pattern, value, confidence in candidates:
        found = _first(record, pattern, value, confidence)
        if found is not EMPTY:
            return found
    return EMPTY


_COUNTED = re.compile(rf"\b{_COUNT}\s+{_ADJECTIVES}{_PEOPLE}\b", re.I)
_ONE = re.compile(rf"\b(?:an?\s+(?:\d+-year-old\s+)?(?:[\w-]+\s+){{0,2}}?{_ONE_PERSON})\b", re.I)
_CASE_REPORT = re.compile(r"\bcase report\b", re.I)


def n_patients(record: Record) -> Prefilled:
    """A stated count ("12 patients", "six children") first; then a single described patient
    ("a 46-year-old woman"); then a case report's own wording."""
    return _first_of(
        record,
        (
            (_COUNTED, lambda m: _number(m.group(1)) or None, 0.8),
            (_ONE, lambda m: 1, 0.7),
            (_CASE_REPORT, lambda m: 1, 0.6),
        ),
    )


_AGE_PATTERNS = (
    (re.compile(r"\b(\d{1,3})-year-old\b", re.I), lambda m: m.group(1)),
    (
        re.compile(r"\baged\s+(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\s+years\b", re.I),
        lambda m: f"{m.group(1)}-{m.group(2)}",
    ),
    (
        re.compile(r"\baged\s+(\d{1,3})\s+years\s+(?:or|and)\s+(?:older|over)\b", re.I),
        lambda m: f">={m.group(1)}",
    ),
    (
        re.compile(r"\b(mean|median)\s+age(?:\s+of)?\s+(\d{1,3}(?:\.\d)?)\s+years\b", re.I),
        lambda m: f"{m.group(1).lower()} {m.group(2)}",
    ),
)


def age(record: Record) -> Prefilled:
    return _first_of(record, [(pattern, value, 0.8) for pattern, value in _AGE_PATTERNS])


_SEX_PATTERNS = (
    (
        re.compile(r"\b(\d+)\s+females?,\s+(\d+)\s+males?\b", re.I),
        lambda m: f"{m.group(1)} female, {m.group(2)} male",
    ),
    (
        re.compile(r"\b(\d+(?:\.\d+)?)%\s+(?:women|female)\b", re.I),
        lambda m: f"{m.group(1)}% female",
    ),
    (
        re.compile(r"\ban?\s+(?:\d+-year-old\s+)?(?:[\w-]+\s+){0,3}?(woman|girl|man|boy)\b", re.I),
        lambda m: "female" if m.group(1).lower() in ("woman", "girl") else "male",
    ),
)


def sex(record: Record) -> Prefilled:
    return _first_of(record, [(pattern, value, 0.8) for pattern, value in _SEX_PATTERNS])


# Words that may stand just before a strength that belongs to the intervention ("0.5% or 1.5%
# cream"); any other word there names another treatment ("a comparator 0.1% cream"). The
# protocol adds its intervention's names and qualifiers.
_CONNECTIVES = "or and with of applied using received the a to vehicle".split()
_LAST_WORD = re.compile(r"([A-Za-z]+)\W*$")
_NUMBER = r"(\d+(?:\.\d+)?)"


def _words(terms: Sequence[str]) -> str:
    return "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))


@dataclass(frozen=True)
class Intervention:
    """The patterns that find a formulation and a strength of the intervention the protocol
    studies (`extraction.intervention`): its names, the qualifiers that may follow a name (a
    salt, a route) and the formulations it comes in. Without names, any formulation counts,
    and a strength only where no other treatment is named just before it."""

    formulation: re.Pattern[str]
    strength: re.Pattern[str]
    before_strength: frozenset[str]

    @classmethod
    def from_config(cls, spec: Mapping[str, Sequence[str]]) -> Intervention:
        names, qualifiers = _words(spec["names"]), _words(spec["qualifiers"])
        forms = _words(spec["formulations"])
        qualified = rf"(?:\s+(?:{qualifiers}))*" if qualifiers else ""
        if names:
            formulation = rf"\b(?:{names})\b(?:[^.;]|\.(?=\d)){{0,40}}?\b({forms})\b"
            named = rf"\b(?:{names}){qualified}(?:\s+(?:{forms}))?\s+{_NUMBER}\s?%|"
            prefix = rf"(?:(?:{names})\s+)?"
        else:
            formulation, named, prefix = rf"\b({forms})\b", "(?!)()|", ""
        before = [*_CONNECTIVES, *spec["names"], *spec["qualifiers"]]
        between = rf"(?:(?:{qualifiers})\s+)*" if qualifiers else ""
        return cls(
            re.compile(formulation, re.I),
            re.compile(rf"{named}\b{_NUMBER}\s?%\s+{prefix}{between}(?:{forms})\b", re.I),
            frozenset(word.casefold() for term in before for word in term.split()),
        )

    def strength_at(self, text: str, found: re.Match[str]) -> float | None:
        """The strength a match names, or None when another treatment is named before it."""
        if found.group(1):
            return float(found.group(1))
        before = _LAST_WORD.search(text[: found.start()])
        if before and before.group(1).casefold() not in self.before_strength:
            return None
        return float(found.group(2))


def formulation(record: Record, intervention: Intervention) -> Prefilled:
    return _first(record, intervention.formulation, lambda m: m.group(1).lower(), 0.9)


def concentration(record: Record, intervention: Intervention) -> Prefilled:
    """The highest strength of the intervention named (several strengths are common in
    dose-ranging trials; the synthesis reports the highest used)."""
    for field, text in texts(record):
        strengths = [
            (strength, source_of(field, found))
            for found in intervention.strength.finditer(text)
            if (strength := intervention.strength_at(text, found)) is not None and strength <= 5
        ]
        if strengths:
            strength, source = max(strengths, key=lambda found: found[0])
            return Prefilled(strength, source, 0.8)
    return EMPTY


_REGIMEN = re.compile(
    r"\b(once|twice|three times|four times)\s+(?:daily|a day|per day)\b|\b(BID|QD|TID)\b"
    r"|\bas needed\b",
    re.I,
)
_ABBREVIATIONS = {"bid": "twice", "qd": "once", "tid": "three times"}


def regimen(record: Record) -> Prefilled:
    def value(found: re.Match[str]) -> str:
        if found.group(1):
            return f"{found.group(1).lower()} daily"
        if found.group(2):
            return f"{_ABBREVIATIONS[found.group(2).lower()]} daily"
        return "as needed"

    return _first(record, _REGIMEN, value, 0.8)


def _weeks(amount: str, unit: str) -> float:
    return round(float(amount) * WEEKS_PER[unit.lower().rstrip("s")], 1)


_DURATIONS = (
    re.compile(r"\bfor\s+(\d+)\s+(?:continuous\s+)?(days?|weeks?|months?)\b", re.I),
    re.compile(
        r"\b(\d+)-(day|week|month)\s+(?:[\w-]+\s+){0,2}?(?:trial|study|course|treatment)\b", re.I
    ),
    re.compile(r"\bafter\s+(\d+)\s+(days?|weeks?|months?)\b", re.I),
    re.compile(r"\b(?:by|at|to)\s+(week)\s+(\d+)\b", re.I),
    re.compile(r"\bwithin\s+(\d+)\s+(weeks?|months?)\b", re.I),
)


def _duration(found: re.Match[str]) -> float:
    if found.group(1).lower() == "week":  # "by week 12"
        return float(found.group(2))
    return _weeks(found.group(1), found.group(2))


def duration_weeks(record: Record) -> Prefilled:
    return _first_of(record, [(pattern, _duration, 0.7) for pattern in _DURATIONS])


_FOLLOW_UP = re.compile(
    r"\bfollow-up\s+(?:of|to|for)\s+(\d+)\s+(weeks?|months?|years?)\b"
    r"|\bfollowed\s+(?:up\s+)?for\s+(\d+)\s+(weeks?|months?|years?)\b"
    r"|\b(?:\d+-)?(\d+)\s+(weeks?|months?|years?)\s+of\s+follow-up\b",
    re.I,
)


def follow_up_weeks(record: Record) -> Prefilled:
    def value(found: re.Match[str]) -> float:
        groups = [g for g in found.groups() if g]
        return _weeks(groups[0], groups[1])

    return _first(record, _FOLLOW_UP, value, 0.7)


def outcome_measure(record: Record, instruments: Sequence[str]) -> Prefilled:
    """The first instrument the abstract names, written as the configuration writes it (an
    acronym followed by a threshold, as in ACR50 or HAMD-17, names the acronym)."""
    if not instruments:
        return EMPTY
    alternatives = "|".join(re.escape(i) for i in sorted(instruments, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])({alternatives})(?:-?\d+)?(?![\w-])")
    return _first(record, pattern, lambda m: m.group(1), 0.7)


_RESPONSES = (
    (
        "complete",
        re.compile(
            r"\b(?:cleared|clearance|complete(?:ly)?\s+(?:response|resolution|clearance|regrowth|"
            r"remission|repigmentation|resolved)|resolved)\b",
            re.I,
        ),
    ),
    (
        "none",
        re.compile(
            r"\b(?:did not (?:differ|improve|respond)|no (?:significant |clinical )?"
            r"(?:improvement|response|benefit|difference)|failed to respond|unresponsive)\b",
            re.I,
        ),
    ),
    (
        "partial",
        re.compile(
            r"\b(?:partial(?:ly)?|improv(?:ed|ement|ing)|reduc(?:ed|tion)|regrew|regrown|"
            r"regrowth|fell|dropped|responded|successful(?:ly)?|effective)\b",
            re.I,
        ),
    ),
)


def _sentences(record: Record) -> Iterator[tuple[str, int, str]]:
    """(field, offset, sentence) of each sentence not about earlier, failed treatments."""
    for field, text in texts(record):
        for found in re.finditer(r"[^.]+(?:\.|$)", text):
            if not _PRIOR_TREATMENT.search(found.group(0)):
                yield field, found.start(), found.group(0)


def response(record: Record) -> Prefilled:
    """The strongest claim any sentence makes, complete before none before partial; sentences
    about earlier, failed treatments are skipped. Low confidence: wording is loose."""
    for category, pattern in _RESPONSES:
        for field, offset, sentence in _sentences(record):
            found = pattern.search(sentence)
            if found:
                start, end = offset + found.start(), offset + found.end()
                return Prefilled(category, f'{field}[{start}:{end}] "{found.group(0)}"', 0.5)
    return EMPTY


_RESPONDERS = re.compile(
    rf"\b{_COUNT}\s+(?:of|out of)\s+(?:the\s+)?{_COUNT}\b[^.;]{{0,40}}?\b"
    r"(?:reached|achieved|regrew|responded|improved|cleared|had (?:a )?(?:complete|partial))",
    re.I,
)


def n_responders(record: Record) -> Prefilled:
    return _first(record, _RESPONDERS, lambda m: _number(m.group(1)), 0.7)


_ADVERSE = re.compile(
    r"\b(?:adverse|side effects?|safety|tolerated|irritation|application-site)\b", re.I
)


def adverse_events(record: Record) -> Prefilled:
    """The first sentence about adverse events or tolerability, quoted whole."""
    for field, offset, sentence in _sentences(record):
        if _ADVERSE.search(sentence):
            text = sentence.strip()
            start = offset + sentence.index(text)
            return Prefilled(text, f"{field}[{start}:{start + len(text)}]", 0.6)
    return EMPTY
