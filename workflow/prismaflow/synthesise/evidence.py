"""The evidence table: one row per included study, in the protocol's group order, each value
as extracted, with whether a person or the machine set it.

Its columns are the protocol's: the fields of its form that `synthesis.evidence_columns` names
(all of them, in the form's order, when it names none), after the study's citation. Rows follow
the plan: by the primary analysis's group, then by the first field groups are described by,
then by year.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from prismaflow.extract.fields import FieldSpec
from prismaflow.extract.sheet import citation
from prismaflow.synthesise.plan import Plan

CITATION_COLUMNS = [
    ("record_id", pa.string()),
    ("citation", pa.string()),
    ("year", pa.int32()),
    ("doi", pa.string()),
    ("pmid", pa.string()),
]
MACHINE_FIELDS = "machine_fields"  # fields whose value no person has checked
HIDDEN = ("record_id", MACHINE_FIELDS)


def evidence_fields(fields: Sequence[FieldSpec], columns: Sequence[str]) -> list[FieldSpec]:
    """The form's fields the table shows: those the protocol lists, in its order, or all."""
    by_name = {spec.name: spec for spec in fields}
    return [by_name[name] for name in columns] if columns else list(fields)


def evidence_schema(fields: Sequence[FieldSpec]) -> pa.Schema:
    return pa.schema(
        CITATION_COLUMNS
        + [(spec.name, spec.arrow_type) for spec in fields]
        + [(MACHINE_FIELDS, pa.list_(pa.string()))]
    )


def shown_columns(evidence: pd.DataFrame) -> list[str]:
    """What a reader sees of the table, in its order."""
    return [c for c in evidence.columns if c not in HIDDEN]


def evidence_table(studies: pd.DataFrame, plan: Plan, fields: Sequence[FieldSpec]) -> pd.DataFrame:
    names = evidence_schema(fields).names
    rows = []
    for _, study in studies.iterrows():
        row = {name: study.get(name) for name in names if name in studies}
        row["citation"] = citation(study)
        row[MACHINE_FIELDS] = [s.name for s in fields if study.get(f"{s.name}_by") == "machine"]
        rows.append(row)
    table = pd.DataFrame(rows, columns=names)
    primary = plan.primary  # rows follow the primary analysis's groups
    order = {group: rank for rank, group in enumerate(primary.ordered_groups(studies))}
    within = plan.describe_by[0] if plan.describe_by else "year"
    keys = pd.DataFrame(
        {
            "rank": primary.group_of(studies).map(order).to_numpy(),
            "within": studies[within].to_numpy(),
            "year": studies["year"].to_numpy(),
        }
    )
    ranked = keys.sort_values(["rank", "within", "year"], kind="stable").index
    return table.iloc[ranked].reset_index(drop=True)
