"""Bytes from other people's tools into text, and their markup out of titles.

Exports arrive with BOMs, in UTF-16 (Web of Science), cp1252 (older Windows tools), with CR-only
or CRLF line ends. All of that is undone here once, so each parser sees plain LF-ended text.
"""

from __future__ import annotations

import codecs
import html
import re
from pathlib import Path

from prismaflow.errors import InputFileError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Inline markup that databases leave in titles and abstracts (<i>, <sup>, MathML-free HTML).
_TAGS = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc|scp|span|br|p|inf)\b[^>]*>", re.IGNORECASE)


def decode(data: bytes, origin: str | Path) -> str:
    """Text with LF line ends: by BOM, else UTF-8, else cp1252; binary data is refused."""
    if not data.strip():
        raise InputFileError(origin, "the file is empty", fix="export the records again")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding)
            break
    else:
        if b"\x00" in data[:4096]:
            raise InputFileError(
                origin,
                "is a binary file, not a text export",
                fix="export RIS, MEDLINE, BibTeX, CSV, tab-delimited text, XML or XLSX",
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as not_utf8:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                line = data[: not_utf8.start].count(b"\n") + 1
                raise InputFileError(
                    origin,
                    "is neither UTF-8 nor Windows-1252 text",
                    line=line,
                    fix="save or export it as UTF-8",
                ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def clean_markup(value: str | None) -> str | None:
    """HTML entities decoded and inline tags removed: "&lt;i&gt;E. coli&lt;/i&gt;" -> "E. coli"."""
    if value is None:
        return None
    text = _TAGS.sub("", html.unescape(value))
    return " ".join(text.split()) or None


_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")


def year_in(value: object) -> int | None:
    """The first plausible publication year in a date as exports write it ("2011 May",
    "2011/05/11/", "[[2025, 4]]", "2021-05"), or None."""
    found = _YEAR.search(str(value or ""))
    return int(found.group(1)) if found else None
