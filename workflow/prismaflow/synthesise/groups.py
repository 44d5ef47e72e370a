"""Studies per condition group, in the protocol's order; unclassified studies are kept visible."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

UNCLASSIFIED = "unclassified"
GROUPS_SCHEMA = pa.schema(
    [
        ("condition_group", pa.string()),
        ("studies", pa.int64()),
        ("conditions", pa.list_(pa.string())),
        ("designs", pa.list_(pa.string())),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("record_ids", pa.list_(pa.string())),
    ]
)


def group_summary(studies: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """One row per configured group (zero rows included) plus one for unclassified studies."""
    group_of = studies["condition_group"].fillna(UNCLASSIFIED)
    rows = []
    for group in [*groups, UNCLASSIFIED]:
        members = studies[group_of == group]
        if group == UNCLASSIFIED and members.empty:
            continue
        years = members["year"].dropna()
        rows.append(
            {
                "condition_group": group,
                "studies": len(members),
                "conditions": sorted(members["condition"].dropna().unique()),
                "designs": sorted(members["study_design"].fillna("not classified").unique()),
                "first_year": int(years.min()) if len(years) else None,
                "last_year": int(years.max()) if len(years) else None,
                "record_ids": sorted(members["record_id"]),
            }
        )
    return pd.DataFrame(rows, columns=GROUPS_SCHEMA.names)
