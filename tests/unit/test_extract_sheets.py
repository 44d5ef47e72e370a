"""Reviewers' extraction sheets: typed cells, the XLSX round trip, and every way a sheet can be
wrong named by file, line, study and field."""

import pandas as pd
import pytest
from openpyxl import load_workbook

from prismaflow.errors import InputFileError
from prismaflow.extract.fields import FieldSpec, field_specs
from prismaflow.extract.reviewers import read_sheets
from prismaflow.extract.sheet import citation, write_extraction_sheet
from prismaflow.extract.stage import extract

WEEKS = FieldSpec("duration_weeks", "number", "d", unit="weeks", minimum=0)
COUNT = FieldSpec("n_patients", "integer", "n", unit="patients", minimum=1)
RESPONSE = FieldSpec("response", "category", "r", values=("complete", "partial"))


@pytest.mark.parametrize(
    ("spec", "cell", "value"),
    [
        (WEEKS, "12", 12.0),
        (WEEKS, "12 weeks", 12.0),
        (WEEKS, "4,5 wk", 4.5),
        (WEEKS, 8, 8.0),
        (COUNT, "12", 12),
        (COUNT, 12.0, 12),
        (RESPONSE, "Partial", "partial"),
        (RESPONSE, "NR", None),
        (RESPONSE, "  ", None),
    ],
)
def test_cells_mean_one_typed_value(spec, cell, value):
    assert spec.coerce(cell) == value


@pytest.mark.parametrize(
    ("spec", "cell", "message"),
    [
        (WEEKS, "3 months", "is not in weeks"),
        (WEEKS, "about twelve", "is not a number (write a number of weeks)"),
        (WEEKS, "-2", "below the minimum 0"),
        (COUNT, "12.5", "not a whole number"),
        (COUNT, "0", "below the minimum 1"),
        (RESPONSE, "good", "is not one of ['complete', 'partial']"),
    ],
)
def test_cells_that_fit_no_value_say_why(spec, cell, message):
    with pytest.raises(ValueError) as error:
        spec.coerce(cell)
    assert message in str(error.value)


RECORDS = pd.DataFrame(
    {
        "record_id": ["pubmed:1", "pubmed:2"],
        "authors": [["Smith J"], ["Doe A"]],
        "year": [2020, 2021],
        "title": ["Necrobiosis lipoidica in 3 patients", "=HYPERLINK() Psoriasis case report"],
        "journal": ["J Dermatol", None],
        "doi": ["10.1/a", None],
        "pmid": ["1", "2"],
        "publication_types": [["Case Reports"], ["Case Reports"]],
        "keywords": [None, None],
        "mesh_terms": [None, None],
        "abstract": [None, "She was treated with ruxolitinib cream. Plaques cleared."],
    }
)
DECISIONS = pd.DataFrame(
    {
        "record_id": ["pubmed:1", "pubmed:2"] * 2,
        "phase": ["title_abstract"] * 2 + ["full_text"] * 2,
        "decision": ["include"] * 4,
    }
)
INDEX = {"pubmed:1": "pubmed:1", "pubmed:2": "pubmed:2", "10.1/a": "pubmed:1", "1": "pubmed:1"}
INCLUDED = {"pubmed:1", "pubmed:2"}


def machine_studies(config):
    fields = field_specs(config["extraction"]["fields"])
    studies, _, _ = extract(
        RECORDS, DECISIONS, config["extraction"], fields, read_sheets([], fields, INDEX, INCLUDED)
    )
    return studies, fields


