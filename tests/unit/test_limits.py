"""Bounded inputs: a line, a cell or a workbook too large for any real export is refused with
the file, the line and the variable that raises the limit; a long abstract still reads."""

import zipfile

import pytest

from prismaflow.errors import InputFileError
from prismaflow.formats.importer import import_file
from prismaflow.sheets import read_rows


def test_a_cell_beyond_csvs_own_limit_reads_and_one_beyond_prismaflows_is_named(
    tmp_path, monkeypatch
):
    sheet = tmp_path / "alice.csv"
    long_note = "x" * 200_000  # over the csv module's 128 KB default
    sheet.write_text(f"record,decision,note\npubmed:1,include,{long_note}\n", encoding="utf-8")
    ((line, cells),) = read_rows(sheet, ["record", "decision"], ["record", "decision", "note"])
    assert line == 2 and len(cells["note"]) == 200_000
    monkeypatch.setenv("PRISMAFLOW_MAX_CELL_CHARS", "1000")
    sheet.write_text(
        f"record,decision,note\npubmed:1,include,short\npubmed:2,include,{'y' * 5000}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as error:
        read_rows(sheet, ["record", "decision"], ["record", "decision", "note"])
    assert f"{sheet}, line 3: a cell is over 1,000 characters" in str(error.value)
    assert "PRISMAFLOW_MAX_CELL_CHARS=10000" in str(error.value)


def test_a_line_longer_than_any_export_holds_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PRISMAFLOW_MAX_LINE_CHARS", "1000")
    export = tmp_path / "one_line.ris"
    export.write_text("TY  - JOUR\nTI  - " + "a" * 5000 + "\nER  - \n", encoding="utf-8")
    with pytest.raises(InputFileError) as error:
        import_file(export)
    assert f"{export}, line 2: a line is over 1,000 characters" in str(error.value)


def test_a_workbook_that_inflates_beyond_the_limit_is_refused_before_it_is_opened(
    tmp_path, monkeypatch
):
    bomb = tmp_path / "alice.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 64 * 1024 * 1024)
    assert bomb.stat().st_size < 200_000
    monkeypatch.setenv("PRISMAFLOW_MAX_XLSX_BYTES", str(16 * 1024 * 1024))
    with pytest.raises(InputFileError) as error:
        read_rows(bomb, ["record"], ["record"])
    assert "the workbook (67,108,864 bytes decompressed) is over 16,777,216 bytes" in str(
        error.value
    )


def test_json_nested_beyond_any_api_response_is_named(tmp_path):
    export = tmp_path / "deep.json"
    export.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputFileError, match="nests its JSON deeper than any API response"):
        import_file(export, "api_json")
