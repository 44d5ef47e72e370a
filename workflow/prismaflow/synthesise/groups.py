"""Per group of the protocol's plan: studies, participants, what describes them, the outcome's
counts, and a random-effects estimate where enough studies report them.

A group with fewer studies than the plan pools is described, and the summary says why.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.effects import wilson_interval
from prismaflow.synthesise.plan import DESCRIBED_ONLY, DESIGN_FIELD, Plan
from prismaflow.synthesise.pooling import pool

DESCRIBED = pa.struct([("field", pa.string()), ("values", pa.list_(pa.string()))])
GROUPS_SCHEMA = pa.schema(
    [
        ("group", pa.string()),
        ("studies", pa.int64()),
        ("participants", pa.int64()),
        ("described", pa.list_(DESCRIBED)),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("studies_with_data", pa.int64()),
        ("events", pa.int64()),
        ("total", pa.int64()),
        ("control_events", pa.int64()),
        ("control_total", pa.int64()),
        ("proportion", pa.float64()),  # single-arm outcomes: events / total of the group
        ("wilson_low", pa.float64()),
        ("wilson_high", pa.float64()),
        ("pooled", pa.bool_()),
        ("not_pooled_because", pa.string()),
        ("record_ids", pa.list_(pa.string())),
    ]
)
POOLED_SCHEMA = pa.schema(
    [
        ("group", pa.string()),
        ("measure", pa.string()),
        ("method", pa.string()),
        ("studies", pa.int64()),
        ("estimate", pa.float64()),  # on the reader's scale (a proportion, a ratio, a difference)
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("tau2", pa.float64()),  # on the pooling scale (logit, log ratio, difference)
        ("i2", pa.float64()),
        ("q", pa.float64()),
    ]
)


def _not_pooled_because(plan: Plan, members: pd.DataFrame, counted: pd.DataFrame) -> str | None:
    if members.empty:
        return "no included study"
    if len(counted) >= plan.min_studies:
        return None
    if DESIGN_FIELD in members and set(members[DESIGN_FIELD].dropna()) == {DESCRIBED_ONLY}:
        return "case reports only: single patients are described, not pooled"
    return (
        f"{len(counted)} of {len(members)} studies report {', '.join(plan.outcome.count_fields)}; "
        f"pooling needs at least {plan.min_studies}"
    )


def _sum(frame: pd.DataFrame, column: str | None) -> int | None:
    return int(frame[column].sum()) if column else None


def group_summary(studies: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """One row per group of the plan (empty protocol groups included), then any other named."""
    outcome, rows = plan.outcome, []
    for group in plan.ordered_groups(studies):
        members = plan.members(studies, group)
        counted = outcome.with_data(members)
        years = members["year"].dropna()
        events, total = _sum(counted, outcome.events), _sum(counted, outcome.total)
        single_arm = not outcome.measure.comparative and total
        low, high = wilson_interval(events, total) if single_arm else (None, None)
        reason = _not_pooled_because(plan, members, counted)
        participants = outcome.participants(members)
        rows.append(
            {
                "group": group,
                "studies": len(members),
                "participants": int(participants.sum()) if participants.notna().any() else None,
                "described": [
                    {"field": field, "values": sorted(members[field].dropna().astype(str).unique())}
                    for field in plan.describe_by
                ],
                "first_year": int(years.min()) if len(years) else None,
                "last_year": int(years.max()) if len(years) else None,
                "studies_with_data": len(counted),
                "events": events,
                "total": total,
                "control_events": _sum(
                    counted, outcome.control_events if outcome.measure.comparative else None
                ),
                "control_total": _sum(
                    counted, outcome.control_total if outcome.measure.comparative else None
                ),
                "proportion": events / total if single_arm else None,
                "wilson_low": low,
                "wilson_high": high,
                "pooled": reason is None,
                "not_pooled_because": reason,
                "record_ids": sorted(members["record_id"]),
            }
        )
    return pd.DataFrame(rows, columns=GROUPS_SCHEMA.names)


def pooled_estimates(studies: pd.DataFrame, summary: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """DL and REML rows for each group the summary marks as pooled, on the reader's scale."""
    measure, rows = plan.outcome.measure, []
    for group in summary.loc[summary["pooled"], "group"]:
        y, v = plan.outcome.effects(plan.members(studies, group))
        for estimate in pool(y, v):
            rows.append(
                {
                    "group": group,
                    "measure": measure.name,
                    "method": estimate.method,
                    "studies": estimate.studies,
                    "estimate": float(measure.back(estimate.estimate)),
                    "ci_low": float(measure.back(estimate.ci_low)),
                    "ci_high": float(measure.back(estimate.ci_high)),
                    "tau2": estimate.tau2,
                    "i2": estimate.i2,
                    "q": estimate.q,
                }
            )
    return pd.DataFrame(rows, columns=POOLED_SCHEMA.names)
