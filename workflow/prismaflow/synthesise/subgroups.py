"""The test for subgroup differences of a grouped analysis: do its pooled groups' estimates
differ more than chance allows? Q between the groups' random-effects estimates (each group
with its own tau²), on g - 1 degrees of freedom, as RevMan reports it."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.plan import Plan
from prismaflow.synthesise.pooling import between

SUBGROUPS_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("method", pa.string()),  # the protocol's estimator, whose group estimates are compared
        ("groups", pa.int64()),
        ("q_between", pa.float64()),
        ("df", pa.int64()),
        ("p_value", pa.float64()),
    ]
)


def subgroup_differences(pooled: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """One row per grouped analysis with two or more pooled groups."""
    rows = []
    for analysis in plan.analyses:
        mine = pooled[(pooled["analysis"] == analysis.id) & pooled["primary"]]
        if analysis.group_by is None or len(mine) < 2:
            continue
        found = between(mine["theta"].to_numpy(), mine["theta_se"].to_numpy())
        rows.append(
            {
                "analysis": analysis.id,
                "method": analysis.pooling.method,
                "groups": len(mine),
                "q_between": found.q,
                "df": found.df,
                "p_value": found.p_value,
            }
        )
    return pd.DataFrame(rows, columns=SUBGROUPS_SCHEMA.names)


def why_not_tested(pooled: pd.DataFrame, plan: Plan) -> dict[str, str]:
    """For each analysis the test does not cover, why, as the report states it."""
    said = {}
    for analysis in plan.analyses:
        mine = pooled[(pooled["analysis"] == analysis.id) & pooled["primary"]]
        if analysis.group_by is None:
            said[analysis.id] = "the analysis groups no studies"
        elif len(mine) < 2:
            said[analysis.id] = f"{len(mine)} group(s) pooled; the test compares two or more"
    return said
