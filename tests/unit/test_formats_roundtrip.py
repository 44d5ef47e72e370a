"""Records written out and read back: RIS and BibTeX keep what Zotero and EndNote need, CSV
keeps what ASReview and Rayyan read, spreadsheets never run a cell as a formula; generated
records (hypothesis) survive RIS and CSV."""

import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from prismaflow.formats.exporter import export_records
from prismaflow.formats.importer import import_file
from prismaflow.records import records_table
from tests.conftest import FIXTURES
from tests.generated_records import full_record

KEPT = ("title", "authors", "year", "journal", "doi", "pmid", "abstract")
RECORD = {
    "record_id": "pubmed:37000001",
    "source": "pubmed",
    "source_id": "37000001",
    "title": "Topical ruxolitinib 1.5% & lichen planus: {a} 50% response",
    "authors": ["Smith, Jane", "Müller, Karl"],
    "year": 2023,
    "journal": "Journal of Dermatological Treatment",
    "volume": "34",
    "issue": "2",
    "pages": "101-108",
    "doi": "10.1080/09546634.2023.0001",
    "pmid": "37000001",
    "abstract": "Six patients; four responded (67%). No #adverse events.",
    "keywords": ["lichen planus", "ruxolitinib"],
    "language": ["eng"],
}


@pytest.mark.parametrize(("suffix", "fmt"), [(".ris", "ris"), (".bib", "bibtex"), (".csv", "csv")])
def test_round_trip_keeps_the_fields_tools_need(tmp_path, suffix, fmt):
    path = tmp_path / f"out{suffix}"
    assert export_records(records_table([RECORD]), path, fmt) == 1
    back = import_file(path).records.to_pylist()[0]
    assert {k: back[k] for k in KEPT} == {k: RECORD[k] for k in KEPT}
    assert back["keywords"] == RECORD["keywords"]


def test_spreadsheet_exports_neutralise_formulas(tmp_path):
    hostile = {**RECORD, "title": '=HYPERLINK("http://x")', "abstract": "+1", "journal": "@SUM"}
    table = records_table([hostile])
    export_records(table, tmp_path / "out.csv", "csv")
    text = (tmp_path / "out.csv").read_text()
    assert "'=HYPERLINK" in text and ",'+1," in text and "'@SUM" in text
    export_records(table, tmp_path / "out.xlsx", "xlsx")
    cells = [
        c.value for row in load_workbook(tmp_path / "out.xlsx").active.iter_rows() for c in row
    ]
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM" in cells


def prismaflow(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "prismaflow.cli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_convert_and_import_commands_print_counts(tmp_path):
    source = FIXTURES / "formats" / "zotero.ris"
    done = prismaflow("convert", source, tmp_path / "out.bib")
    assert done.returncode == 0, done.stderr
    assert "(ris, 2 records)" in done.stdout and "(bibtex, 2 records)" in done.stdout
    done = prismaflow("import", tmp_path / "out.bib", "--out", tmp_path / "records.parquet")
    assert done.returncode == 0 and "2 records read as bibtex (the file holds 2)" in done.stdout
    fields = re.search(r"fields: (.*)", done.stdout).group(1)
    assert fields.startswith("title 2/2, authors 2/2, year 2/2") and "pmid " in fields
    done = prismaflow(
        "convert", FIXTURES / "formats" / "own_table.tsv", tmp_path / "t.ris",
        "--from", "table", "--map", "title=Article Title", "--map", "doi=DOI",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "10.1234/abc" in (tmp_path / "t.ris").read_text()


def test_commands_fail_with_the_clear_error(tmp_path):
    broken = tmp_path / "broken.ris"
    broken.write_text("TY  - JOUR\nTI  - Cut short\n")
    done = prismaflow("import", broken, "--out", tmp_path / "r.parquet")
    assert done.returncode == 2
    assert "has no 'ER  -' line" in done.stderr and "Traceback" not in done.stderr
    done = prismaflow("convert", FIXTURES / "formats" / "zotero.ris", tmp_path / "out.docx")
    assert done.returncode == 2 and "unknown output format" in done.stderr


@pytest.mark.parametrize(
    ("suffix", "fmt"), [(".ris", "ris"), (".bib", "bibtex"), (".csv", "csv"), (".xlsx", "xlsx")]
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=full_record)
def test_every_field_a_format_carries_survives_its_round_trip(tmp_path, suffix, fmt, record):
    full = {"record_id": "x:1", "source": "x", "source_id": "1", **record}
    path = tmp_path / f"generated{suffix}"
    export_records(records_table([full]), path, fmt)
    back = import_file(path).records.to_pylist()[0]
    expected = records_table([full]).to_pylist()[0]
    assert {k: back[k] for k in record} == {k: expected[k] for k in record}
