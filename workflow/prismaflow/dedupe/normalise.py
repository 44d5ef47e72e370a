"""Normalised forms of the fields deduplication compares: what two databases' spellings of one
study's title, authors, journal, volume and pages have in common."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

# Inline formatting (Ca<sup>2+</sup>, <i>in vitro</i>) joins its neighbours; other tags split.
_INLINE_TAGS = re.compile(r"</?(?:sup|sub|i|b|em|strong|u|sc|span)\b[^>]*>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# "[Article in Chinese]", "(Chinese)", "[Spanish]": a database's note on the language, not title.
_LANGUAGE_NOTE = re.compile(
    r"[\[(](?:article in |text in )?(?:chinese|english|french|german|japanese|korean|"
    r"portuguese|russian|spanish|italian|polish|turkish|dutch|czech|hungarian)"
    r"(?: with english abstract)?[\])]",
    re.IGNORECASE,
)
_LEADING_NUMBER = re.compile(r"^\s*[A-Za-z]{0,3}(\d+)")
_JOURNAL_STOPWORDS = {"the", "of", "and", "for", "in", "on", "de", "la", "der", "und"}


# Letters NFKD does not decompose into a base letter and an accent.
_TRANSLITERATE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)
# A "?" inside a word is a character lost to a wrong encoding ("Ta?a?aj" for "Tałałaj").
_LOST_CHARACTER = re.compile(r"(?<=\w)\?+(?=\w)")
# Notes databases add to a title, about the article rather than part of its title: each form
# by name (tests/unit/test_dedupe_rules.py has one test per form). A note opens with "[" and
# runs to its matching "]", whatever brackets it holds ("[Erratum appears in ... Note: Small,
# Sarah K [added]]"); one cut short runs to the end.
NOTE_OPENINGS = {
    "erratum": r"(?:published )?erratum",
    "correction": r"corrected",
    "note": r"note\b",
    "comment": r"(?:see )?comment",
    "retraction": r"retract(?:ion|ed)",
    "expression_of_concern": r"expression of concern",
    "review": r"review\]",  # MEDLINE (Ovid): "[Review]"
    "references": r"\d+ refs?\]",  # MEDLINE (Ovid): "[43 refs]"
    "abstract": r"abstract\b",  # a conference abstract's number: "[abstract no: 134]"
}
_NOTE_OPENING = re.compile(r"\[(?:" + "|".join(NOTE_OPENINGS.values()) + ")", re.IGNORECASE)
# Ovid appends the original-language title after "<ORIGINAL>" or "TO:".
_ORIGINAL_TITLE = re.compile(r"(?:<ORIGINAL>|\bTO:\s).*$", re.DOTALL)
# What exports leave at a title's end that is not title, each form by name (one test each):
# the article's own citation ("... in children. J Clin Oncol 2010;28(5):123-9"), and a
# footnote mark after the last word or full stop ("... in children.1", "...children*",
# "...children<sup>a</sup>"); a number set apart by a space ("Vol. 2") is title.
TRAILING_NOTES = {
    "appended_citation": r"(?:[.(]|\s-)\s*[A-Z][A-Za-z.&' -]{1,80}?\.?\s+(?:19|20)\d{2}"
    r"(?:\s+[A-Z][a-z]{2,8}(?:\s+\d{1,2})?)?\s*;\s*\d+\s*(?:\(\s*[\w -]+\s*\))?\s*:\s*"
    r"[A-Za-z]?\d+(?:\s*[-\u2013]\s*[A-Za-z]?\d+)?\s*\)?\.?",
    "footnote_mark": r"(?:(?<=[a-z][.?!)\]])\d{1,2}|\s*[*\u2020\u2021\u00a7\u00b6]+"
    r"|\s*<sup>\s*[\w*,\u2020\u2021]{1,3}\s*</sup>)",
}
_TRAILING_NOTE = re.compile(r"(?:" + "|".join(TRAILING_NOTES.values()) + r")\s*$")


def fold(text: str) -> str:
    """Lower case ASCII letters and digits only, single-spaced; accents and markup dropped."""
    if "?" in text:
        text = _LOST_CHARACTER.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAGS.sub(" ", _INLINE_TAGS.sub("", text))
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def _note_end(title: str, start: int) -> int:
    """Where the note opened at `start` ends: after its matching "]", or at the end."""
    depth = 0
    for position in range(start, len(title)):
        depth += {"[": 1, "]": -1}.get(title[position], 0)
        if depth == 0:
            return position + 1
    return len(title)


def strip_notes(title: str) -> str:
    """The title without the notes databases add to it (NOTE_OPENINGS), nested ones included,
    and without what exports leave at its end (TRAILING_NOTES)."""
    title = _ORIGINAL_TITLE.sub("", title)
    while found := _NOTE_OPENING.search(title):
        title = title[: found.start()] + " " + title[_note_end(title, found.start()) :]
    return _TRAILING_NOTE.sub("", title.rstrip())


def normalise_title(title: str | None) -> str | None:
    """Case, accents, HTML entities and tags, punctuation, notes and language notes removed.

    PubMed ends titles with a full stop and brackets translated ones, Scopus changes
    capitalisation and dashes, exports carry &amp; or <i>: none of that makes a different study.
    """
    if not title:
        return None
    return fold(_LANGUAGE_NOTE.sub(" ", strip_notes(title))) or None


def first_page(pages: str | None) -> str | None:
    """The first page's number: '221-8', '221-228' and 'e221' all start on 221."""
    found = _LEADING_NUMBER.match(pages or "")
    return found.group(1).lstrip("0") or "0" if found else None


