"""Tagged and XML exports that no canonical-schema reader covers elsewhere: Web of Science plain
text (rispy's WoK parser), EndNote XML and PubMed XML (the search stage's own parser)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import rispy

from prismaflow.errors import InputFileError
from prismaflow.formats.pubmed_xml import parse_article
from prismaflow.formats.tabular import wos_record
from prismaflow.formats.text import year_in
from prismaflow.formats.xml_safety import parse_xml, text_of
from prismaflow.identifiers import normalise_doi

_ER = re.compile(r"^ER\s*$", re.MULTILINE)
# rispy's WoK parser names tags; the tab-delimited reader maps the tags themselves.
WOK_TAGS = {
    "document_title": "TI",
    "abstract": "AB",
    "authors": "AU",
    "publication_year": "PY",
    "publication_name": "SO",
    "iso_source_abbreviation": "JI",
    "volume": "VL",
    "issue": "IS",
    "beginning_page": "BP",
    "ending_page": "EP",
    "doi": "DI",
    "pubmed_id": "PM",
    "language": "LA",
    "document_type": "DT",
    "author_keywords": "DE",
    "accession_number": "UT",
}


def read_wos_plain(text: str, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    try:
        # Clarivate adds tags over the years (Z8, ZB, UK, ...): one the reader does not know
        # carries nothing prismaflow keeps, and must not refuse a valid file.
        entries = rispy.loads(text, implementation=rispy.WokParser, skip_unknown_tags=True)
    except Exception as exc:  # rispy raises bare Exceptions for malformed tags
        raise InputFileError(origin, f"malformed Web of Science plain text: {exc}") from None
    records = []
    for entry in entries:
        row = {}
        for key, tag in WOK_TAGS.items():
            value = entry.get(key)
            row[tag] = "; ".join(value) if isinstance(value, list) else (value or "")
        records.append(wos_record(row))
    return records, len(_ER.findall(text))


def read_pubmed_xml(data: bytes, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    root = parse_xml(data, origin)
    if root.tag != "PubmedArticleSet":
        raise InputFileError(origin, f"expected <PubmedArticleSet>, found <{root.tag}>", line=1)
    articles = [el for el in root if el.tag in ("PubmedArticle", "PubmedBookArticle")]
    records = []
    for article in articles:
        record = parse_article(article)
        for key in ("source", "source_id", "record_id"):
            record.pop(key)
        records.append(record)
    counted = len(re.findall(rb"<Pubmed(?:Book)?Article>", data))
    return records, counted


def _endnote(record, path: str) -> str | None:
    return text_of(record.find(path))


def read_endnote_xml(data: bytes, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    root = parse_xml(data, origin)
    if root.tag != "xml" or root.find("records") is None:
        raise InputFileError(
            origin,
            f"is not an EndNote XML export (its root is <{root.tag}>, with no <records>)",
            line=1,
            fix="export from EndNote as XML, or name the file's own format",
        )
    records = []
    for record in root.iter("record"):
        records.append(
            {
                "title": _endnote(record, "titles/title"),
                "journal": _endnote(record, "titles/secondary-title")
                or _endnote(record, "periodical/full-title"),
                "journal_abbrev": _endnote(record, "periodical/abbr-1"),
                "authors": [text_of(a) for a in record.findall("contributors/authors/author")],
                "year": year_in(_endnote(record, "dates/year")),
                "abstract": _endnote(record, "abstract"),
                "volume": _endnote(record, "volume"),
                "issue": _endnote(record, "number"),
                "pages": _endnote(record, "pages"),
                "doi": normalise_doi(_endnote(record, "electronic-resource-num")),
                "language": _endnote(record, "language"),
                "keywords": [text_of(k) for k in record.findall("keywords/keyword")],
                "publication_types": [record.find("ref-type").get("name")]
                if record.find("ref-type") is not None
                else [],
            }
        )
    return records, len(re.findall(rb"<record>", data))
