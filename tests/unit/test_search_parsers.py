import pytest

from prismaflow.errors import InputFileError, ReconciliationError
from prismaflow.formats.esearch import parse_esearch
from prismaflow.formats.pubmed_xml import parse_pubmed_xml
from prismaflow.formats.scopus_json import parse_scopus_page
from tests.conftest import FIXTURES, shared_path

PUBMED = FIXTURES / "pubmed" / "efetch_two_articles.xml"
SCOPUS = FIXTURES / "scopus" / "page_two_entries.json"


def parse_pubmed_file(path):
    return parse_pubmed_xml(path.read_bytes(), path)


def test_pubmed_fields_land_in_the_schema():
    first, second = parse_pubmed_file(PUBMED)
    assert first["record_id"] == "pubmed:1000001"
    assert first["title"] == "Topical JAK inhibition & lichen planus: a pilot study."
    assert first["abstract"] == (
        "BACKGROUND: Lichen planus is itchy. METHODS: Ten patients applied cream."
    )
    assert first["authors"] == ["Müller A", "Invented Study Group"]
    assert first["year"] == 2019  # from MedlineDate "2019 Nov-Dec"
    assert first["doi"] == "10.9999/jid.2019.001"
    assert first["pmcid"] == "PMC0000001"
    assert first["journal"] == "Journal of Invented Dermatology"
    assert first["journal_abbrev"] == "J Invent Dermatol"
    assert (first["volume"], first["issue"], first["pages"]) == ("12", "3", "101-109")
    assert first["publication_types"] == ["Journal Article", "Clinical Trial, Phase II"]
    assert first["mesh_terms"] == ["Lichen Planus"]
    assert first["keywords"] == ["ruxolitinib"]
    assert second["doi"] == "10.9999/il.2024.7"  # from ELocationID, resolver prefix removed
    assert second["language"] == ["fre"]
    assert second["abstract"] is None and second["authors"] == []


@pytest.mark.parametrize(
    ("name", "count", "pmid", "language"),
    [
        ("asreview_pubmed_10records_jpn.xml", 10, "31690499", "eng"),
        ("biopython_pubmed2.xml", 2, "11748933", "eng"),
        ("metapub_38048813_german_noabstract.xml", 1, "38048813", "ger"),
        ("metapub_34843274_collective_author.xml", 1, "34843274", "eng"),
        ("metapub_book_20301577.xml", 1, "20301577", "eng"),
        ("metapub_37909814_empty_set.xml", 0, None, None),
    ],
)
def test_real_pubmed_exports(name, count, pmid, language):
    records = parse_pubmed_file(shared_path("fixtures", "formats", "pubmed_xml", name))
    assert len(records) == count
    if count:
        assert records[0]["pmid"] == pmid
        assert records[0]["language"] == [language]
        assert records[0]["title"]
        assert 1900 < records[0]["year"] < 2030


def test_real_pubmed_export_with_japanese_records_keeps_languages():
    path = shared_path("fixtures", "formats", "pubmed_xml", "asreview_pubmed_10records_jpn.xml")
    languages = [r["language"] for r in parse_pubmed_file(path)]
    assert languages.count(["jpn"]) == 2


def test_truncated_xml_names_file_and_line(tmp_path):
    cut = tmp_path / "cut.xml"
    cut.write_bytes(PUBMED.read_bytes()[:1500])
    with pytest.raises(InputFileError, match=r"cut\.xml, line \d+: malformed XML"):
        parse_pubmed_file(cut)


def test_entity_expansion_is_refused_not_expanded(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>"
        b"<Article><ArticleTitle>&lol2;</ArticleTitle></Article></MedlineCitation>"
        b"</PubmedArticle></PubmedArticleSet>"
    )
    with pytest.raises(InputFileError, match="refused unsafe XML"):
        parse_pubmed_file(bomb)


def test_external_entity_is_refused(tmp_path):
    xxe = tmp_path / "xxe.xml"
    xxe.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<PubmedArticleSet>&x;</PubmedArticleSet>"
    )
    with pytest.raises(InputFileError, match="refused unsafe XML"):
        parse_pubmed_file(xxe)


