"""Comparison keys per record, candidate pairs by blocking, and the rules that score a pair.

Blocking never compares all pairs: records are compared only when they share a block key
(the same normalised title, its first or last characters, first author with year and page, or
volume with page and year), so the work grows with the number of records, not its square.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import pandas as pd
from rapidfuzz import fuzz

from prismaflow.dedupe.apart import keep_apart
from prismaflow.dedupe.normalise import (
    author_keys,
    first_author_names,
    first_page,
    issue_number,
    journal_words,
    journals_compatible,
    normalise_title,
    page_range,
    registrations,
    volume_number,
)

SCORED_RULES = (
    "title",
    "title_pages",
    "title_contained",
    "short_title_all_fields",
    "all_but_pages",
    "all_but_doi",
    "same_place",
)
# Fields whose disagreement a rule's link overrules when clusters are joined.
OVERRULES = {"all_but_pages": ("page",), "all_but_doi": ("doi",)}
# A DOI's version suffix: a Cochrane review's update (.pub3) or a preprint's revision (v2).
_DOI_VERSION = re.compile(r"(?:\.pub\d+|v\d+)$")
AFFIX = 24  # characters of a title's start or end that make a block
MAX_BLOCK = 40  # larger blocks are compared by a sliding window over their sorted titles
WINDOW = 8


def _present(values: object) -> list:
    """Missing as None (not NaN, which is truthy), so `a and b` means both are present."""
    return [v if isinstance(v, str) and v else None for v in values]


def comparison_keys(records: pd.DataFrame) -> pd.DataFrame:
    """What is compared, derived once per record; object columns so that missing stays None."""
    return pd.DataFrame(
        {
            "record_id": records["record_id"].tolist(),
            "doi": _present(records["doi"]),
            "pmid": _present(records["pmid"]),
            "pmcid": _present(records["pmcid"]),
            "scopus_eid": _present(records["scopus_eid"]),
            "title": [normalise_title(t) for t in _present(records["title"])],
            "year": [int(y) if pd.notna(y) else None for y in records["year"]],
            "page": [first_page(p) for p in _present(records["pages"])],
            "page_range": [page_range(p) for p in _present(records["pages"])],
            "volume": [volume_number(v) for v in _present(records["volume"])],
            "issue": [issue_number(i) for i in _present(records["issue"])],
            "authors": [author_keys(a) for a in records["authors"]],
            "journal": [journal_words(j) for j in _present(records["journal"])],
            "registrations": [
                registrations(t, a)
                for t, a in zip(
                    _present(records["title"]), _present(records["abstract"]), strict=True
                )
            ],
        },
        dtype=object,
    ).assign(
        author=lambda keys: [a[0] if a else None for a in keys["authors"]],
        author_names=[first_author_names(a) for a in records["authors"]],
    )


def _block_columns(keys: pd.DataFrame) -> list[pd.Series]:
    """Block keys; a key with a missing part is missing (NA), and NA keys make no block."""
    text = {name: keys[name].astype("string") for name in ("title", "page", "volume", "author")}
    year = keys["year"].astype("Int64").astype("string")
    title = text["title"]
    long_enough = title.str.len() >= AFFIX
    return [
        title,
        title.str[:AFFIX].where(long_enough),
        title.str[-AFFIX:].where(long_enough),
        text["author"] + "|" + year + "|" + text["page"],
        text["volume"] + "|" + text["page"] + "|" + year,
    ]


def candidate_pairs(keys: pd.DataFrame) -> set[tuple[int, int]]:
    """Row positions (i < j) of the records worth comparing."""
    pairs: set[tuple[int, int]] = set()
    titles = keys["title"].fillna("").to_numpy()
    for column in _block_columns(keys):
        grouped = pd.Series(range(len(keys))).groupby(column.to_numpy(), sort=False, dropna=True)
        for members in grouped.indices.values():
            if len(members) < 2:
                continue
            if len(members) <= MAX_BLOCK:
                pairs.update(combinations(sorted(members), 2))
                continue
            ordered = sorted(members, key=lambda i: titles[i])
            for offset, i in enumerate(ordered):
                for j in ordered[offset + 1 : offset + WINDOW]:
                    pairs.add((min(i, j), max(i, j)))
    return pairs


@dataclass(frozen=True)
class Verdict:
    rule: str | None  # the rule that linked the pair, or None
    score: float
    reason: str | None = None  # why a pair was kept apart


def _authors_agree(a: dict, b: dict) -> bool:
    """The first authors' surnames agree, or allowing a typo, or the same names were written
    in the other order ("Wu, Ching-yi" and "Ching-yi, Wu"), or the author lists are the same
    people in another order (a database that put the corresponding author first), or only the
    first author's name differs among three or more ("Xi, L F" for "Long, F X", garbled in
    one database) while every co-author is the same, in the same order."""
    first_a, first_b = a["author"], b["author"]
    if first_a is None or first_b is None or first_a == first_b:
        return True
    if fuzz.ratio(first_a, first_b) >= 80:
        return True
    if a["author_names"] and a["author_names"] == b["author_names"]:
        return True
    authors_a, authors_b = a["authors"], b["authors"]
    if len(authors_a) >= 3 and authors_a[1:] == authors_b[1:]:
        return True
    return len(authors_a) >= 2 and sorted(authors_a) == sorted(authors_b)


def titles_agree(a: str | None, b: str | None) -> bool:
    """Whether a shared DOI or PMID can be believed: a supplement's DOI shared by its many
    conference abstracts names a container, not a study, and their titles disagree."""
    return not a or not b or fuzz.token_set_ratio(a, b) >= 80


def _present_both(a: object, b: object) -> bool:
    return bool(a) and bool(b)


def compare(a: dict, b: dict, *, year_tolerance: int, min_title_length: int) -> Verdict:
    """Explicit rules, most decisive first; conflicting identifiers or pages always win, but
    for two DOIs on records identical in every other field."""
    for name in ("pmid", "pmcid", "scopus_eid"):
        if _present_both(a[name], b[name]) and a[name] != b[name]:
            return Verdict(None, 0.0, f"different_{name}")
    # Two trials registered apart are two studies, however alike their registry entries read.
    if a["registrations"] and b["registrations"] and not a["registrations"] & b["registrations"]:
        return Verdict(None, 0.0, "different_registration")
    if _present_both(a["doi"], b["doi"]) and a["doi"] != b["doi"]:
        return _all_but_doi(a, b)
    title_a, title_b = a["title"] or "", b["title"] or ""
    apart = keep_apart(title_a, title_b)
    if apart:
        return Verdict(None, 0.0, apart)
    year_a, year_b = a["year"], b["year"]
    known_years = year_a is not None and year_b is not None
    if known_years and abs(year_a - year_b) > year_tolerance:
        return Verdict(None, 0.0, "years_apart")
    if _present_both(a["page"], b["page"]) and a["page"] != b["page"]:
        return _all_but_pages(a, b)
    same_page = _present_both(a["page"], b["page"])  # equal, since they do not differ
    # Volumes are often garbled in exports ("1)" for "57 (1)"): agreeing pages outweigh them.
    if _present_both(a["volume"], b["volume"]) and a["volume"] != b["volume"] and not same_page:
        return Verdict(None, 0.0, "different_volume")
    # A recurring column ("Editor's comments") has one title, author and volume in every issue,
    # and no pages to tell the issues apart: its issue number does.
    no_pages = not a["page"] and not b["page"]
    if no_pages and _present_both(a["issue"], b["issue"]) and a["issue"] != b["issue"]:
        return Verdict(None, 0.0, "different_issue")
    if not _authors_agree(a, b):
        return Verdict(None, 0.0, "different_first_author")
    # One title in two venues that neither abbreviates, with no volume and page to place both
    # in one, is two reports: an abstract given at two meetings, or a digest's commentary on an
    # article published elsewhere. Agreeing volume and page outweigh the names, which
    # transliteration and translation change ("Zhonghua jie he he hu xi za zhi" and "Chinese
    # Journal of Tuberculosis & Respiratory Diseases").
    same_volume = _present_both(a["volume"], b["volume"]) and a["volume"] == b["volume"]
    if not (same_page and same_volume) and not journals_compatible(a["journal"], b["journal"]):
        return Verdict(None, 0.0, "different_venue")
    if min(len(title_a), len(title_b)) < min_title_length:
        return _short_title(a, b, same_page)
    similarity = fuzz.ratio(title_a, title_b) / 100
    if similarity >= 0.95:
        return Verdict("title", similarity)
    if similarity >= 0.85 and same_page and journals_compatible(a["journal"], b["journal"]):
        return Verdict("title_pages", similarity)
    contained = fuzz.partial_ratio(title_a, title_b) / 100
    if contained >= 0.97 and same_page and known_years and year_a == year_b:
        return Verdict("title_contained", contained)
    if _same_place(a, b):
        return Verdict("same_place", 0.9)
    return Verdict(None, similarity, "titles_differ")


def _same_place(a: dict, b: dict) -> bool:
    """One article, its title translated (MEDLINE brackets the English of a foreign title): the
    same year, volume, journal and first-to-last pages locate one article, whatever its title
    says. A single page (an abstract's) locates nothing."""
    return (
        a["year"] is not None
        and a["year"] == b["year"]
        and _present_both(a["volume"], b["volume"])
        and a["volume"] == b["volume"]
        and _present_both(a["page_range"], b["page_range"])
        and a["page_range"] == b["page_range"]
        and _present_both(a["journal"], b["journal"])
        and journals_compatible(a["journal"], b["journal"])
    )


def _identical_apart_from_pages(a: dict, b: dict) -> bool:
    return (
        a["year"] is not None
        and a["year"] == b["year"]
        and _present_both(a["volume"], b["volume"])
        and a["volume"] == b["volume"]
        and len(a["authors"]) > 0
        and a["authors"] == b["authors"]
        and _present_both(a["journal"], b["journal"])
        and journals_compatible(a["journal"], b["journal"])
    )


def _all_but_pages(a: dict, b: dict) -> Verdict:
    """Pages that disagree keep two records apart (an abstract and its later article), unless
    the same title, year, volume, journal and author list say one page is a typo."""
    long_enough = min(len(a["title"] or ""), len(b["title"] or "")) >= 30
    if long_enough and a["title"] == b["title"] and _identical_apart_from_pages(a, b):
        return Verdict("all_but_pages", 0.99)
    return Verdict(None, 0.0, "different_pages")


def _all_but_doi(a: dict, b: dict) -> Verdict:
    """Two DOIs name two works, unless everything else names one: the same long title, year,
    author list, first page and journal (one abstract printed in two journals' supplements, or
    a DOI entered against the wrong record). Versions of one DOI (.pub2 and .pub3) stay apart:
    an update is a report of its own."""
    versions = _DOI_VERSION.sub("", a["doi"]) == _DOI_VERSION.sub("", b["doi"])
    identical = (
        not versions
        and len(a["title"] or "") >= 30
        and a["title"] == b["title"]
        and a["year"] is not None
        and a["year"] == b["year"]
        and len(a["authors"]) >= 2
        and a["authors"] == b["authors"]
        and _present_both(a["page"], b["page"])
        and a["page"] == b["page"]
        and _present_both(a["journal"], b["journal"])
        and journals_compatible(a["journal"], b["journal"])
    )
    return Verdict("all_but_doi", 0.99) if identical else Verdict(None, 0.0, "different_doi")


def _short_title(a: dict, b: dict, same_page: bool) -> Verdict:
    """A short title ("Coronary artery disease", "Poster abstracts") is too generic to match on
    its own: it links only when everything else is present and identical."""
    pages_agree = same_page or (not a["page"] and not b["page"])
    identical = (
        a["title"] == b["title"]
        and a["year"] is not None
        and a["year"] == b["year"]
        and _present_both(a["volume"], b["volume"])
        and a["volume"] == b["volume"]
        and pages_agree
        and a["authors"] == b["authors"]
        and journals_compatible(a["journal"], b["journal"])
    )
    return (
        Verdict("short_title_all_fields", 1.0)
        if identical
        else Verdict(None, 0.0, "title_too_short")
    )


def scored_links(
    keys: pd.DataFrame, *, year_tolerance: int, min_title_length: int
) -> Iterator[tuple[int, int, Verdict]]:
    """Every candidate pair the rules link, best first."""
    rows = keys.to_dict("records")
    linked = []
    for i, j in candidate_pairs(keys):
        verdict = compare(
            rows[i], rows[j], year_tolerance=year_tolerance, min_title_length=min_title_length
        )
        if verdict.rule:
            linked.append((i, j, verdict))
    linked.sort(key=lambda item: (-item[2].score, item[0], item[1]))
    yield from linked
