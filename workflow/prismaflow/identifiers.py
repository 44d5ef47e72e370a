"""Normalising identifiers so that one study's DOI or PMID compares equal across databases."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote

import pandas as pd

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


def normalise_doi(value: str | None) -> str | None:
    """Lower-case DOI without resolver prefix; None when the value is not a DOI at all.

    DOIs are case-insensitive by definition, and exports differ in whether they keep the
    https://doi.org/ prefix, a trailing full stop, or URL-encoding ("%28" for "("). A DOI holds
    no whitespace: a space or line break inside one is an export's wrapping, and is removed.
    """
    if value is None:
        return None
    doi = _DOI_PREFIX.sub("", unquote(value.strip()))
    doi = "".join(doi.split()).rstrip(".").lower()
    return doi if _DOI_SHAPE.match(doi) else None


def normalise_pmid(value: str | int | None) -> str | None:
    """PMIDs as digit strings without leading zeros; None when not a PMID."""
    if value is None:
        return None
    text = str(value).strip()
    return str(int(text)) if text.isdecimal() and int(text) > 0 else None


def record_index(records: pd.DataFrame, links: pd.DataFrame) -> dict[str, str]:
    """Every way a reviewer may name a record (any member's id, DOI, PMID, EID) -> canonical id."""
    index = dict(zip(links["record_id"], links["canonical_id"], strict=True))
    for column in ("doi", "pmid", "scopus_eid"):
        for value, canonical in zip(records[column], records["record_id"], strict=True):
            if isinstance(value, str):
                index.setdefault(value.lower() if column == "doi" else value, canonical)
    if "member_dois" in records:  # every member's DOI, where a cluster holds more than one
        for dois, canonical in zip(records["member_dois"], records["record_id"], strict=True):
            for doi in dois if dois is not None else ():
                index.setdefault(doi.lower(), canonical)
    return index


def resolve_record(value: str, index: Mapping[str, str]) -> str | None:
    """The canonical id a reviewer's reference names, or None when it names no record."""
    for key in (value, normalise_doi(value), normalise_pmid(value)):
        if key and key in index:
            return index[key]
    return None
