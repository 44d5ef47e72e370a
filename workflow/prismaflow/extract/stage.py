"""Stage 04 as data: one row per included study, each protocol field with its value, where
the value came from (a reviewer's sheet and line, or the record's field and span), who set it
and how far to trust it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.extract.fields import FieldSpec, typed_text
from prismaflow.extract.patterns import EMPTY
from prismaflow.extract.prefill import Prefiller
from prismaflow.extract.reviewers import ReviewerSheets, settled_values
from prismaflow.records import present
from prismaflow.vocabulary import included_ids

MACHINE = "machine"
# What the machine read for each field of each study it pre-filled, kept whatever reviewers
# later wrote: the trail that shows a corrected value beside the machine's.
MACHINE_VALUES_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("field", pa.string()),
        ("value", pa.string()),  # as a reviewer would type it
        ("source", pa.string()),
        ("confidence", pa.float64()),
    ]
)
STUDY_COLUMNS = [
    ("record_id", pa.string()),
    ("first_author", pa.string()),
    ("year", pa.int32()),
    ("title", pa.string()),
    ("journal", pa.string()),
    ("doi", pa.string()),
    ("pmid", pa.string()),
    # The published version whose extraction this study carries (a living review's update).
    ("previous_version", pa.string()),
]


def studies_schema(fields: Sequence[FieldSpec]) -> pa.Schema:
    """The study columns, then per field: value, `_source`, `_by` and `_confidence`."""
    return pa.schema(
        STUDY_COLUMNS
        + [
            column
            for spec in fields
            for column in (
                (spec.name, spec.arrow_type),
                (f"{spec.name}_source", pa.string()),
                (f"{spec.name}_by", pa.string()),  # "machine", a reviewer id, or "adjudication"
                (f"{spec.name}_confidence", pa.float64()),
            )
        ]
    )


def _study(record: Mapping[str, Any]) -> dict[str, Any]:
    authors = record.get("authors")
    return {
        "record_id": record["record_id"],
        "first_author": authors[0] if authors is not None and len(authors) else None,
        "year": record.get("year"),
        "title": record.get("title"),
        "journal": record.get("journal"),
        "doi": record.get("doi"),
        "pmid": record.get("pmid"),
    }


def _published(study: Mapping[str, Any], spec: FieldSpec) -> tuple[Any, ...]:
    """A field as the published version extracted it: value, source, by, confidence."""
    suffixes = ("", "_source", "_by", "_confidence")
    return tuple(present(study[f"{spec.name}{suffix}"]) for suffix in suffixes)


def extract(
    records: pd.DataFrame,
    decisions: pd.DataFrame,
    extraction: Mapping[str, Any],
    fields: Sequence[FieldSpec],
    sheets: ReviewerSheets,
    previous: tuple[str, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(studies, disagreements, machine values). A reviewer's value replaces the machine's
    field by field; an open disagreement between reviewers leaves the field empty, for the
    gate to name.

    `previous` is a published version (its name and studies): a study it extracted keeps those
    values, reviewers' sheets still override them, and only new studies are pre-filled."""
    prefiller = Prefiller.from_config(extraction)
    settled, disagreements = settled_values(sheets)
    included = records.set_index("record_id", drop=False).loc[included_ids(decisions)]
    version, published = previous or (None, pd.DataFrame(columns=["record_id"]))
    earlier = published.set_index("record_id").to_dict("index")
    rows, machine_rows = [], []
    for record in included.to_dict("records"):
        study = earlier.get(record["record_id"])
        machine = {} if study else prefiller(record)
        machine_rows += [
            {
                "record_id": record["record_id"],
                "field": name,
                "value": typed_text(found.value),
                "source": found.source,
                "confidence": found.confidence,
            }
            for name, found in machine.items()
            if found.source
        ]
        row = _study(record) | {"previous_version": version if study else None}
        for spec in fields:
            reviewed = settled.get((record["record_id"], spec.name))
            if reviewed is not None:
                value, source, by = reviewed.value, reviewed.source, reviewed.by
                confidence = 1.0 if reviewed.by else None
            elif study:
                value, source, by, confidence = _published(study, spec)
            else:
                found = machine.get(spec.name, EMPTY)
                value, source, confidence = found.value, found.source, found.confidence
                by = MACHINE if found.source else None
            row |= {
                spec.name: value,
                f"{spec.name}_source": source,
                f"{spec.name}_by": by,
                f"{spec.name}_confidence": confidence,
            }
        rows.append(row)
    studies = pd.DataFrame(rows, columns=studies_schema(fields).names)
    machine_values = pd.DataFrame(machine_rows, columns=MACHINE_VALUES_SCHEMA.names)
    return studies, disagreements, machine_values
