"""Stage 04 as data: included studies with pre-filled, sourced extraction fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.extract.prefill import ConditionVocabulary, Prefilled, study_design

FIELDS = ("condition", "condition_group", "study_design")
STUDIES_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("first_author", pa.string()),
        ("year", pa.int32()),
        ("title", pa.string()),
        ("journal", pa.string()),
        ("doi", pa.string()),
        ("pmid", pa.string()),
    ]
    + [
        (f"{field}{suffix}", kind)
        for field in FIELDS
        for suffix, kind in (
            ("", pa.string()),
            ("_source", pa.string()),
            ("_confidence", pa.float64()),
        )
    ]
)


def included_ids(decisions: pd.DataFrame) -> list[str]:
    final = decisions[(decisions["stage"] == "full_text") & (decisions["decision"] == "include")]
    return sorted(final["record_id"])


def _columns(field: str, value: Prefilled) -> dict[str, Any]:
    return {
        field: value.value,
        f"{field}_source": value.source,
        f"{field}_confidence": value.confidence,
    }


def extract(
    records: pd.DataFrame, decisions: pd.DataFrame, extraction: Mapping[str, Any]
) -> pd.DataFrame:
    vocabulary = ConditionVocabulary.from_config(extraction["conditions"])
    included = records.set_index("record_id", drop=False).loc[included_ids(decisions)]
    rows = []
    for record in included.to_dict("records"):
        condition, group = vocabulary.match(record)
        authors = record.get("authors")
        rows.append(
            {
                "record_id": record["record_id"],
                "first_author": authors[0] if authors is not None and len(authors) else None,
                "year": record.get("year"),
                "title": record.get("title"),
                "journal": record.get("journal"),
                "doi": record.get("doi"),
                "pmid": record.get("pmid"),
                **_columns("condition", condition),
                **_columns("condition_group", group),
                **_columns("study_design", study_design(record, extraction["designs"])),
            }
        )
    return pd.DataFrame(rows, columns=STUDIES_SCHEMA.names)