_PAGE_RANGE = re.compile(r"^\s*[A-Za-z]{0,3}(\d+)\s*[-\u2013]\s*[A-Za-z]{0,3}(\d+)")


def page_range(pages: str | None) -> str | None:
    """A first and last page ('2243-5' is 2243-2245); None for a single page or none."""
    found = _PAGE_RANGE.match(pages or "")
    if not found:
        return None
    start, end = found.groups()
    if len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return f"{int(start)}-{int(end)}" if int(end) > int(start) else None


def volume_number(volume: str | None) -> str | None:
    """'38 (Supplement 1)' and '38' are the same volume; what is compared is its number."""
    found = _LEADING_NUMBER.match(volume or "")
    return found.group(1).lstrip("0") or "0" if found else None


def issue_number(issue: str | None) -> str | None:
    """An issue's number ('3', '3 Suppl', 'No. 3'); a number too large for an issue (a
    reference manager's record number in the same field) is no issue."""
    found = re.search(r"\d+", issue or "")
    return found.group(0).lstrip("0") or "0" if found and len(found.group(0)) <= 3 else None


# Name particles that one database keeps and another drops ("von Pawel J" / "Pawel J").
_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "das",
    "du",
    "la",
    "le",
    "el",
    "al",
    "abdel",
    "ben",
    "bin",
    "ter",
    "ten",
    "st",
}


@functools.lru_cache(maxsize=1 << 18)
def surname_key(author: str) -> str | None:
    """An author's surname as databases agree on it: folded, particles and initials dropped."""
    words = [w for w in fold(author).split() if w not in _PARTICLES]
    return next((w for w in words if len(w) > 1), None)


def author_keys(authors: object) -> tuple[str, ...]:
    """Every author's surname key, in order."""
    if authors is None or isinstance(authors, float):
        return ()
    return tuple(key for key in (surname_key(str(a)) for a in authors) if key)


def first_author_names(authors: object) -> tuple[str, ...]:
    """The first author's names of two letters or more, in any order: what survives a database
    swapping family and given names."""
    if authors is None or isinstance(authors, float) or not len(authors):
        return ()
    return tuple(sorted(word for word in fold(str(authors[0])).split() if len(word) > 1))


def journal_words(journal: str | None) -> tuple[str, ...]:
    if not journal:
        return ()
    return tuple(w for w in fold(journal).split() if w not in _JOURNAL_STOPWORDS)


def _abbreviates(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    position = 0
    for word in short:
        while position < len(long) and not long[position].startswith(word):
            position += 1
        if position == len(long):
            return False
        position += 1
    return True


def journals_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """An abbreviation and a full name are compatible when each abbreviated word begins a word
    of the full name, in order: 'J Clin Epidemiol' ~ 'Journal of Clinical Epidemiology'.
    Either may be the abbreviation, even with as many words as the other."""
    if not a or not b:
        return True
    return _abbreviates(a, b) or _abbreviates(b, a)


# Trial registration numbers, as registries write them: ClinicalTrials.gov, ISRCTN, the EU
# registers, ANZCTR, ChiCTR, DRKS, CTRI, jRCT/UMIN/JapicCTI, IRCT, the Dutch register.
_REGISTRATION = re.compile(
    r"\b(?:NCT\d{8}|ISRCTN\d{8}|(?:EUCTR)?\d{4}-\d{6}-\d{2}|ACTRN\d{14}|ChiCTR[-A-Z]*\d{6,}"
    r"|DRKS\d{8}|CTRI/\d{4}/\d{2,3}/\d{6}|jRCT[a-z]?\d{10}|UMIN\d{9}|JapicCTI-\d{6}"
    r"|IRCT\d{8,}N\d+|NTR\d{3,5}|NL\d{4,5})\b",
    re.IGNORECASE,
)


def registrations(*texts: str | None) -> frozenset[str]:
    """The trial registrations a record names in its title or abstract, upper-cased, without
    an EU register's "EUCTR" prefix."""
    found = set()
    for text in texts:
        for match in _REGISTRATION.findall(text or ""):
            found.add(match.upper().removeprefix("EUCTR"))
    return frozenset(found)
