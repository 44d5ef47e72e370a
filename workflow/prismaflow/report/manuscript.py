"""The tables a manuscript needs, as an editable Word document: characteristics of included
studies, results of the syntheses, risk of bias, the summary of findings with the certainty of
evidence, full texts excluded with reasons and the references. Every cell comes from the same
artifacts and the same layout code as the report, read through the checks that refuse a
tampered or stale table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import docx
import pandas as pd
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt

from prismaflow import catalog
from prismaflow.parquet_io import read_frame
from prismaflow.report.build import (
    bias_context,
    evidence_rows,
    group_rows,
    summary_of_findings_rows,
)
from prismaflow.report.references import full_text_exclusions, reference_list
from prismaflow.synthesise.evidence import shown_columns
from prismaflow.synthesise.plan import Plan

Frames = Mapping[str, pd.DataFrame]
ARTIFACTS = (
    "evidence",
    "groups",
    "pooled",
    "risk_of_bias",
    "certainty",
    "studies",
    "records",
    "decisions",
)


def _table(document: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)


def manuscript(config: Mapping[str, Any], results: Path) -> Any:
    """The document, built from a finished run's artifacts: a table after another."""
    frames = {name: read_frame(catalog.under(results, name)) for name in ARTIFACTS}
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    document.styles["Normal"].font.size = Pt(8)
    document.add_heading(config["review"]["title"], level=1)
    for table in (characteristics, results_tables, risk_of_bias, findings, exclusions):
        table(document, frames, config)
    document.add_heading("References of included studies", level=2)
    for number, reference in enumerate(
        reference_list(frames["records"], frames["studies"]["record_id"]), start=1
    ):
        document.add_paragraph(f"{number}. {reference['citation']}")
    return document


def characteristics(document: Any, frames: Frames, config: Mapping[str, Any]) -> None:
    document.add_heading("Table 1. Characteristics of included studies", level=2)
    columns = shown_columns(frames["evidence"])
    rows = evidence_rows(frames["evidence"])
    _table(
        document,
        [c.replace("_", " ") for c in columns],
        [
            [f"{v}*" if c in row["machine"] and v not in (None, "") else v for c, v in row["cells"]]
            for row in rows
        ],
    )
    if any(row["machine"] for row in rows):
        document.add_paragraph(
            "* pre-filled by the machine from the record's text, not checked by a reviewer."
        )


def results_tables(document: Any, frames: Frames, config: Mapping[str, Any]) -> None:
    """One table per planned analysis: its groups, estimates and the studies left out."""
    plan = Plan.from_config(config["synthesis"])
    for number, analysis in enumerate(plan.analyses, start=1):
        document.add_heading(
            f"Table 2.{number}. Results: {analysis.title}, {analysis.outcome.effect_label}",
            level=2,
        )
        rows = []
        for row in group_rows(frames["groups"], frames["pooled"], analysis):
            estimates = "; ".join(
                f"{e['name']} {e['text']}, prediction {e['prediction']}, I² {e['i2']:.0%}, "
                f"τ² {e['tau2']:.4f}, k = {e['studies']}"
                for e in row["estimates"]
            )
            left_out = "; ".join(f"{s['record_id']}: {s['reason']}" for s in row["left_out"])
            rows.append(
                [
                    row["group"],
                    row["studies"],
                    row["participants"],
                    estimates or f"Not pooled: {row['not_pooled_because']}",
                    left_out,
                ]
            )
        _table(
            document,
            ["Group", "Studies", "Participants", "Random-effects estimate", "Not pooled"],
            rows,
        )


def risk_of_bias(document: Any, frames: Frames, config: Mapping[str, Any]) -> None:
    document.add_heading("Table 3. Risk of bias in included studies", level=2)
    bias = bias_context(config["risk_of_bias"], frames["risk_of_bias"], frames["studies"])
    if not bias["tools"]:
        document.add_paragraph("Not assessed: the protocol declares no risk-of-bias tool.")
    for tool in bias["tables"]:
        document.add_paragraph(tool["label"])
        _table(
            document,
            ["Study", *(d["id"] for d in tool["domains"]), "Overall", "Decided by"],
            [
                [
                    r["study"],
                    *(c["judgement"] for c in r["cells"]),
                    r["overall"]["judgement"]
                    + (f" ({r['overall']['items_met']})" if r["overall"]["items_met"] else ""),
                    r["overall"]["decided_by"],
                ]
                for r in tool["rows"]
            ],
        )
        document.add_paragraph("; ".join(f"{d['id']}: {d['question']}" for d in tool["domains"]))


def findings(document: Any, frames: Frames, config: Mapping[str, Any]) -> None:
    """The summary of findings, one row per outcome and pooled group, as GRADEpro lays it out."""
    document.add_heading("Table 4. Summary of findings and certainty of evidence (GRADE)", level=2)
    rows = summary_of_findings_rows(frames["certainty"])
    if not rows:
        document.add_paragraph("No group was pooled, so no synthesis is rated.")
        return
    _table(
        document,
        ["Outcome (group)", "Studies (participants)", "Effect (95% CI)", "Control arms"]
        + ["Absolute effect (95% CI)", "Starts"]
        + [d["domain"].capitalize() for d in rows[0]["domains"]]
        + ["Certainty"],
        [
            [
                f"{row['outcome']} ({row['group']})",
                f"{row['studies']} ({row['participants']})",
                row["effect"],
                row["assumed"],
                row["absolute"],
                row["start"],
                *(
                    f"{d['rating']}{'*' if d['machine'] else ''}: {d['why']}"
                    for d in row["domains"]
                ),
                row["certainty"],
            ]
            for row in rows
        ],
    )
    document.add_paragraph("* the machine's proposal, not yet confirmed by a reviewer.")


def exclusions(document: Any, frames: Frames, config: Mapping[str, Any]) -> None:
    document.add_heading("Table 5. Full texts excluded, with reasons", level=2)
    excluded = full_text_exclusions(frames["decisions"], frames["records"])
    _table(document, ["Report", "Reason"], [[e["citation"], e["reason"]] for e in excluded])


def write_manuscript(config: Mapping[str, Any], results: Path, out: Path) -> int:
    """Writes the document; returns the number of tables in it."""
    document = manuscript(config, results)
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(out)
    return len(document.tables)
