"""Importers on the project's own small fixtures (one per format), the count reconciliation,
and every kind of hostile or broken input, each with the message a user sees."""

import codecs

import pytest

from prismaflow.errors import InputFileError, ReconciliationError
from prismaflow.formats.importer import import_file
from tests.conftest import FIXTURES

OWN = FIXTURES / "formats"
TABLE_MAPPING = {
    "title": "Article Title",
    "authors": "Authors",
    "year": "Publication Year",
    "doi": "DOI",
    "abstract": "Abstract",
}
# file -> (format detected, records, first record's title, year, DOI, PMID, first author)
EXPECTED = {
    "zotero.ris": (
        "ris",
        2,
        "Topical ruxolitinib for lichen planopilaris & frontal fibrosing alopecia: a case series",
        2023,
        "10.1080/09546634.2023.0001",
        "37000001",
        "Smith, Jane",
    ),
    "pubmed.nbib": (
        "medline",
        2,
        "Ruxolitinib cream in necrobiosis lipoidica: an open-label study of twelve patients.",
        2024,
        "10.1016/j.jid.2023.11.027",
        "37000002",
        "Hwang AS",
    ),
    "zotero.bib": (
        "bibtex",
        2,
        "Topical Ruxolitinib in Hailey-Hailey Disease",
        2023,
        "10.1016/j.jdcr.2023.01.001",
        "37000004",
        "Smith, Jane",
    ),
    "scopus_2023.csv": (
        "scopus_csv",
        2,
        "Ruxolitinib cream for hand eczema, an open-label trial",
        2024,
        "10.1002/jvc2.381",
        "37000005",
        "Smith, J.",
    ),
    "scopus_2020.csv": (
        "scopus_csv",
        1,
        "Scalable cream delivery",
        2005,
        "10.1002/jcc.20289",
        "16222654",
        "Phillips J.C.",
    ),
    "wos.txt": (
        "wos_tab",
        2,
        "Topical ruxolitinib in vitiligo",
        2022,
        "10.1111/1346-8138.00001",
        "37000006",
        "Smith, J",
    ),
    "wos_plain.txt": (
        "wos_plain",
        2,
        "Topical ruxolitinib in lichen planus: a phase II study",
        2022,
        "10.1016/j.jaad.2022.00001",
        None,
        "Smith, J",
    ),
    "endnote.xml": (
        "endnote_xml",
        2,
        "Ruxolitinib cream in morphea",
        2023,
        "10.1001/jamadermatol.2023.0001",
        None,
        "Smith, Jane",
    ),
    "openalex.json": (
        "openalex_json",
        1,
        "Off-label use of topical ruxolitinib in dermatology",
        2025,
        "10.1111/exd.70095",
        "40192197",
        "M. Spadafora",
    ),
    "crossref.json": (
        "crossref_json",
        1,
        "Off-Label Use of Topical Ruxolitinib in Dermatology",
        2025,
        "10.1111/exd.70095",
        None,
        "Spadafora, Michela",
    ),
    "europepmc.json": (
        "europepmc_json",
        1,
        "Off-Label Use of Topical Ruxolitinib in Dermatology.",
        2025,
        "10.1111/exd.70095",
        "40192197",
        "Spadafora M",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_own_fixture_of_each_format_imports_with_its_fields(name):
    fmt, count, title, year, doi, pmid, author = EXPECTED[name]
    imported = import_file(OWN / name)
    records = imported.records.to_pylist()
    assert (imported.format, len(records), imported.counted) == (fmt, count, count)
    first = records[0]
    assert (first["title"], first["year"], first["doi"], first["pmid"]) == (title, year, doi, pmid)
    assert first["authors"][0] == author
    stem = name.rsplit(".", 1)[0]
    assert [r["record_id"] for r in records] == [f"file:{stem}:{i}" for i in range(1, count + 1)]


def test_api_abstracts_are_rebuilt_as_text():
    openalex = import_file(OWN / "openalex.json").records.to_pylist()[0]
    assert (openalex["abstract"], openalex["language"]) == ("A systematic review.", ["eng"])
    assert import_file(OWN / "crossref.json").records.column("abstract").to_pylist() == [
        "A systematic review."
    ]


def test_pubmed_xml_imports_as_a_file():
    imported = import_file(FIXTURES / "pubmed" / "efetch_two_articles.xml")
    assert imported.format == "pubmed_xml" and imported.records.num_rows == 2
    assert imported.records.column("pmid").to_pylist() == ["1000001", "1000002"]


def test_a_table_of_ones_own_is_read_through_a_mapping():
    imported = import_file(OWN / "own_table.tsv", "table", TABLE_MAPPING)
    first = imported.records.to_pylist()[0]
    assert (first["title"], first["doi"], first["authors"]) == (
        "Ruxolitinib in prurigo nodularis",
        "10.1234/abc",
        ["Smith, J", "Doe, A"],
    )
    with pytest.raises(InputFileError, match="lacks the column"):
        import_file(OWN / "own_table.tsv", "table", {"title": "Headline"})
    with pytest.raises(InputFileError, match="unknown fields"):
        import_file(OWN / "own_table.tsv", "table", {"title": "Article Title", "colour": "x"})


def test_dialect_details_land_in_the_schema():
    ris = import_file(OWN / "zotero.ris").records.to_pylist()
    assert ris[0]["abstract"].endswith("for 12 weeks; four improved.")  # continuation line
    assert (ris[0]["journal_abbrev"], ris[0]["pages"], ris[0]["language"]) == (
        "J Dermatolog Treat",
        "101-108",
        ["eng"],
    )
    assert ris[1]["scopus_eid"] == "2-s2.0-85000000001"
    assert ris[1]["publication_types"] == ["Book Chapter"]
    medline = import_file(OWN / "pubmed.nbib").records.to_pylist()[0]
    assert medline["mesh_terms"] == ["Necrobiosis Lipoidica", "Humans"]
    assert medline["pmcid"] == "PMC1234567"
    bib = import_file(OWN / "zotero.bib").records.to_pylist()
    assert bib[0]["authors"][1] == "Müller, Karl" and bib[0]["pages"] == "10-12"
    assert bib[1]["year"] == 2021 and bib[1]["journal"] == "Proceedings of the Dermatology Congress"
    scopus = import_file(OWN / "scopus_2023.csv").records.to_pylist()
    assert scopus[1]["abstract"] is None and scopus[1]["pages"] == "e12"
    assert import_file(OWN / "scopus_2020.csv").records.to_pylist()[0]["abstract"] == (
        "A multi-line abstract."
    )


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


RIS = "TY  - JOUR\nTI  - Café au lait\nPY  - 2020\nER  - \n"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + RIS.encode("utf-8"),
        RIS.encode("cp1252"),
        RIS.encode("utf-16"),  # with its BOM, as Web of Science writes it
        RIS.replace("\n", "\r").encode("utf-8"),
        RIS.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8-bom", "cp1252", "utf16", "cr-only", "crlf"],
)
def test_encodings_and_line_ends_parse_alike(tmp_path, data):
    record = import_file(write(tmp_path, "x.ris", data)).records.to_pylist()[0]
    assert (record["title"], record["year"]) == ("Café au lait", 2020)


def test_html_entities_and_tags_in_titles_become_text(tmp_path):
    path = write(
        tmp_path, "x.ris", RIS.replace("Café au lait", "<i>E. coli</i> &amp; T&lt;sub&gt;")
    )
    assert import_file(path).records.column("title").to_pylist() == ["E. coli & T"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.ris", b"   \n", "the file is empty"),
        ("binary.ris", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "is a binary file"),
        (
            "no_er.ris",
            "TY  - JOUR\nTI  - One\nER  - \nTY  - JOUR\nTI  - Two\n",
            "line 4: the record starting on line 4 has no 'ER  -' line",
        ),
        (
            "missing_er.ris",
            "TY  - JOUR\nTI  - One\nTY  - JOUR\nTI  - Two\nER  - \n",
            "line 3: the record starting on line 1 has no 'ER  -' before the next 'TY  -'",
        ),
        (
            "truncated.xml",
            "<?xml version='1.0'?><PubmedArticleSet><PubmedArticle><MedlineCitation>",
            "malformed XML",
        ),
        (
            "scopus.csv",
            "Authors,Title,Year\nSmith J.,A title,2020\n",
            "is not a format prismaflow recognises",
        ),
        (
            "laughs.xml",
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><PubmedArticleSet>&lol2;</PubmedArticleSet>',
            "refused unsafe XML",
        ),
        (
            "xxe.xml",
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<PubmedArticleSet>&x;</PubmedArticleSet>",
            "refused unsafe XML",
        ),
        ("latin.ris", b"TY  - JOUR\nTI  - \x81\x8d\x8f\x90\nER  - \n", "is neither UTF-8"),
        (
            "bad.bib",
            "@article{a,\n  title = {Unbalanced,\n}\n",
            "malformed BibTeX entry",
        ),
    ],
)
def test_broken_input_gets_a_clear_error_naming_the_file(tmp_path, name, data, message):
    path = write(tmp_path, name, data)
    with pytest.raises(InputFileError) as error:
        import_file(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_a_csv_missing_a_required_column_names_it(tmp_path):
    path = write(tmp_path, "s.csv", "Authors,Title,Year\nSmith J.,A title,2020\n")
    with pytest.raises(InputFileError, match=r"lacks the column\(s\) \['Source title'\]"):
        import_file(path, "scopus_csv")


def test_a_row_with_more_cells_than_the_header_names_its_line(tmp_path):
    path = write(tmp_path, "t.csv", "title,abstract,authors\nA,B,C\nD,E,F,G\n")
    with pytest.raises(InputFileError, match="line 3: row has 4 cells"):
        import_file(path)


def test_records_a_parser_loses_are_a_reconciliation_error(tmp_path):
    # Two ER lines, but the second record's TY line is damaged: one record would vanish.
    path = write(tmp_path, "x.ris", RIS + "XY  - JOUR\nTI  - Lost\nER  - \n")
    with pytest.raises(ReconciliationError, match="read 1 records but the file holds 2"):
        import_file(path)


# One bilingual article as each format writes its two languages.
TWO_LANGUAGES = {
    "two.nbib": "PMID- 1\nTI  - Bilingual.\nLA  - eng\nLA  - fre\nPT  - Journal Article\n",
    "two.xml": (
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>Bilingual.</ArticleTitle><Language>eng</Language>"
        "<Language>fre</Language></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ),
    "two.ris": "TY  - JOUR\nTI  - Bilingual.\nLA  - English\nLA  - French\nER  - \n",
    "two.bib": "@article{a, title = {Bilingual.}, language = {english and french}}\n",
    "two.csv": (
        "Authors,Title,Year,Source title,Language of Original Document,Document Type,EID\n"
        'Doe J.,Bilingual.,2020,J,"English; French",Article,2-s2.0-1\n'
    ),
}


@pytest.mark.parametrize("name", TWO_LANGUAGES)
def test_a_record_in_two_languages_keeps_both(tmp_path, name):
    path = tmp_path / name
    path.write_text(TWO_LANGUAGES[name])
    (record,) = import_file(path).records.to_pylist()
    assert record["language"] == ["eng", "fre"]


def test_a_table_of_ones_own_that_found_nothing_is_read_as_no_records(tmp_path):
    """An export of a search that found nothing has its header and no rows."""
    from openpyxl import Workbook

    from prismaflow.formats.importer import import_file

    book = Workbook()
    book.active.append(["Article title", "Publication year"])
    book.save(tmp_path / "empty.xlsx")
    imported = import_file(
        tmp_path / "empty.xlsx", "table", {"title": "Article title", "year": "Publication year"}
    )
    assert imported.records.num_rows == 0
