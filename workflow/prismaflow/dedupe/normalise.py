"""Title normalisation: what two databases' spellings of one title have in common."""

from __future__ import annotations

import html
import re
import unicodedata

_TAGS = re.compile(r"<[^>]+>")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_title(title: str | None) -> str | None:
    """Case, accents, HTML entities and tags, and punctuation removed; None when empty.

    PubMed ends titles with a full stop, Scopus changes capitalisation and dashes, and exports
    carry &amp; or <i>: none of that makes a different study.
    """
    if not title:
        return None
    text = _TAGS.sub(" ", html.unescape(title))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = _NON_ALNUM.sub(" ", text).strip()
    return text or None
