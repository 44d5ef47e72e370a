"""The evidence table: one row per included study, in the protocol's group order, each value
as extracted, with whether a person or the machine set it."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from prismaflow.extract.sheet import citation
from prismaflow.synthesise.groups import UNCLASSIFIED, ordered_groups

EVIDENCE_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("citation", pa.string()),
        ("year", pa.int32()),
        ("doi", pa.string()),
        ("pmid", pa.string()),
        ("condition_group", pa.string()),
        ("condition", pa.string()),
        ("study_design", pa.string()),
        ("n_patients", pa.int64()),
        ("formulation", pa.string()),
        ("concentration", pa.float64()),
        ("regimen", pa.string()),
        ("duration_weeks", pa.float64()),
        ("response", pa.string()),
        ("n_responders", pa.int64()),
        ("adverse_events", pa.string()),
        ("machine_fields", pa.list_(pa.string())),  # fields whose value no person has checked
    ]
)
SHOWN = [name for name in EVIDENCE_SCHEMA.names if name not in ("record_id", "machine_fields")]


def evidence_table(studies: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    order = {group: rank for rank, group in enumerate(ordered_groups(studies, groups))}
    value_fields = [c for c in EVIDENCE_SCHEMA.names if f"{c}_by" in studies.columns]
    rows = []
    for _, study in studies.iterrows():
        row = {name: study.get(name) for name in EVIDENCE_SCHEMA.names if name in studies}
        row["citation"] = citation(study)
        row["machine_fields"] = [f for f in value_fields if study[f"{f}_by"] == "machine"]
        rows.append(row)
    table = pd.DataFrame(rows, columns=EVIDENCE_SCHEMA.names)
    rank = table["condition_group"].fillna(UNCLASSIFIED).map(order)
    return (
        table.assign(_rank=rank)
        .sort_values(["_rank", "condition", "year"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