def test_empty_file_is_an_error(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"empty\.xml: the file is empty"):
        parse_pubmed_file(empty)


def test_article_without_pmid_is_an_error_not_a_skip(tmp_path):
    path = tmp_path / "nopmid.xml"
    path.write_bytes(
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><Article>"
        b"<ArticleTitle>t</ArticleTitle></Article></MedlineCitation>"
        b"</PubmedArticle></PubmedArticleSet>"
    )
    with pytest.raises(ReconciliationError, match=r"article\(s\) number \[1\] have no PMID"):
        parse_pubmed_file(path)


def test_other_xml_documents_are_not_taken_for_pubmed(tmp_path):
    path = tmp_path / "esearch.xml"
    path.write_bytes((FIXTURES / "esearch" / "two_ids.xml").read_bytes())
    with pytest.raises(ReconciliationError, match="expected a PubmedArticleSet"):
        parse_pubmed_file(path)


def test_esearch_count_ids_and_translation():
    path = FIXTURES / "esearch" / "two_ids.xml"
    result = parse_esearch(path.read_bytes(), path)
    assert result.count == 2
    assert result.ids == ("1000001", "1000002")
    assert result.query_translation == '"ruxolitinib"[All Fields]'
    assert result.webenv == "MCID_test"


def test_real_esearch_responses():
    path = shared_path("fixtures", "formats", "esearch", "biopython_esearch2_webenv.xml")
    result = parse_esearch(path.read_bytes(), path)
    assert (result.count, len(result.ids), result.query_key) == (42249, 100, "1")


def test_esearch_without_count_reports_the_database_errors(tmp_path):
    path = tmp_path / "error.xml"
    path.write_bytes(b"<eSearchResult><ERROR>Invalid query</ERROR></eSearchResult>")
    with pytest.raises(InputFileError, match="no record count: Invalid query"):
        parse_esearch(path.read_bytes(), path)


def test_scopus_page_fields():
    page = parse_scopus_page(SCOPUS.read_bytes(), SCOPUS)
    assert (page.total_results, page.start_index, len(page.records)) == (2, 0, 2)
    first, second = page.records
    assert first["record_id"] == "scopus:2-s2.0-0000000001"
    assert first["authors"] == ["Muller A", "Li XY"]
    assert first["keywords"] == ["ruxolitinib", "lichen planus"]
    assert first["year"] == 2019 and first["doi"] == "10.9999/jid.2019.001"
    assert first["journal"] == "Journal of Invented Dermatology"
    assert second["pages"] == "e123"
    assert second["publication_types"] == ["Review"]
    assert second["authors"] == []


def test_real_scopus_search_page():
    path = shared_path("fixtures", "formats", "scopus_api_json", "findpapers_scopus_search_25.json")
    page = parse_scopus_page(path.read_bytes(), path)
    assert page.total_results == 1134
    assert len(page.records) == 25
    assert all(r["scopus_eid"].startswith("2-s2.0-") for r in page.records)
    assert page.records[1]["doi"] == "10.1093/bioinformatics/btz682"
    assert page.records[1]["pmid"] == "31501885"


def test_empty_scopus_result_set_is_a_page_without_records(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(
        '{"search-results": {"opensearch:totalResults": "0", "entry": '
        '[{"@_fa": "true", "error": "Result set was empty"}]}}'
    )
    page = parse_scopus_page(path.read_bytes(), path)
    assert (page.total_results, page.records) == (0, ())


def test_truncated_scopus_json_names_file_and_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(SCOPUS.read_bytes()[:700])
    with pytest.raises(InputFileError, match=r"cut\.json, line \d+: not valid JSON"):
        parse_scopus_page(path.read_bytes(), path)


def test_json_that_is_not_a_scopus_response(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"message": "hello"}')
    with pytest.raises(InputFileError, match="not a Scopus Search API response"):
        parse_scopus_page(path.read_bytes(), path)
