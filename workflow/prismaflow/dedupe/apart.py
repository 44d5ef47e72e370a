"""Explicit rules that keep apart records that only look alike.

An erratum, a reply, a retraction notice or a study protocol shares most of its title with the
article it concerns; so do the parts of a series. Each is a record of its own in a review and
must never be merged into the article.
"""

from __future__ import annotations

import re

# Words that make a record a notice about another one, or a different kind of report of it.
NOTICE_MARKERS = {
    "erratum": re.compile(r"\b(?:erratum|errata|corrigendum|correction|corrected)\b"),
    "retraction": re.compile(r"\b(?:retraction|retracted|withdrawn|expression of concern)\b"),
    "reply": re.compile(r"\b(?:reply|response to|in response|author s reply|authors reply)\b"),
    "comment": re.compile(r"\b(?:comment on|commentary on|comments on|letter to the editor)\b"),
    "protocol": re.compile(r"\b(?:study protocol|protocol for|trial protocol|a protocol)\b"),
}
_SERIES = re.compile(
    r"\b(?:part|phase|paper|study|trial|report|series|section|volume|chapter)\s+"
    r"(\d+|[ivx]+|one|two|three|four|five)\b"
)
_NUMBER = re.compile(r"\b\d+\b")


def notices(folded_title: str) -> frozenset[str]:
    return frozenset(
        name for name, pattern in NOTICE_MARKERS.items() if pattern.search(folded_title)
    )


def series_numbers(folded_title: str) -> frozenset[str]:
    return frozenset(_SERIES.findall(folded_title))


def numbers(folded_title: str) -> frozenset[str]:
    return frozenset(_NUMBER.findall(folded_title))


def _unmatched_numbers(title_a: str, title_b: str) -> bool:
    """A number of one title found nowhere in the other, even inside a word ("alphavbeta3")."""
    compact_a, compact_b = title_a.replace(" ", ""), title_b.replace(" ", "")
    return any(n not in compact_b for n in numbers(title_a)) or any(
        n not in compact_a for n in numbers(title_b)
    )


def keep_apart(title_a: str, title_b: str) -> str | None:
    """The reason two folded titles must not be merged, or None."""
    if notices(title_a) != notices(title_b):
        return "notice_vs_article"
    if series_numbers(title_a) != series_numbers(title_b):
        return "series_part"
    if _unmatched_numbers(title_a, title_b):
        return "different_numbers"
    return None