def test_sheet_round_trip_write_fill_read(config, tmp_path):
    studies, fields = machine_studies(config)
    sheet = tmp_path / "alice.xlsx"
    write_extraction_sheet(studies, fields, sheet)
    book = load_workbook(sheet)
    assert book.sheetnames == ["extraction", "machine sources", "fields"]
    values = book["extraction"]
    header = [c.value for c in values[1]]
    assert header[:2] == ["record_id", "study"] and header[2:] == [f.name for f in fields]
    assert values.cell(2, 2).value == "Smith 2020, J Dermatol"
    column = {name: i + 1 for i, name in enumerate(header)}
    assert values.cell(2, column["n_patients"]).value == 3
    sources = book["machine sources"]
    assert sources.cell(2, column["n_patients"]).value.startswith('title[25:35] "3 patients"')
    # The reviewer corrects one value, adds one, and saves the sheet as their own.
    values.cell(2, column["n_patients"]).value = 4
    values.cell(3, column["formulation"]).value = "Ointment"
    book.save(sheet)
    read = read_sheets([sheet], fields, INDEX, INCLUDED)
    assert read.problems == []
    studies, _, _ = extract(RECORDS, DECISIONS, config["extraction"], fields, read)
    by_id = studies.set_index("record_id")
    assert by_id.loc["pubmed:1", "n_patients"] == 4
    assert by_id.loc["pubmed:1", "n_patients_source"] == "alice.xlsx, line 2"
    assert by_id.loc["pubmed:2", ["formulation", "formulation_by"]].tolist() == [
        "ointment",
        "alice",
    ]
    # Values the reviewer left in place are now the reviewer's, vouched for.
    assert by_id.loc["pubmed:1", "condition_group_by"] == "alice"


def test_sheet_neutralises_formulas_and_offers_category_lists(config, tmp_path):
    studies, fields = machine_studies(config)
    studies.loc[1, "adverse_events"] = "=cmd|' /C calc'!A0"
    write_extraction_sheet(studies, fields, tmp_path / "sheet.xlsx")
    book = load_workbook(tmp_path / "sheet.xlsx")
    cells = [c.value for row in book["extraction"].iter_rows() for c in row]
    assert "'=cmd|' /C calc'!A0" in cells
    lists = [v.formula1 for v in book["extraction"].data_validations.dataValidation]
    assert '"complete,partial,none,mixed,not reported,NR"' in lists


def test_sheet_problems_name_file_line_study_and_field(config, tmp_path):
    fields = field_specs(config["extraction"]["fields"])
    sheet = tmp_path / "bob.csv"
    sheet.write_text(
        "record_id,n_patients,n_responders,response,duration_weeks\n"
        "10.1/a,twelve,,good,\n"
        "pubmed:2,3,,,3 months\n"
        "pubmed:9,1,,,\n"
        "1,2,,,\n",
        encoding="utf-8",
    )
    problems = read_sheets([sheet], fields, INDEX, INCLUDED).problems
    assert [(p["line"], p["record_id"], p["field"]) for p in problems] == [
        (2, "pubmed:1", "n_patients"),
        (2, "pubmed:1", "response"),
        (3, "pubmed:2", "duration_weeks"),
        (4, None, None),
        (5, "pubmed:1", None),
    ]
    assert "'good' is not one of" in problems[1]["problem"]
    assert problems[3]["problem"] == "record 'pubmed:9' names no record"
    assert problems[4]["problem"] == "study also on line 2"
    assert all(p["file"] == str(sheet) for p in problems)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "study,n_patients\nx,1\n", "missing columns ['record_id']"),
        ("b.csv", "record_id,patients\nx,1\n", "unknown columns ['patients']"),
        ("c.xlsx", "not a workbook", "is not a readable XLSX workbook"),
    ],
)
def test_malformed_sheets_fail_at_once_naming_the_file(config, tmp_path, name, content, message):
    fields = field_specs(config["extraction"]["fields"])
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=message.replace("[", r"\[")) as error:
        read_sheets([path], fields, INDEX, INCLUDED)
    assert str(path) in str(error.value)


def test_one_sheet_per_reviewer(config, tmp_path):
    fields = field_specs(config["extraction"]["fields"])
    for name in ("alice.csv", "alice.xlsx"):
        (tmp_path / name).write_text("record_id\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"also has alice\.csv"):
        read_sheets([tmp_path / "alice.csv", tmp_path / "alice.xlsx"], fields, INDEX, INCLUDED)


def test_a_report_without_authors_is_cited_by_its_title_not_as_anonymous():
    known = pd.Series({"first_author": "Bayart CB", "year": None, "journal": "JAAD"})
    assert citation(known) == "Bayart n.d., JAAD"
    title = "Ruxolitinib 1.5% topical cream for pediatric alopecia areata"
    anonymous = pd.Series(
        {"first_author": None, "title": title, "year": 2024.0, "journal": "J Drugs Dermatol"}
    )
    assert (
        citation(anonymous)
        == "“Ruxolitinib 1.5% topical cream for pediatric…” 2024, J Drugs Dermatol"
    )
    assert citation(pd.Series({"year": 2020})) == "[No author or title] 2020"
