"""Per condition group: studies, patients, designs, responders with a Wilson interval, and a
random-effects pooled proportion where at least two studies report counts.

Groups are reported in the protocol's order; groups the studies name but the protocol does not
list, and studies with no group, follow, so no study drops out of the synthesis.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.proportions import pool, wilson_interval

UNCLASSIFIED = "unclassified"
GROUPS_SCHEMA = pa.schema(
    [
        ("condition_group", pa.string()),
        ("studies", pa.int64()),
        ("patients", pa.int64()),
        ("conditions", pa.list_(pa.string())),
        ("designs", pa.list_(pa.string())),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("studies_with_counts", pa.int64()),
        ("responders", pa.int64()),
        ("patients_with_counts", pa.int64()),
        ("proportion", pa.float64()),
        ("wilson_low", pa.float64()),
        ("wilson_high", pa.float64()),
        ("pooled", pa.bool_()),
        ("not_pooled_because", pa.string()),
        ("record_ids", pa.list_(pa.string())),
    ]
)
POOLED_SCHEMA = pa.schema(
    [
        ("condition_group", pa.string()),
        ("method", pa.string()),
        ("studies", pa.int64()),
        ("proportion", pa.float64()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("tau2", pa.float64()),
        ("i2", pa.float64()),
        ("q", pa.float64()),
    ]
)
MIN_STUDIES_TO_POOL = 2


def with_counts(studies: pd.DataFrame) -> pd.DataFrame:
    """Studies that report both responders and patients, which a proportion needs."""
    return studies[studies["n_patients"].notna() & studies["n_responders"].notna()]


def ordered_groups(studies: pd.DataFrame, groups: Sequence[str]) -> list[str]:
    named = studies["condition_group"].fillna(UNCLASSIFIED)
    extra = sorted(set(named) - set(groups) - {UNCLASSIFIED})
    return [*groups, *extra, *([UNCLASSIFIED] if (named == UNCLASSIFIED).any() else [])]


def _not_pooled_because(members: pd.DataFrame, counted: pd.DataFrame) -> str | None:
    if members.empty:
        return "no included study"
    if len(counted) >= MIN_STUDIES_TO_POOL:
        return None
    designs = set(members["study_design"].dropna())
    if designs <= {"case report"}:
        return "case reports only: single patients are described, not pooled"
    return (
        f"{len(counted)} of {len(members)} studies report responders and patients; "
        f"pooling needs at least {MIN_STUDIES_TO_POOL}"
    )


def group_summary(studies: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """One row per configured group (zero rows included), then any other group named."""
    group_of = studies["condition_group"].fillna(UNCLASSIFIED)
    rows = []
    for group in ordered_groups(studies, groups):
        members = studies[group_of == group]
        counted = with_counts(members)
        years = members["year"].dropna()
        responders, patients = int(counted["n_responders"].sum()), int(counted["n_patients"].sum())
        low, high = wilson_interval(responders, patients) if patients else (None, None)
        reason = _not_pooled_because(members, counted)
        rows.append(
            {
                "condition_group": group,
                "studies": len(members),
                "patients": int(members["n_patients"].fillna(0).sum()),
                "conditions": sorted(members["condition"].dropna().unique()),
                "designs": sorted(members["study_design"].fillna("not classified").unique()),
                "first_year": int(years.min()) if len(years) else None,
                "last_year": int(years.max()) if len(years) else None,
                "studies_with_counts": len(counted),
                "responders": responders,
                "patients_with_counts": patients,
                "proportion": responders / patients if patients else None,
                "wilson_low": low,
                "wilson_high": high,
                "pooled": reason is None,
                "not_pooled_because": reason,
                "record_ids": sorted(members["record_id"]),
            }
        )
    return pd.DataFrame(rows, columns=GROUPS_SCHEMA.names)


def pooled_estimates(studies: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """DL and REML rows for each group the summary marks as pooled."""
    rows = []
    for group in summary.loc[summary["pooled"], "condition_group"]:
        counted = with_counts(studies[studies["condition_group"] == group])
        for estimate in pool(
            counted["n_responders"].astype(int).tolist(), counted["n_patients"].astype(int).tolist()
        ):
            rows.append({"condition_group": group, **estimate.__dict__})
    return pd.DataFrame(rows, columns=POOLED_SCHEMA.names)
