"""Reviewers' decision sheets: read, checked against the protocol, resolved to canonical records."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from prismaflow.config import SCHEMA_DIR, load_yaml
from prismaflow.errors import InputFileError
from prismaflow.identifiers import resolve_record
from prismaflow.sheets import read_rows
from prismaflow.vocabulary import EXCLUDE, FULL_TEXT, NOT_RETRIEVED

ROW_SCHEMA = SCHEMA_DIR / "decisions.schema.yaml"
COLUMNS = ("record", "decision", "reason", "note", "timestamp")
# Columns of the worklist (screen.worklist) a filled copy may keep: information, not decisions.
INFORMATION = ("rank", "phase", "score", "why", "title", "abstract", "year", "journal")


@dataclass(frozen=True)
class ReviewerDecision:
    record_id: str
    phase: str
    reviewer: str
    decision: str
    reason: str | None
    note: str | None
    timestamp: str | None
    origin: str


@functools.cache
def _row_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_yaml(ROW_SCHEMA))


def read_sheet(
    path: Path, phase: str, reasons: Mapping[str, Mapping[str, str]], index: Mapping[str, str]
) -> list[ReviewerDecision]:
    """One reviewer's decisions for one phase; the reviewer id is the file's name."""
    validator = _row_validator()
    reviewer = path.stem
    phase_reasons = {code for code, spec in reasons.items() if spec["phase"] in (phase, "both")}
    decided: dict[str, int] = {}
    decisions = []
    for line, cells in read_rows(path, ("record", "decision"), COLUMNS + INFORMATION, phase):
        if cells.get("phase", phase) != phase:
            raise InputFileError(
                path,
                f"a row of phase {cells['phase']!r} in the {phase} folder",
                line=line,
                fix=f"save that phase's worklist sheet in config/decisions/{cells['phase']}/",
            )
        row = {k: v for k, v in cells.items() if k in COLUMNS}
        if "decision" not in row:
            if set(row) - {"record"}:
                raise InputFileError(
                    path,
                    "a reason, note or time without a decision",
                    line=line,
                    fix="add the decision, or clear the row",
                )
            continue  # a worklist row not decided yet
        for error in validator.iter_errors(row):
            where = ".".join(map(str, error.absolute_path)) or "row"
            raise InputFileError(path, f"column {where}: {error.message}", line=line)
        if row["decision"] == EXCLUDE and "reason" not in row:
            raise InputFileError(
                path,
                "an exclusion needs a reason code",
                line=line,
                fix=f"one of {sorted(phase_reasons)}",
            )
        if "reason" in row and row["reason"] not in phase_reasons:
            raise InputFileError(
                path,
                f"unknown reason code {row['reason']!r} for phase {phase}",
                line=line,
                fix=f"one of {sorted(phase_reasons)}",
            )
        if row["decision"] == NOT_RETRIEVED and phase != FULL_TEXT:
            raise InputFileError(path, "not_retrieved is a full-text decision", line=line)
        record_id = resolve_record(row["record"], index)
        if record_id is None:
            raise InputFileError(
                path,
                f"unknown record {row['record']!r}",
                line=line,
                fix="use a record id, DOI or PMID from results/02_dedupe",
            )
        if record_id in decided:
            raise InputFileError(
                path,
                f"{reviewer} decided record {record_id} twice (also on line {decided[record_id]})",
                line=line,
                fix="keep one decision per record",
            )
        decided[record_id] = line
        decisions.append(
            ReviewerDecision(
                record_id,
                phase,
                reviewer,
                row["decision"],
                row.get("reason"),
                row.get("note"),
                row.get("timestamp"),
                f"{path}:{line}",
            )
        )
    return decisions


def read_sheets(
    paths: Sequence[str | Path],
    reasons: Mapping[str, Mapping[str, str]],
    index: Mapping[str, str],
) -> list[ReviewerDecision]:
    """All sheets under config/decisions/<phase>/; the phase is the folder's name."""
    decisions = []
    for path in map(Path, paths):
        decisions.extend(read_sheet(path, path.parent.name, reasons, index))
    return decisions
