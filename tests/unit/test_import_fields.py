"""Fields read from what real exports really hold (#21), each from a small export written for
the project in the shape the database writes: unknown tags, fields in unusual places, words in
number fields, collective authors, wrapped DOIs."""

from __future__ import annotations

import pytest

from prismaflow.formats.importer import import_file
from prismaflow.identifiers import normalise_doi


def one_record(**fields):
    """A table of one record with these fields, as stages hold them."""
    from prismaflow.records import records_table

    return records_table([{"record_id": "x:1", "source": "x", "source_id": "1", **fields}])


def imported(tmp_path, name: str, text: str, kind: str) -> list[dict]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file(path, kind, None, source="file", name="x").records.to_pylist()


WOS = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Smith, J (jsmith@example.org)
   Doe, A
TI A trial of something
SO JOURNAL OF TESTS
PY 2020
UK unknown tag the reader never saw
ZB 3
Z8 0
DI 10.1000/wos.1
ER

EF
"""


def test_web_of_science_plain_text_with_unknown_tags_is_read_and_names_lose_emails(tmp_path):
    (record,) = imported(tmp_path, "savedrecs.txt", WOS, "wos_plain")
    assert record["authors"] == ["Smith, J", "Doe, A"] and record["doi"] == "10.1000/wos.1"


EBSCO = """TY  - JOUR
AU  - Garcia, Ana
TI  - Original title in Spanish
T2  - Translated title in English
JO  - Revista de Pruebas
PY  - 2019
SP  - No
EP  - Specified
L3  - 10.1000/ebsco.7
ER  -
"""


def test_ebsco_ris_keeps_the_journal_from_jo_the_doi_from_l3_and_no_word_pages(tmp_path):
    (record,) = imported(tmp_path, "ebsco.ris", EBSCO, "ris")
    assert record["journal"] == "Revista de Pruebas"
    assert record["doi"] == "10.1000/ebsco.7" and record["pages"] is None


MEDLINE = """PMID- 1
TI  - A consensus statement
AU  - Smith J
CN  - International Study Group on Tests
DP  - 2021 Mar
AID - http://dx.doi.org/10.1000/ml.2
LA  - eng
"""


def test_medline_keeps_collective_authors_and_a_doi_written_as_a_link(tmp_path):
    (record,) = imported(tmp_path, "pubmed.nbib", MEDLINE, "medline")
    assert record["authors"] == ["Smith J", "International Study Group on Tests"]
    assert record["doi"] == "10.1000/ml.2"


@pytest.mark.parametrize(
    ("written", "doi"),
    [
        ("10.1000/ abc.1", "10.1000/abc.1"),
        ("https://doi.org/10.1000/X\n Y", "10.1000/xy"),
        ("not a doi", None),
    ],
)
def test_a_doi_wrapped_by_an_export_is_repaired_not_dropped(written, doi):
    assert normalise_doi(written) == doi


def test_books_chapters_and_theses_stay_what_they_are_through_ris_and_bibtex(tmp_path):
    from prismaflow.formats.exporter import export_records
    from prismaflow.records import records_table

    kinds = ["Book", "Book Chapter", "Thesis", "Journal Article", "JOURNAL ARTICLE", None]
    table = records_table(
        [
            {
                "record_id": f"x:{i}",
                "source": "x",
                "source_id": str(i),
                "title": f"Work {i}",
                "publication_types": [kind] if kind else None,
            }
            for i, kind in enumerate(kinds)
        ]
    )
    read = {}
    for kind in ("ris", "bibtex"):
        path = tmp_path / f"out.{'bib' if kind == 'bibtex' else kind}"
        export_records(table, path, kind)
        read[kind] = [
            r["publication_types"] for r in imported(tmp_path, path.name, path.read_text(), kind)
        ]
    assert (
        read["ris"]
        == read["bibtex"]
        == [
            ["Book"],
            ["Book Chapter"],
            ["Thesis"],
            ["Journal Article"],
            ["Journal Article"],
            ["Journal Article"],
        ]
    )


def test_bibtex_reads_a_pmid_in_a_note_and_keywords_that_hold_commas(tmp_path):
    text = (
        "@article{key1,\n  title = {A trial},\n  note = {PMID: 31415926},\n"
        "  keywords = {drug therapy, combination; quality of life}\n}\n"
    )
    (record,) = imported(tmp_path, "refs.bib", text, "bibtex")
    assert record["pmid"] == "31415926"
    assert record["keywords"] == ["drug therapy, combination", "quality of life"]


def test_bibtex_export_round_trips_tildes_and_keywords_with_commas(tmp_path):
    from prismaflow.formats.exporter import export_records

    table = one_record(
        title="Approximately ~5 % of cases & more",
        keywords=["drug therapy, combination", "quality of life"],
    )
    export_records(table, tmp_path / "out.bib", "bibtex")
    (record,) = imported(tmp_path, "out.bib", (tmp_path / "out.bib").read_text(), "bibtex")
    assert record["title"] == "Approximately ~5 % of cases & more"
    assert record["keywords"] == ["drug therapy, combination", "quality of life"]


def test_a_generational_suffix_stays_with_its_scopus_author():
    from prismaflow.formats.tabular import scopus_authors

    assert scopus_authors("Thompson F.R., III, Jones-Farrand T., Smith J.") == [
        "Thompson F.R., III",
        "Jones-Farrand T.",
        "Smith J.",
    ]
    assert scopus_authors("King M.L., Jr.") == ["King M.L., Jr."]


def test_abstracts_lose_entities_and_tags_whichever_api_they_came_from():
    from prismaflow.formats.api_json import _openalex
    from prismaflow.formats.text import clean_markup

    index = {"&lt;p&gt;Results:": [0], "cats&amp;dogs": [1], "<i>in": [2], "vivo</i>&#x0D;": [3]}
    work = {"title": "A work", "abstract_inverted_index": index}
    assert _openalex(work)["abstract"] == "Results: cats&dogs in vivo"
    assert clean_markup("<h4>Background</h4> Text&nbsp;here") == "Background Text here"


def test_legacy_upper_case_publication_types_are_written_as_pubmed_writes_them(tmp_path):
    text = "TY  - JOUR\nTI  - A trial\nM3  - JOURNAL ARTICLE\nER  -\n"
    (record,) = imported(tmp_path, "legacy.ris", text, "ris")
    assert record["publication_types"] == ["Journal Article"]  # one type, as PubMed spells it
    from prismaflow.formats.importer import publication_type

    assert (publication_type("CONFERENCE PAPER"), publication_type("RCT")) == (
        "Conference Paper",
        "RCT",
    )


def test_an_empty_api_page_is_said_to_hold_no_records(tmp_path):
    import subprocess
    import sys

    page = tmp_path / "last_page.json"
    page.write_text('{"meta": {"count": 25, "next_cursor": null}, "results": []}')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "prismaflow.cli",
            "import",
            str(page),
            "--out",
            str(tmp_path / "r.parquet"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "it holds no records: an API's last page" in done.stdout


def test_an_endnote_bibtex_entry_without_a_key_is_read(tmp_path, capfd):
    text = "@article{\n  title = {An EndNote entry},\n  year = {2020}\n}\n\n@book{b2, title={B}}\n"
    records = imported(tmp_path, "endnote.bib", text, "bibtex")
    assert [r["title"] for r in records] == ["An EndNote entry", "B"]
    with pytest.raises(Exception, match="line 1: malformed BibTeX entry"):
        imported(tmp_path, "broken.bib", "@article{\n  title = {cut\n  year = 2020\n", "bibtex")
    assert "Parsing of" not in capfd.readouterr().err  # said once, by prismaflow


def test_prismaflows_own_csv_and_xlsx_exports_are_read_back_without_a_mapping(tmp_path):
    from prismaflow.formats.exporter import export_records

    table = one_record(title="A trial", authors=["Smith, J", "Doe, A"], doi="10.1000/x.1")
    for kind in ("csv", "xlsx"):
        path = tmp_path / f"out.{kind}"
        export_records(table, path, kind)
        (record,) = import_file(path, None, None, source="file", name="x").records.to_pylist()
        assert (record["title"], record["authors"], record["doi"]) == (
            "A trial",
            ["Smith, J", "Doe, A"],
            "10.1000/x.1",
        )
    assert "Smith, J;Doe, A" in (tmp_path / "out.csv").read_text()  # no space for ASReview


def test_a_file_forced_as_endnote_xml_that_is_not_one_is_refused(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text("<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>")
    with pytest.raises(Exception, match=r"is not an EndNote XML export \(its root is <Pubmed"):
        import_file(path, "endnote_xml", None, source="file", name="x")


def test_a_bare_ampersand_in_bibtex_is_kept(tmp_path):
    text = "@article{a, title={Cats & dogs and A\\&B}, journal={Taylor & Francis}}\n"
    (record,) = imported(tmp_path, "amp.bib", text, "bibtex")
    assert (record["title"], record["journal"]) == ("Cats & dogs and A&B", "Taylor & Francis")


def test_latex_quotes_in_someone_elses_bibtex_become_typographic_quotes(tmp_path):
    text = (
        "@article{a, title={The ``best'' of `both' worlds: caf\\`e and it's `ok'},"
        " doi={10.1000/a--b`c'\\_d}}\n"
    )
    (record,) = imported(tmp_path, "quotes.bib", text, "bibtex")
    assert record["doi"] == "10.1000/a--b`c'_d"  # an identifier is not LaTeX
    assert record["title"] == "The “best” of ‘both’ worlds: cafè and it's ‘ok’"


def test_scopus_atom_and_europe_pmc_xml_responses_are_read_as_their_json_is():
    from tests.conftest import FIXTURES

    atom = import_file(FIXTURES / "formats" / "scopus_search_atom.xml", source="file", name="a")
    first, second = atom.records.to_pylist()
    assert atom.format == "scopus_atom" and atom.counted == 2
    assert (first["title"], first["doi"], first["pmid"], first["scopus_eid"], first["year"]) == (
        "A topical cream in a written-for-the-project trial",
        "10.1000/atom.1",
        "33300001",
        "2-s2.0-85000000001",
        2021,
    )
    assert (first["volume"], first["issue"], first["pages"]) == ("12", "3", "100-109")
    assert second["doi"] is None and second["publication_types"] == ["Review"]
    epmc = import_file(FIXTURES / "formats" / "europepmc_search.xml", source="file", name="e")
    one, two = epmc.records.to_pylist()
    assert epmc.format == "europepmc_xml" and epmc.counted == 2
    assert (one["authors"], one["doi"], one["pmid"], one["journal"]) == (
        ["Tester C", "Tester D"],
        "10.1000/epmc.3",
        "33300003",
        "Journal of Written Fixtures",
    )
    assert one["abstract"] == "Background Patients were treated."
    assert two["authors"] == ["Tester E"] and two["publication_types"] == ["Preprint"]


def test_bibtex_export_keeps_dashes_and_quotes_as_written_not_as_latex_ligatures(tmp_path):
    from prismaflow.formats.exporter import export_records

    title = "Pre--post and pre---post: it''s ``quoted'' ?` !` and `single' too"
    export_records(one_record(title=title), tmp_path / "out.bib", "bibtex")
    (record,) = imported(tmp_path, "out.bib", (tmp_path / "out.bib").read_text(), "bibtex")
    assert record["title"] == title
