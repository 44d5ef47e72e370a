"""BibTeX from Zotero/Better BibTeX, JabRef, Scopus and Web of Science, read and written with
bibtexparser; LaTeX accents and case-protecting braces are decoded on the way in."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import Block, DuplicateFieldKeyBlock, Entry, Field

from prismaflow.errors import InputFileError
from prismaflow.formats.text import clean_markup, type_code, year_in
from prismaflow.identifiers import normalise_doi, normalise_pmid

# Entry starts, not counting @comment, @string and @preamble blocks.
_ENTRY = re.compile(r"^\s*@(?!comment\b|string\b|preamble\b)[A-Za-z]+\s*[{(]", re.I | re.M)
_EID = re.compile(r"2-s2\.0-\d+")
_KEYLESS = re.compile(
    r"(@(?!comment\b|string\b|preamble\b)[A-Za-z]+\s*\{)(\s*[A-Za-z][\w-]*\s*=)", re.I
)
_LIGATURE = re.compile(r"(-(?=-)|'(?=')|[?!](?=`))")
# LaTeX's single quotes, `like this': LaTeX decoding leaves them as written.
_SINGLE_QUOTED = re.compile(r"(?<![`\\])`(?!`)([^`'\n]*)'(?!')")
VERBATIM_FIELDS = frozenset({"doi", "url", "eprint", "pmid", "isbn", "issn", "file"})
_IDENTIFIER_MARKUP = re.compile(r"\\([_&%#$])|[{}]")
_BARE_AMPERSAND = re.compile(r"(?<!\\)&")
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d+)", re.IGNORECASE)
TYPE_NAMES = {
    "article": "Journal Article",
    "book": "Book",
    "inbook": "Book Chapter",
    "incollection": "Book Chapter",
    "inproceedings": "Conference Paper",
    "conference": "Conference Paper",
    "phdthesis": "Thesis",
    "mastersthesis": "Thesis",
    "techreport": "Report",
    "misc": "Generic",
}


def _unbrace(value: str | None) -> str | None:
    """LaTeX decoding has already removed case-protecting braces ({RNA}) and turned escaped
    ones (\\{111\\}) into text; what remains is the value."""
    return clean_markup(value) if value else None


def _keywords(value: str | None) -> list[str]:
    """Keywords separated by semicolons when there are any (a keyword may hold a comma, and
    prismaflow writes "; "), else by commas."""
    if not value:
        return []
    return [k.strip() for k in value.split(";" if ";" in value else ",") if k.strip()]


def canonical(entry: Entry) -> dict[str, Any]:
    fields = {key.lower(): value for key, value in entry.fields_dict.items()}
    value = {key: field.value for key, field in fields.items()}
    authors = value.get("author") or []
    eid = _EID.search(str(value.get("url") or "") + " " + str(value.get("source") or ""))
    noted = _PMID_NOTE.search(str(value.get("note") or ""))
    pmid = (
        value.get("pmid")
        or (value.get("eprint") if str(value.get("eprinttype", "")).lower() == "pubmed" else None)
        or (noted.group(1) if noted else None)
    )
    return {
        "title": _unbrace(value.get("title")),
        "abstract": _unbrace(value.get("abstract")),
        "authors": [_unbrace(a) for a in (authors if isinstance(authors, list) else [authors])],
        "year": year_in(value.get("year") or value.get("date")),
        "journal": _unbrace(
            value.get("journal") or value.get("journaltitle") or value.get("booktitle")
        ),
        "journal_abbrev": _unbrace(value.get("shortjournal") or value.get("journal-iso")),
        "volume": value.get("volume"),
        "issue": value.get("number") or value.get("issue"),
        "pages": (value.get("pages") or "").replace("--", "-").replace("–", "-") or None,
        "doi": normalise_doi(value.get("doi")),
        "pmid": normalise_pmid(pmid),
        "pmcid": value.get("pmcid"),
        "scopus_eid": eid.group(0) if eid else None,
        "language": value.get("language") or value.get("langid"),
        "publication_types": [TYPE_NAMES.get(entry.entry_type.lower(), entry.entry_type)],
        "keywords": _keywords(value.get("keywords") or value.get("author_keywords")),
    }


def _keyed(text: str) -> str:
    """EndNote writes entries without a citation key (`@article{` then the first field); a key
    made from the entry's place is put in, as a reference manager would. A bare "&" (publishers
    write "Taylor & Francis") is LaTeX's column separator, which decoding would drop: it is
    escaped first, so it stays."""
    count = iter(range(1, 1 << 30))
    keyed = _KEYLESS.sub(lambda m: f"{m.group(1)}entry{next(count)},{m.group(2)}", text)
    return _BARE_AMPERSAND.sub(r"\\&", keyed)


class LatexText(middlewares.LatexDecodingMiddleware):
    """LaTeX decoded in the fields that are text. Identifiers are verbatim in biblatex, so a
    DOI's "--" stays two hyphens; only the escapes and braces exports put in them (Web of
    Science's "\\_") are taken out. `Single' quotes, which decoding leaves as written, become
    ‘typographic’ first, while an escaped backtick is still a name."""

    def transform_entry(self, entry: Entry, library: bibtexparser.Library) -> Block:
        verbatim = {f.key: f.value for f in entry.fields if f.key in VERBATIM_FIELDS}
        for field in entry.fields:
            if field.key not in verbatim and isinstance(field.value, str):
                field.value = _SINGLE_QUOTED.sub("‘\\1’", field.value)
        decoded = super().transform_entry(entry, library)
        for field in entry.fields:  # decoded in place
            if field.key in verbatim:
                field.value = _IDENTIFIER_MARKUP.sub(r"\1", verbatim[field.key])
        return decoded


def read_bibtex(text: str, origin: str | Path) -> tuple[list[dict[str, Any]], int]:
    """Entries in file order. Scopus repeats some fields (funding_details) within an entry;
    such an entry is read with bibtexparser's own resolution, any other failure is an error
    (said once, by prismaflow: bibtexparser's own log of it is kept quiet)."""
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    parsed = bibtexparser.parse_string(_keyed(text))
    entries = list(parsed.entries)
    for block in parsed.failed_blocks:
        if not isinstance(block, DuplicateFieldKeyBlock):
            raise InputFileError(
                origin,
                f"malformed BibTeX entry ({type(block).__name__})",
                line=(block.start_line or 0) + 1,
                fix="check the braces and commas of that entry",
            )
        entries.append(block.ignore_error_block)
    library = bibtexparser.Library(sorted(entries, key=lambda entry: entry.start_line or 0))
    for middleware in (
        middlewares.NormalizeFieldKeys(),
        LatexText(),
        middlewares.SeparateCoAuthors(),
    ):
        library = middleware.transform(library)
    return [canonical(entry) for entry in library.entries], len(_ENTRY.findall(text))


def _key(record: Mapping[str, Any], seen: set[str]) -> str:
    authors = record.get("authors") or ["anonymous"]
    surname = re.sub(r"\W", "", authors[0].split(",")[0].split(" ")[0]).lower() or "anonymous"
    base = f"{surname}{record.get('year') or ''}"
    key, n = base, 1
    while key in seen:
        n += 1
        key = f"{base}_{n}"
    seen.add(key)
    return key


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&"}
_LATEX_SPECIAL.update({"#": r"\#", "$": r"\$", "~": r"\textasciitilde{}"})
_LATEX_SPECIAL["`"] = r"\textasciigrave{}"
TEXT_FIELDS = ("title", "author", "journal", "abstract", "keywords")


def _latex(value: str) -> str:
    """Text with LaTeX's special characters escaped, so "%" does not comment out the rest and
    a stray brace cannot unbalance the entry (bibtexparser adds the enclosing braces). A
    backtick opens a quote in LaTeX, so it is written as the character's name. Runs of "-" and
    "'" are LaTeX ligatures (en dash, closing quotes): an empty group between them keeps the
    characters as written."""
    escaped = "".join(_LATEX_SPECIAL.get(character, character) for character in value)
    return _LIGATURE.sub(r"\1{}", escaped)


def _keyword_field(keywords: list[str]) -> str | None:
    """Keywords joined with "; "; a lone keyword holding a comma gets a closing ";", so that
    it is read back whole rather than split at its comma."""
    joined = "; ".join(keywords)
    return (joined + ";" if "," in joined and ";" not in joined else joined) or None


def write_bibtex(records: Iterable[Mapping[str, Any]]) -> str:
    library, seen = bibtexparser.Library(), set()
    for record in records:
        fields = {
            "title": record.get("title"),
            "author": " and ".join(record.get("authors") or []) or None,
            "year": record.get("year"),
            "journal": record.get("journal"),
            "volume": record.get("volume"),
            "number": record.get("issue"),
            "pages": record.get("pages"),
            "doi": record.get("doi"),
            "pmid": record.get("pmid"),
            "abstract": record.get("abstract"),
            "keywords": _keyword_field(record.get("keywords") or []),
            "language": " and ".join(record.get("language") or []) or None,
        }
        library.add(
            Entry(
                type_code(record.get("publication_types"), TYPE_NAMES, "article"),
                _key(record, seen),
                [
                    Field(k, _latex(str(v)) if k in TEXT_FIELDS else str(v))
                    for k, v in fields.items()
                    if v not in (None, "")
                ],
            )
        )
    return bibtexparser.write_string(library)
