"""PubMed EFetch XML (PubmedArticleSet) into canonical records.

The live client and snapshot replay both go through here, so an offline run parses
exactly what a live one would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from prismaflow.errors import ReconciliationError
from prismaflow.formats.xml_safety import parse_xml, text_of
from prismaflow.identifiers import normalise_doi, normalise_pmid
from prismaflow.records import record_id

SOURCE = "pubmed"
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def _year(article: Element) -> int | None:
    for path in (
        ".//Journal/JournalIssue/PubDate/Year",
        ".//Journal/JournalIssue/PubDate/MedlineDate",
        ".//ArticleDate/Year",
        ".//Book/PubDate/Year",
        ".//PubDate/MedlineDate",
    ):
        found = _YEAR.search(text_of(article.find(path)) or "")
        if found:
            return int(found.group(1))
    return None


def _authors(article: Element) -> list[str]:
    names = []
    for author in article.findall(".//AuthorList[@Type='authors']/Author") or article.findall(
        ".//AuthorList/Author"
    ):
        collective = text_of(author.find("CollectiveName"))
        last = text_of(author.find("LastName"))
        initials = text_of(author.find("Initials")) or ""
        if last:
            names.append(f"{last} {initials}".strip())
        elif collective:
            names.append(collective)
    return names


def _abstract(article: Element) -> str | None:
    parts = []
    for section in article.findall(".//Abstract/AbstractText"):
        text = text_of(section)
        if text:
            label = section.get("Label")
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts) or None


def _article_id(article: Element, id_type: str) -> str | None:
    return text_of(article.find(f".//PubmedData/ArticleIdList/ArticleId[@IdType='{id_type}']"))


def _doi(article: Element) -> str | None:
    return normalise_doi(
        _article_id(article, "doi") or text_of(article.find(".//ELocationID[@EIdType='doi']"))
    )


def parse_article(article: Element) -> dict[str, Any]:
    """One PubmedArticle or PubmedBookArticle element as a record dict (without provenance)."""
    pmid = normalise_pmid(text_of(article.find(".//PMID")))
    title = text_of(article.find(".//ArticleTitle")) or text_of(article.find(".//BookTitle"))
    return {
        "source": SOURCE,
        "source_id": pmid,
        "record_id": record_id(SOURCE, pmid) if pmid else None,
        "pmid": pmid,
        "doi": _doi(article),
        "pmcid": _article_id(article, "pmc"),
        "title": title,
        "abstract": _abstract(article),
        "authors": _authors(article),
        "year": _year(article),
        "journal": text_of(article.find(".//Journal/Title")),
        "journal_abbrev": text_of(article.find(".//Journal/ISOAbbreviation"))
        or text_of(article.find(".//MedlineJournalInfo/MedlineTA")),
        "volume": text_of(article.find(".//JournalIssue/Volume")),
        "issue": text_of(article.find(".//JournalIssue/Issue")),
        "pages": text_of(article.find(".//Pagination/MedlinePgn"))
        or text_of(article.find(".//ELocationID[@EIdType='pii']")),
        "language": [text_of(lang) for lang in article.findall(".//Language")],
        "publication_types": [text_of(p) for p in article.findall(".//PublicationType")],
        "keywords": [text_of(k) for k in article.findall(".//KeywordList/Keyword")],
        "mesh_terms": [
            text_of(d) for d in article.findall(".//MeshHeadingList/MeshHeading/DescriptorName")
        ],
    }


def parse_pubmed_xml(data: bytes, origin: str | Path) -> list[Mapping[str, Any]]:
    """Every article in an EFetch response; fails if one cannot be read rather than skip it."""
    root = parse_xml(data, origin)
    if root.tag != "PubmedArticleSet":
        raise ReconciliationError(
            f"{origin}: expected a PubmedArticleSet document, found <{root.tag}>"
        )
    articles = [el for el in root if el.tag in ("PubmedArticle", "PubmedBookArticle")]
    records = [parse_article(article) for article in articles]
    missing = [i + 1 for i, rec in enumerate(records) if rec["pmid"] is None]
    if missing:
        raise ReconciliationError(
            f"{origin}: article(s) number {missing} have no PMID; the response is not usable"
        )
    return records
