"""Every real export file in ../shared/fixtures/formats/ (written by PubMed, Scopus, Web of
Science, Embase, Ovid, EndNote, Zotero, IEEE, Rayyan and others) imports with the count its
format implies, and its first record's fields land in the schema. Skipped without ../shared."""

import pytest

from prismaflow.errors import InputFileError
from prismaflow.formats.importer import import_file
from tests.conftest import shared_path

# folder/file -> (format, records, first record's title start, year, DOI, first author)
EXPECTED = {
    "ris/asreview_embase.ris": ("ris", 6, "Duplication cysts", 2014, "10.4103/2303-9027.138783", "Liu R."),
    "ris/asreview_ovid_psycinfo.ris": ("ris", 6, "The influence of self-criticism", 2019, "10.1002/cpp.2398", "Trindade, Ines A"),
    "ris/asreview_pubmed_endnote.txt": ("ris", 6, "Boswellia serrata", 2011, "10.2165/11586800-000000000-00000", "Abdel-Tawab, M."),
    "ris/asreview_pubmed_zotero.ris": ("ris", 6, "The importance of cognitive flexibility", 2019, "10.5114/pg.2018.81081", "Rudnik, Agata"),
    "ris/asreview_rayyan_issue992.txt": ("ris", 19, "Overcoming Medication Reconciliation", 2011, None, None),
    "ris/asreview_scopus.ris": ("ris", 6, "Stress and the brain-gut axis", 2020, "10.1016/j.psyneuen.2019.104501", "Labanski, A."),
    "ris/asreview_web_of_science_ris.txt": ("ris", 10, "Holding Yourself Captive", 2018, "10.1016/j.jarmac.2018.03.001", "Alceste, F"),
    "ris/litstudy_ieee_example.ris": ("ris", 25, "The European Approach to the Exascale", 2019, "10.1109/mcse.2018.2884139", "G. Kalbe"),
    "medline_nbib/biopython_pubmed_result1.txt": ("medline", 1, "The Bio* toolkits", 2002, None, "Mangalam H"),
    "medline_nbib/biopython_pubmed_result2.txt": ("medline", 4, "A high level interface to SCOP", 2006, "10.1186/1471-2105-7-10", "Casbon JA"),
    "medline_nbib/biopython_pubmed_result3.txt": ("medline", 1, "Effects of different parameters", 2012, "10.1118/1.4748329", "Qiao S"),
    "medline_nbib/colrev_eric.nbib": (
        "medline", 1, "Paper title", 2000, "10.1000/123456789", "Smith, Tom"
    ),  # AID - http://dx.doi.org/...
    "medline_nbib/rispy_example_pubmed.txt": ("medline", 10, "Time lapse", 2020, "10.1016/j.ejmg.2019.03.004", "Griffin DK"),
    "medline_nbib/synthesisr_PubMed_example.txt": ("medline", 3, "Differences in nitrate", 2017, "10.1016/j.scitotenv.2017.04.075", "Neilen AD"),
    "bibtex/colrev_wos_anonymised.bib": ("bibtex", 2, "Inproceedings Title", 2017, "10.1007/999-9-999-99999-9_3", "Writerone, Julia"),
    "bibtex/synthesisr_Scopus_bib_example.bib": ("bibtex", 3, "Soil fauna diversity", 2020, "10.1080/20964129.2020.1722034", "Li, W."),
    "bibtex/zotero_bbt_date_ranges_747.bib": ("bibtex", 5, "746: The Physical Volcanology", 2015, None, "Adams, Nancy K"),
    "bibtex/zotero_bbt_pubmed_dates_1112.bib": ("bibtex", 2, "RNA Helicase, DDX27", 2018, "10.1371/journal.pgen.1007226", "Bennett, Alexis H."),
    "bibtex/zotero_bbt_titlecase_558.bib": ("bibtex", 2, "Using Google Flu Trends", 2014, "10.1016/j.ajem.2014.05.052", "Araz, Ozgur M."),
    "bibtex/zotero_bbt_utf8_1147.bib": ("bibtex", 2, "The Adsorption Site of Pyridine", 1994, "10.1016/0039-6028(94)90559-2", "Fritzsche, V."),
    "pubmed_xml/asreview_pubmed_10records_jpn.xml": ("pubmed_xml", 10, "A new decompression device", 2019, "10.1016/j.bjoms.2019.09.011", "Kimura M"),
    "pubmed_xml/biopython_pubmed2.xml": ("pubmed_xml", 2, "Is cryopreservation a homogeneous", 2001, "10.1006/cryo.2001.2328", "Taddei AR"),
    "pubmed_xml/metapub_32894878_no_abstract_no_mesh.xml": ("pubmed_xml", 1, "Methods Refocused", 2020, "10.1055/s-0040-1715580", "Koch S"),
    "pubmed_xml/metapub_33856845_structured_abstract.xml": ("pubmed_xml", 1, "Impact of insight", 2021, "10.1037/prj0000481", "Manoli R"),
    "pubmed_xml/metapub_34843274_collective_author.xml": ("pubmed_xml", 1, "Summary of the clinical practice", 2022, "10.1037/amp0000904", "Guideline Development Panel for the Treatment of Depressive Disorders"),
    "pubmed_xml/metapub_37909814_empty_set.xml": ("pubmed_xml", 0, None, None, None, None),
    "pubmed_xml/metapub_38048813_german_noabstract.xml": ("pubmed_xml", 1, "[A Broader Scope", 2023, "10.1055/a-2189-0166", "Zipfel S"),
    "pubmed_xml/metapub_book_20301577.xml": ("pubmed_xml", 1, "CACNA1C-Related Disorders", 1993, None, "Napolitano C"),
    "scopus_csv/litstudy_scopus_2020.csv": ("scopus_csv", 58, "Scalable molecular dynamics with NAMD", 2005, "10.1002/jcc.20289", "Phillips J.C."),
    "scopus_csv/litstudy_scopus_v2_2023.csv": ("scopus_csv", 88, "Gender-specific visual perturbation", 2023, "10.1080/00140139.2022.2113152", "Hao J."),
    "scopus_csv/scientopy_scopus_2019_citation_only.csv": ("scopus_csv", 1830, "Cost-efficient BLE fingerprint", 2019, "10.1186/s13638-019-1364-x", "Xie, L."),
    "wos_tab/scientopy_wos_2017.txt": ("wos_tab", 125, "Privacy-preserving protocols", 2018, "10.1016/j.future.2017.04.031", "Tonyali, S"),
    "wos_tab/scientopy_wos_2023.txt": ("wos_tab", 54, "SenseLE: Exploiting Spatial Locality", 2017, "10.1109/ispa/iucc.2017.00206", "Bozdog, NV"),
    "wos_tab/scientopy_wos_2026.txt": ("wos_tab", 71, "Design and Implementation of a Wear", 2023, "10.1002/adsr.202300058", "Prakash, KS"),
    "wos_tab/synthesisr_wos_zoological_record.txt": ("wos_tab", 133, "Cross-scale occupancy dynamics", 2018, None, "Tingley, Morgan W."),
    "wos_plaintext/metaknowledge_savedrecs.txt": ("wos_plain", 32, "EXPERIMENTS IN PHENOMENOLOGICAL", 1979, "10.1016/0370-1573(79)90074-7", "BREVIK, I"),
    "wos_plaintext/rispy_example_wos_plaintext.txt": ("wos_plain", 2, "Interactions stabilizing the structure", 2004, "10.1021/bi049798f", "Parkes-Loach, PS"),
    "crossref_json/colrev_crossref_10.1177_02683962211048201.json": ("crossref_json", 1, "Artificial intelligence and the con", 2021, "10.1177/02683962211048201", "Wagner, Gerit"),
    "crossref_json/colrev_crossref_10.2196_22081.json": ("crossref_json", 1, "Investigating Patients", 2020, "10.2196/22081", "Grenier Ouimet, Antoine"),
    "crossref_json/litstudy_crossref_10.1016_j.softx.2022.101207.json": ("crossref_json", 1, "litstudy: A Python package", 2022, "10.1016/j.softx.2022.101207", "Heldens, Stijn"),
    "crossref_json/litstudy_crossref_worklist_cursor.json": ("crossref_json", 2, None, None, "10.2139/ssrn.4079400", None),
    "europepmc_json/pyeuropepmc_no_results.json": ("europepmc_json", 0, None, None, None, None),
    "europepmc_json/pyeuropepmc_search_core.json": ("europepmc_json", 25, "Abscopal response in a patient", 2025, "10.1016/s0140-6736(24)02600-x", "Schoenfeld JD"),
    "europepmc_json/pyeuropepmc_search_idlist.json": ("europepmc_json", 25, None, None, None, None),
    "europepmc_json/pyeuropepmc_search_lite.json": ("europepmc_json", 25, "Abscopal response in a patient", 2025, "10.1016/s0140-6736(24)02600-x", "Schoenfeld JD"),
    "openalex_json/openalex_python_W2741809807.json": ("openalex_json", 1, "The state of OA", 2018, "10.7717/peerj.4375", "Heather Piwowar"),
    "openalex_json/openalexpro_works_25.json": ("openalex_json", 25, "Problem", 2009, "10.1111/j.1936-704x.2009.00057.x", "William J. Smith"),
    "openalex_json/openalexpro_works_page1_2works.json": ("openalex_json", 2, "bibliometrix", 2017, "10.1016/j.joi.2017.08.007", "Massimo Aria"),
    "openalex_json/openalexpro_works_page2_terminal.json": ("openalex_json", 0, None, None, None, None),
    "scopus_api_json/findpapers_scopus_search_25.json": ("scopus_json", 25, "MultiWoz - A large-scale", 2020, None, "Budzianowski P"),
}  # fmt: skip
# Files that hold no bibliographic records: refused with the reason.
NOT_RECORDS = {
    "scopus_api_json/findpapers_scopus_serial_title.json": "carries no bibliographic records",
    "esearch/findpapers_esearch_response.json": "carries no bibliographic records",
    "esearch/biopython_epost1_webenv.xml": "lists PMIDs, not records",
    "esearch/biopython_esearch1_basic.xml": "lists PMIDs, not records",
    "esearch/biopython_esearch2_webenv.xml": "lists PMIDs, not records",
    "esearch/biopython_esearch3_translationset_retstart.xml": "lists PMIDs, not records",
    "esearch/biopython_esearch8_errorlist.xml": "lists PMIDs, not records",
}


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_real_export_imports_with_its_count_and_fields(relative):
    fmt, count, title, year, doi, author = EXPECTED[relative]
    imported = import_file(shared_path("fixtures", "formats", relative))
    records = imported.records.to_pylist()
    assert (imported.format, len(records), imported.counted) == (fmt, count, count)
    if not count:
        return
    first = records[0]
    assert (first["title"] or "").startswith(title or "")
    assert (first["year"], first["doi"]) == (year, doi)
    assert (first["authors"] or [None])[0] == author
    if title:  # every file that gives titles gives one for each record (ID lists give none)
        assert all(r["title"] for r in records)


def test_every_shared_file_is_covered():
    formats = shared_path("fixtures", "formats")
    files = {str(p.relative_to(formats)) for p in formats.rglob("*") if p.is_file()}
    assert files - {"MANIFEST.md"} == set(EXPECTED) | set(NOT_RECORDS)


@pytest.mark.parametrize("relative", sorted(NOT_RECORDS))
def test_responses_without_records_are_refused_with_the_reason(relative):
    with pytest.raises(InputFileError, match=NOT_RECORDS[relative]):
        import_file(shared_path("fixtures", "formats", relative))


def test_scopus_csv_with_extra_funding_texts_is_realigned():
    path = shared_path("fixtures", "formats", "scopus_csv", "litstudy_scopus_2020.csv")
    records = import_file(path).records.to_pylist()
    shifted = next(r for r in records if r["doi"] == "10.1038/s41598-022-04849-0")
    assert shifted["scopus_eid"] == "2-s2.0-85123480963"
    assert (shifted["pmid"], shifted["language"]) == ("35064163", ["eng"])
