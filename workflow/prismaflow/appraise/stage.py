"""The risk-of-bias stage as data: which included studies the protocol's tools assess, the
reviewers' sheets settled into one judgement per study and domain, and the sheet for the next
round of assessment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow.appraise.assessments import (
    COLUMNS,
    INFORMATION_COLUMNS,
    Sheets,
    settle,
    tool_of,
)
from prismaflow.appraise.judgements import ANSWERS, OVERALL
from prismaflow.config import DESIGN_FIELD
from prismaflow.spreadsheet import write_form_sheet


def designs(studies: pd.DataFrame) -> dict[str, Any]:
    """Each included study's design, as extraction settled it (None when it has none)."""
    if DESIGN_FIELD not in studies:
        return dict.fromkeys(studies["record_id"])
    return {
        row["record_id"]: row[DESIGN_FIELD] if isinstance(row[DESIGN_FIELD], str) else None
        for row in studies[["record_id", DESIGN_FIELD]].to_dict("records")
    }


def appraise(studies: pd.DataFrame, protocol: Mapping[str, Any], sheets: Sheets) -> pd.DataFrame:
    return settle(designs(studies), protocol["tools"], sheets, protocol["reviewers"])


def write_bias_sheet(
    studies: pd.DataFrame, tools: Mapping[str, str], citations: Mapping[str, str], path: Path
) -> None:
    """One row per study and domain (then overall) with the tool's question and the judgements
    it allows as a drop-down, each domain after its signalling questions where the tool has
    them. The judgements are left blank, never filled with another reviewer's: each reviewer
    assesses independently."""
    rows = []
    for record, design in sorted(designs(studies).items()):
        tool = tool_of(design, tools)
        if tool is None:
            continue
        study = {"record_id": record, "study": citations.get(record, record), "design": design}
        for domain in (*tool.domain_ids, OVERALL):
            rows += [
                study
                | {
                    "domain": question.id,
                    "tool": tool.name,
                    "question": question.text,
                    "allowed": ANSWERS,
                }
                for question in tool.questions.get(domain, ())
            ]
            rows.append(
                study
                | {
                    "domain": domain,
                    "tool": tool.name,
                    "question": tool.label_of(domain),
                    "allowed": tool.overall_judgements if domain == OVERALL else tool.judgements,
                }
            )
    header = (*COLUMNS[:2], *INFORMATION_COLUMNS, *COLUMNS[2:])
    widths = {"record_id": 22, "domain": 8, "study": 30, "design": 20, "question": 50}
    write_form_sheet(
        path, "risk_of_bias", header, rows, "judgement", {**widths, "allowed": 30, "support": 50}
    )
