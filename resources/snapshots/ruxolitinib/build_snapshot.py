"""Rebuild the recorded ruxolitinib search from source/records.tsv.

Run: python resources/snapshots/ruxolitinib/build_snapshot.py [--out DIR]

The output is deterministic (fixed timestamps, fixed order), so `git diff` after a rebuild shows
exactly what a change to the TSV or to this script did. README.md beside this file says what the
snapshot is and is not.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
from pathlib import Path
from urllib.parse import urlencode
from xml.etree.ElementTree import Element, SubElement, indent, tostring

HERE = Path(__file__).resolve().parent
RECORDED_AT = "2024-10-01T09:00:00Z"
WEBENV = "MCID_reconstructed_ruxolitinib_snapshot"
SCOPUS_PAGE_SIZE = 25  # the COMPLETE view's maximum page size
EFETCH_BATCH = 200

# Each query of the protocol, as sent to each database, and the word that decides which of the
# corpus records it retrieves (the corpus does not record which query found which record).
QUERIES = (
    {
        "query_id": "ruxolitinib_cream",
        "pubmed": "ruxolitinib cream AND dermatology",
        "scopus": "TITLE-ABS-KEY(ruxolitinib cream AND dermatology)",
        "word": "cream",
        "translation": '("ruxolitinib"[Supplementary Concept] OR "ruxolitinib"[All Fields]) AND '
        '("cream"[All Fields] OR "creams"[All Fields]) AND '
        '("dermatology"[MeSH Terms] OR "dermatology"[All Fields])',
    },
    {
        "query_id": "topical_ruxolitinib",
        "pubmed": "topical ruxolitinib AND dermatology",
        "scopus": "TITLE-ABS-KEY(topical ruxolitinib AND dermatology)",
        "word": "topical",
        "translation": '("administration, topical"[MeSH Terms] OR "topical"[All Fields]) AND '
        '("ruxolitinib"[Supplementary Concept] OR "ruxolitinib"[All Fields]) AND '
        '("dermatology"[MeSH Terms] OR "dermatology"[All Fields])',
    },
)
SCOPUS_SUBTYPES = (("Review", "re", "Review"), ("Letter", "le", "Letter"), ("News", "no", "Note"))


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def split_author(name: str) -> tuple[str, str]:
    """'Di Lernia VG' -> ('Di Lernia', 'VG'): the initials are the last word."""
    surname, _, initials = name.rpartition(" ")
    return (surname, initials) if surname else (name, "")


def retrieved_by(row: dict[str, str], query: dict[str, str]) -> bool:
    """A record is found by the query whose distinctive word its text mentions.

    Records that mention neither word were still gathered by a topical-ruxolitinib search, so
    the second query (whose MeSH expansion covers 'administration, topical') finds them.
    """
    text = " ".join((row["title"], row["summary"], row["keywords"])).lower()
    mentions = {q["query_id"]: q["word"] in text for q in QUERIES}
    if not any(mentions.values()):
        return query["query_id"] == QUERIES[-1]["query_id"]
    return mentions[query["query_id"]]


# --- PubMed (E-utilities) ---------------------------------------------------------------------


def pubmed_article(row: dict[str, str], journals: dict[str, dict[str, str]]) -> Element:
    article_el = Element("PubmedArticle")
    citation = SubElement(article_el, "MedlineCitation", Status="MEDLINE", Owner="NLM")
    SubElement(citation, "PMID", Version="1").text = row["pmid"]
    article = SubElement(citation, "Article", PubModel="Print-Electronic")
    journal = SubElement(article, "Journal")
    issue = SubElement(journal, "JournalIssue", CitedMedium="Internet")
    if row["volume"]:
        SubElement(issue, "Volume").text = row["volume"]
    if row["issue"]:
        SubElement(issue, "Issue").text = row["issue"]
    pub_date = SubElement(issue, "PubDate")
    if row["year"]:
        SubElement(pub_date, "Year").text = row["year"]
    if row["journal"]:
        SubElement(journal, "Title").text = journals[row["journal"]]["full_name"]
        SubElement(journal, "ISOAbbreviation").text = row["journal"]
    title = row["title"]
    SubElement(article, "ArticleTitle").text = title if title[-1] in ".?!" else title + "."
    if row["pages"]:
        SubElement(SubElement(article, "Pagination"), "MedlinePgn").text = row["pages"]
    if row["doi"]:
        SubElement(article, "ELocationID", EIdType="doi", ValidYN="Y").text = row["doi"]
    if row["summary"]:
        SubElement(SubElement(article, "Abstract"), "AbstractText").text = row["summary"]
    if row["authors"]:
        author_list = SubElement(article, "AuthorList", CompleteYN="N")
        for name in split_list(row["authors"]):
            surname, initials = split_author(name)
            author = SubElement(author_list, "Author", ValidYN="Y")
            SubElement(author, "LastName").text = surname
            SubElement(author, "Initials").text = initials
    SubElement(article, "Language").text = row["language"]
    types = SubElement(article, "PublicationTypeList")
    for publication_type in split_list(row["publication_types"]):
        SubElement(types, "PublicationType").text = publication_type
    info = SubElement(citation, "MedlineJournalInfo")
    SubElement(info, "MedlineTA").text = row["journal"] or "Unknown"
    if row["keywords"]:
        keywords = SubElement(citation, "KeywordList", Owner="NOTNLM")
        for keyword in split_list(row["keywords"]):
            SubElement(keywords, "Keyword", MajorTopicYN="N").text = keyword
    ids = SubElement(SubElement(article_el, "PubmedData"), "ArticleIdList")
    SubElement(ids, "ArticleId", IdType="pubmed").text = row["pmid"]
    if row["doi"]:
        SubElement(ids, "ArticleId", IdType="doi").text = row["doi"]
    return article_el


def xml_document(root: Element, doctype: str) -> bytes:
    indent(root)
    body = tostring(root, encoding="unicode")
    return f'<?xml version="1.0" ?>\n{doctype}\n{body}\n'.encode()


def esearch_document(count: int, pmids: list[str], translation: str) -> bytes:
    root = Element("eSearchResult")
    for tag, value in (
        ("Count", str(count)),
        ("RetMax", str(len(pmids))),
        ("RetStart", "0"),
        ("QueryKey", "1"),
        ("WebEnv", WEBENV),
    ):
        SubElement(root, tag).text = value
    id_list = SubElement(root, "IdList")
    for pmid in pmids:
        SubElement(id_list, "Id").text = pmid
    SubElement(root, "TranslationSet")
    SubElement(root, "QueryTranslation").text = translation
    return xml_document(
        root,
        '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
        '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">',
    )


def efetch_document(rows: list[dict[str, str]], journals: dict[str, dict[str, str]]) -> bytes:
    root = Element("PubmedArticleSet")
    for row in rows:
        root.append(pubmed_article(row, journals))
    return xml_document(
        root,
        '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" '
        '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">',
    )


def pubmed_responses(rows, journals, query) -> tuple[dict, list[tuple[str, bytes]]]:
    hits = [r for r in rows if r["pmid"] and retrieved_by(r, query)]
    pmids = [r["pmid"] for r in hits]
    files = [("esearch.xml", esearch_document(len(hits), pmids, query["translation"]))]
    for start in range(0, len(hits), EFETCH_BATCH):
        batch = hits[start : start + EFETCH_BATCH]
        files.append((f"efetch_{start:06d}.xml", efetch_document(batch, journals)))
    request = {"db": "pubmed", "term": query["pubmed"], "usehistory": "y", "retmax": 10000}
    return request, files


# --- Scopus (Search API) ----------------------------------------------------------------------


def title_case(title: str) -> str:
    return " ".join(w[:1].upper() + w[1:] if len(w) > 3 else w for w in title.split(" "))


def scopus_variant(row: dict[str, str], position: int) -> dict[str, str]:
    """The differences real Scopus exports show against PubMed for the same article."""
    row = dict(row)
    if position % 3 == 0:
        row["title"] = title_case(row["title"])
    elif position % 3 == 1:
        row["title"] = row["title"].replace(": ", " - ")
    if position % 4 == 2:
        row["doi"] = ""
    return row


def scopus_entry(row: dict[str, str], eid: str, journals: dict[str, dict[str, str]]) -> dict:
    types = split_list(row["publication_types"])
    subtype, description = "ar", "Article"
    for marker, code, label in SCOPUS_SUBTYPES:
        if any(marker in t for t in types):
            subtype, description = code, label
    authors = split_list(row["authors"])
    entry: dict = {
        "@_fa": "true",
        "prism:url": f"https://api.elsevier.com/content/abstract/scopus_id/{eid[7:]}",
        "dc:identifier": f"SCOPUS_ID:{eid[7:]}",
        "eid": eid,
        "dc:title": row["title"],
    }
    if authors:
        entry["dc:creator"] = authors[0] + "."
    if row["journal"]:
        entry["prism:publicationName"] = journals[row["journal"]]["full_name"]
        entry["prism:aggregationType"] = "Journal"
    if row["volume"]:
        entry["prism:volume"] = row["volume"]
    if row["issue"]:
        entry["prism:issueIdentifier"] = row["issue"]
    if row["pages"]:
        key = "prism:pageRange" if "-" in row["pages"] else "article-number"
        entry[key] = row["pages"]
    if row["year"]:
        entry["prism:coverDate"] = f"{row['year']}-01-01"
        entry["prism:coverDisplayDate"] = row["year"]
    if row["doi"]:
        entry["prism:doi"] = row["doi"]
    if row["summary"]:
        entry["dc:description"] = row["summary"]
    entry["citedby-count"] = "0"
    entry["subtype"] = subtype
    entry["subtypeDescription"] = description
    if row["keywords"]:
        entry["authkeywords"] = " | ".join(split_list(row["keywords"]))
    if authors:
        entry["author"] = [
            {
                "@_fa": "true",
                "@seq": str(seq),
                "authname": name + ".",
                "surname": split_author(name)[0],
                "initials": ".".join(split_author(name)[1]) + ".",
            }
            for seq, name in enumerate(authors, start=1)
        ]
    entry["openaccess"] = "0"
    entry["openaccessFlag"] = False
    return entry


def scopus_page(entries: list[dict], total: int, start: int, query: str) -> bytes:
    params = {"query": query, "start": start, "count": SCOPUS_PAGE_SIZE, "view": "COMPLETE"}
    self_link = "https://api.elsevier.com/content/search/scopus?" + urlencode(params)
    document = {
        "search-results": {
            "opensearch:totalResults": str(total),
            "opensearch:startIndex": str(start),
            "opensearch:itemsPerPage": str(len(entries)),
            "opensearch:Query": {"@role": "request", "@searchTerms": query, "@startPage": "0"},
            "link": [{"@_fa": "true", "@ref": "self", "@href": self_link, "@type": "json"}],
            "entry": entries or [{"@_fa": "true", "error": "Result set was empty"}],
        }
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def scopus_rows(rows, journals) -> list[tuple[dict[str, str], str]]:
    """Scopus indexes every journal of the corpus but those journals.tsv marks as not indexed."""
    indexed = [r for r in rows if journals.get(r["journal"], {}).get("indexed_in_scopus") != "no"]
    in_both = 0
    result = []
    for row in indexed:
        eid = f"2-s2.0-99{int(row['record_key'][1:]):09d}"
        if row["pmid"]:
            row = scopus_variant(row, in_both)
            in_both += 1
        result.append((row, eid))
    return result


def scopus_responses(rows, journals, query) -> tuple[dict, list[tuple[str, bytes]]]:
    hits = [(r, eid) for r, eid in scopus_rows(rows, journals) if retrieved_by(r, query)]
    entries = [scopus_entry(r, eid, journals) for r, eid in hits]
    files = []
    for start in range(0, max(len(entries), 1), SCOPUS_PAGE_SIZE):
        page = entries[start : start + SCOPUS_PAGE_SIZE]
        files.append(
            (f"page_{start:06d}.json", scopus_page(page, len(entries), start, query["scopus"]))
        )
    request = {"query": query["scopus"], "view": "COMPLETE", "count": SCOPUS_PAGE_SIZE}
    return request, files


# --- Assembly ---------------------------------------------------------------------------------


def build(out: Path, until_year: int | None = None) -> dict:
    """The snapshot; with `until_year`, as a search run before later years' records existed
    (records of an unknown year stay), the earlier version a living-review update starts from."""
    rows = read_tsv(HERE / "source" / "records.tsv")
    if until_year is not None:
        rows = [r for r in rows if not r["year"] or int(r["year"]) <= until_year]
    journals = {r["abbreviation"]: r for r in read_tsv(HERE / "source" / "journals.tsv")}
    manifest: dict = {
        "name": "ruxolitinib",
        "recorded_at": RECORDED_AT,
        "reconstructed": True,
        "sources": {
            "pubmed": {"api": "NCBI E-utilities (ESearch, EFetch)", "queries": {}},
            "scopus": {"api": "Elsevier Scopus Search API", "queries": {}},
        },
    }
    builders = {"pubmed": pubmed_responses, "scopus": scopus_responses}
    for source, make in builders.items():
        shutil.rmtree(out / source, ignore_errors=True)
        for query in QUERIES:
            request, files = make(rows, journals, query)
            folder = out / source / query["query_id"]
            folder.mkdir(parents=True, exist_ok=True)
            responses = []
            for name, data in files:
                (folder / name).write_bytes(data)
                responses.append(
                    {
                        "file": f"{source}/{query['query_id']}/{name}",
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            manifest["sources"][source]["queries"][query["query_id"]] = {
                "query": query[source],
                "request": request,
                "responses": responses,
            }
    (out / "snapshot.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: here)")
    parser.add_argument(
        "--until-year", type=int, help="leave out records published after this year"
    )
    args = parser.parse_args()
    manifest = build(args.out, args.until_year)
    for source, spec in manifest["sources"].items():
        for query_id, query in spec["queries"].items():
            print(f"{source}/{query_id}: {len(query['responses'])} response file(s)")


if __name__ == "__main__":
    main()
