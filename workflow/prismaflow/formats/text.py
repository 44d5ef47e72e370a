"""Bytes from other people's tools into text, and their markup out of titles.

Exports arrive with BOMs, in UTF-16 (Web of Science), cp1252 (older Windows tools), with CR-only
or CRLF line ends. All of that is undone here once, so each parser sees plain LF-ended text.
"""

from __future__ import annotations

import codecs
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from prismaflow.errors import InputFileError
from prismaflow.limits import check_lines

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Inline markup that databases leave in titles and abstracts (<i>, <sup>, MathML-free HTML).
# Tags publishers leave in titles and abstracts, removed after entities are decoded (so
# "&lt;p&gt;" goes too): inline ones (<i>, <sup>) without a trace, block ones (Europe PMC's
# <h4> headings, <p>, JATS's <jats:p>) as a space, so words on either side stay apart.
_INLINE_TAGS = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc|scp|span|inf)\b[^>]*>", re.I)
_BLOCK_TAGS = re.compile(r"</?(?:h[1-6]|p|br|div|section|jats:[a-z-]+)\b[^>]*>", re.I)


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text written without a byte order mark: mostly-ASCII text has a NUL in every
    other byte, on the odd bytes for little-endian and on the even ones for big-endian."""
    even, odd = sample[0::2], sample[1::2]
    if odd and odd.count(0) > 0.9 * len(odd) and not even.count(0):
        return "utf-16-le"
    if even and even.count(0) > 0.9 * len(even) and not odd.count(0):
        return "utf-16-be"
    return None


def decode(data: bytes, origin: str | Path) -> str:
    """Text with LF line ends: by BOM, else UTF-16 as its NULs show it, else UTF-8, else
    cp1252. A stray NUL is text (records take it out, prismaflow.hostile_text); more than one
    byte in a hundred is binary data, refused."""
    if not data.strip():
        raise InputFileError(origin, "the file is empty", fix="export the records again")
    sample = data[:4096]
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _lines(data.decode(encoding), origin)
            except UnicodeDecodeError as exc:
                raise InputFileError(
                    origin,
                    f"starts with a {encoding.upper()} byte order mark but is not {encoding} text",
                    line=data[: exc.start].count(b"\n") + 1,
                    fix="save or export it as UTF-8",
                ) from None
    utf16 = _utf16_without_bom(sample) if b"\x00" in sample else None
    if utf16:
        try:
            return _lines(data.decode(utf16), origin)
        except UnicodeDecodeError:
            raise InputFileError(
                origin,
                f"looks like {utf16.upper()} text without a byte order mark, but does not "
                "decode as it",
                fix="save or export it as UTF-8",
            ) from None
    if sample.count(0) > max(2, len(sample) // 100):
        raise InputFileError(
            origin,
            "is a binary file, not a text export",
            fix="export RIS, MEDLINE, BibTeX, CSV, tab-delimited text, XML or XLSX",
        )
    try:
        return _lines(data.decode("utf-8"), origin)
    except UnicodeDecodeError as not_utf8:
        try:
            return _lines(data.decode("cp1252"), origin)
        except UnicodeDecodeError:
            line = data[: not_utf8.start].count(b"\n") + 1
            raise InputFileError(
                origin,
                "is neither UTF-8 nor Windows-1252 text",
                line=line,
                fix="save or export it as UTF-8",
            ) from None


def _lines(text: str, origin: str | Path) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    check_lines(text, origin)
    return text


def parse_json(data: str | bytes, origin: str | Path) -> Any:
    """A JSON document, or an error naming the file and line: invalid JSON, or nesting deeper
    than Python's reader goes (100,000 brackets)."""
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            origin, f"not valid JSON ({exc.msg})", line=exc.lineno, fix="download it again"
        ) from None
    except RecursionError:
        raise InputFileError(
            origin, "nests its JSON deeper than any API response", fix="download it again"
        ) from None


def each_record(
    items: Iterable[Any], mapper: Callable[[Any], dict[str, Any]], origin: str | Path, what: str
) -> list[dict[str, Any]]:
    """Each element of a parsed document mapped to a record; an element whose fields have
    another shape than the format's (a list where a title should be) is named by its number."""
    records = []
    for number, item in enumerate(items, start=1):
        try:
            records.append(mapper(item))
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            raise InputFileError(
                origin,
                f"record {number} of this {what} has a field of an unexpected shape "
                f"({type(exc).__name__}: {exc})",
                fix="download it again; if it persists, the format may have changed",
            ) from None
    return records


def clean_markup(value: str | None) -> str | None:
    """HTML entities decoded and inline tags removed: "&lt;i&gt;E. coli&lt;/i&gt;" -> "E. coli"."""
    if value is None:
        return None
    text = _BLOCK_TAGS.sub(" ", _INLINE_TAGS.sub("", html.unescape(value)))
    return " ".join(text.split()) or None


_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")


def year_in(value: object) -> int | None:
    """The first plausible publication year in a date as exports write it ("2011 May",
    "2011/05/11/", "[[2025, 4]]", "2021-05"), or None."""
    found = _YEAR.search(str(value or ""))
    return int(found.group(1)) if found else None


def type_code(types: object, names: Mapping[str, str], default: str) -> str:
    """The format's code for a record's first publication type it has one for (the first code
    `names` gives that name, compared without case), so that a book stays a book, and not a
    journal article, through an export; `default` when none has one."""
    codes: dict[str, str] = {}
    for code, name in names.items():
        codes.setdefault(name.lower(), code)
    for kind in types if isinstance(types, (list, tuple)) else []:
        if isinstance(kind, str) and kind.lower() in codes:
            return codes[kind.lower()]
    return default
