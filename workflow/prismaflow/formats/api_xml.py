"""API responses saved as XML: the Scopus Search API's Atom feed and Europe PMC's search XML.

Both carry the same fields, under the same names, as the JSON responses prismaflow already
reads (Scopus's `dc:title`, `prism:doi`; Europe PMC's `title`, `authorList/author`), so each
entry is turned into the mapping its JSON reader takes, and read by it: one mapping of fields
per database, whichever way the response was saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from prismaflow.errors import InputFileError
from prismaflow.formats.api_json import europepmc_record
from prismaflow.formats.scopus_json import parse_entry
from prismaflow.formats.text import each_record
from prismaflow.formats.xml_safety import parse_xml

# Namespaces of the Scopus Atom feed, written as the JSON response prefixes its keys.
SCOPUS_PREFIXES = {
    "http://www.w3.org/2005/Atom": "",
    "http://purl.org/dc/elements/1.1/": "dc:",
    "http://prismstandard.org/namespaces/basic/2.0/": "prism:",
    "http://a9.com/-/spec/opensearch/1.1/": "opensearch:",
}
# Europe PMC elements that are lists in its JSON even when they hold one item.
EUROPEPMC_LISTS = {"author", "pubType", "meshHeading", "keyword", "fullTextUrl"}


def _name(tag: str, prefixes: Mapping[str, str]) -> str:
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        return prefixes.get(namespace, "") + local
    return tag


def as_mapping(element: Element, prefixes: Mapping[str, str], lists: set[str]) -> Any:
    """An element as the JSON the same API would have sent: text for a leaf, a mapping of
    children otherwise (repeated children, and those named in `lists`, as lists)."""
    children = list(element)
    if not children:
        return (element.text or "").strip() or None
    mapped: dict[str, Any] = {}
    for child in children:
        key = _name(child.tag, prefixes)
        value = as_mapping(child, prefixes, lists)
        if key in lists:
            mapped.setdefault(key, []).append(value)
        elif key in mapped:  # a repeated child the JSON would give as a list
            held = mapped[key]
            mapped[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            mapped[key] = value
    return mapped


def read_scopus_atom(data: bytes, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    root = parse_xml(data, origin)
    if _name(root.tag, SCOPUS_PREFIXES) != "search-results":
        raise InputFileError(origin, "is not a Scopus Search API Atom response", line=1)
    entries = [
        as_mapping(e, SCOPUS_PREFIXES, set())
        for e in root
        if _name(e.tag, SCOPUS_PREFIXES) == "entry"
    ]
    entries = [e for e in entries if isinstance(e, dict) and "error" not in e]
    return each_record(entries, parse_entry, origin, "Scopus Atom entry"), len(entries)


def read_europepmc_xml(data: bytes, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    root = parse_xml(data, origin)
    results = root.find("resultList")
    if root.tag != "responseWrapper" or results is None:
        raise InputFileError(origin, "is not a Europe PMC search response", line=1)
    items = [as_mapping(r, {}, EUROPEPMC_LISTS) for r in results.findall("result")]
    return each_record(items, europepmc_record, origin, "Europe PMC result"), len(items)
