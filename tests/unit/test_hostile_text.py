"""Hostile text is data: control characters are taken out on import and counted, a "$" in an
author's name is not mathematics in a figure, and a bidirectional override is shown, not obeyed,
in the report, the figures and the sheets."""

import copy

import pytest
from openpyxl import load_workbook

from prismaflow.cli import main
from prismaflow.errors import PrismaflowError
from prismaflow.formats.importer import import_file
from prismaflow.synthesise.figures import evidence_map, forest_plot
from prismaflow.synthesise.groups import group_summary, pooled_estimates, study_effects
from tests.unit.test_report import artifacts, render
from tests.unit.test_synthesise import PLAN, STUDIES

RLO = "\u202e"


def test_control_characters_are_removed_on_import_and_counted(tmp_path, capsys):
    export = tmp_path / "bells.ris"
    export.write_text(
        "TY  - JOUR\nTI  - A \x07title\x1b[31m with\x00 escapes\nAU  - Roe, J\x7f\nPY  - 2020\n"
        "ER  - \n",
        encoding="utf-8",
    )
    imported = import_file(export)
    (record,) = imported.records.to_pylist()
    assert record["title"] == "A title[31m with escapes" and record["authors"] == ["Roe, J"]
    assert imported.controls_removed == 4
    assert main(["import", str(export), "--out", str(tmp_path / "r.parquet")]) == 0
    assert "4 control characters removed from its text" in capsys.readouterr().out
    assert main(["convert", str(export), str(tmp_path / "r.xlsx")]) == 0
    sheet = load_workbook(tmp_path / "r.xlsx").active
    assert "A title[31m with escapes" in [c.value for c in sheet[2]]


def test_a_dollar_in_a_name_is_text_and_an_override_is_shown_in_figures(tmp_path):
    studies = STUDIES.assign(
        first_author=["Smith$\\undefinedmacro{x}$", "Doe A", "Roe B", "Poe C", "Loe D", "Moe E"],
        condition=[f"alopecia {RLO}areata", *STUDIES["condition"][1:]],
    )
    summary = group_summary(studies, PLAN)
    pooled = pooled_estimates(studies, summary, PLAN)
    effects = study_effects(studies, summary, pooled, PLAN)
    figure = forest_plot(studies, summary, pooled, effects, PLAN.primary)
    figure.savefig(tmp_path / "forest.png")  # mathtext would raise here
    labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
    assert any("Smith$\\undefinedmacro{x}$" in text for text in labels)
    drawn = evidence_map(studies, PLAN)
    drawn.savefig(tmp_path / "map.png")
    rows = [t.get_text() for t in drawn.axes[0].get_yticklabels()]
    assert "alopecia <U+202E>areata" in rows and not any(RLO in row for row in rows)


def test_an_override_in_the_protocol_is_shown_in_the_report(config, tmp_path):
    hostile = copy.deepcopy(config)
    hostile["review"]["question"] = f"Does it {RLO}work?"
    html = render(hostile, artifacts(tmp_path, ["alice", "alice"], None))
    assert "Does it &lt;U+202E&gt;work?" in html and RLO not in html


def test_utf16_without_a_byte_order_mark_is_read_and_binary_data_is_still_refused(tmp_path):
    text = "TY  - JOUR\nTI  - Caf\u00e9 trial\nPY  - 2020\nER  - \n"
    for encoding in ("utf-16-le", "utf-16-be"):
        export = tmp_path / f"{encoding}.ris"
        export.write_bytes(text.encode(encoding))
        (record,) = import_file(export).records.to_pylist()
        assert record["title"] == "Caf\u00e9 trial", encoding
    binary = tmp_path / "image.ris"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(300) + bytes(range(256)) * 4)
    with pytest.raises(PrismaflowError) as error:
        import_file(binary)
    assert "is a binary file" in str(error.value) and str(binary) in str(error.value)
