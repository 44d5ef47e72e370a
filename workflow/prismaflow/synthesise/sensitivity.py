"""Sensitivity analyses of every pooled group: each study left out in turn (metafor's
leave1out), and those the protocol names (synthesis.analyses[].sensitivity), such as the
studies at high risk of bias set aside. Each is the protocol's estimator refitted on fewer
studies, kept as data beside the main result it tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.groups import ESTIMATE_COLUMNS, estimate_row, pooled_groups
from prismaflow.synthesise.plan import LEAVE_ONE_OUT, Analysis, Plan
from prismaflow.synthesise.pooling import pool

SENSITIVITY_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("sensitivity", pa.string()),  # leave_one_out, or the protocol's id for it
        ("label", pa.string()),
        ("omitted", pa.list_(pa.string())),  # the pooled studies it sets aside
        ("method", pa.string()),
        *ESTIMATE_COLUMNS,
        ("hartung_knapp", pa.bool_()),
        ("not_pooled_because", pa.string()),
    ]
)


def _refit(
    analysis: Analysis, group: str, kept: pd.DataFrame, omitted: list[str], what: tuple[str, str]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "analysis": analysis.id,
        "group": group,
        "sensitivity": what[0],
        "label": what[1],
        "omitted": omitted,
        "method": analysis.pooling.method,
        "hartung_knapp": analysis.pooling.hartung_knapp,
        "not_pooled_because": None,
    }
    if len(kept) < analysis.min_studies:
        row["not_pooled_because"] = (
            f"{len(kept)} studies remain; pooling needs at least {analysis.min_studies}"
        )
        return row
    y, v = analysis.outcome.effects(kept)
    (fit,) = [
        e for e in pool(y, v, analysis.pooling.hartung_knapp) if e.method == analysis.pooling.method
    ]
    return {**row, **estimate_row(analysis, fit, kept)}


def sensitivity_analyses(
    studies: pd.DataFrame,
    summary: pd.DataFrame,
    plan: Plan,
    overall_bias: Mapping[str, Any],
) -> pd.DataFrame:
    """Per pooled group: leave-one-out (three or more studies), then each of the protocol's."""
    rows = []
    for analysis, group, members in pooled_groups(studies, summary, plan):
        if len(members) >= 3:
            for record in members["record_id"]:
                kept = members[members["record_id"] != record]
                label = f"without {record}"
                rows.append(_refit(analysis, group, kept, [record], (LEAVE_ONE_OUT, label)))
        for planned in analysis.sensitivity:
            dropped = planned.excluded(members, overall_bias)
            omitted = sorted(members.loc[dropped, "record_id"])
            rows.append(
                _refit(analysis, group, members[~dropped], omitted, (planned.id, planned.label))
            )
    return pd.DataFrame(rows, columns=SENSITIVITY_SCHEMA.names)
