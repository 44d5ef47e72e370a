"""Per group of the protocol's plan: studies, participants, what describes them, the outcome's
counts, and a random-effects estimate where enough studies report them.

Which studies may be pooled is the protocol's (synthesis.pooling): a study that reports no
counts, whose design is described only (case reports, by default) or that has too few
participants is left out, and listed with the reason. A group with fewer poolable studies than
the plan needs is described, and the summary says why.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.effects import wilson_interval
from prismaflow.synthesise.plan import Plan
from prismaflow.synthesise.pooling import pool

DESCRIBED = pa.struct([("field", pa.string()), ("values", pa.list_(pa.string()))])
LEFT_OUT = pa.struct([("record_id", pa.string()), ("reason", pa.string())])
GROUPS_SCHEMA = pa.schema(
    [
        ("group", pa.string()),
        ("studies", pa.int64()),
        ("participants", pa.int64()),
        ("described", pa.list_(DESCRIBED)),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("studies_with_data", pa.int64()),
        ("studies_pooled", pa.int64()),
        ("left_out", pa.list_(LEFT_OUT)),
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
        ("pi_low", pa.float64()),  # 95% prediction interval, on the reader's scale
        ("pi_high", pa.float64()),
        ("hartung_knapp", pa.bool_()),
        ("primary", pa.bool_()),  # the protocol's estimator (synthesis.pooling.method)
    ]
)


def left_out(plan: Plan, members: pd.DataFrame) -> list[dict[str, str]]:
    """Each study of a group that its analysis leaves out, with the reason."""
    outcome, found = plan.outcome, []
    participants = outcome.participants(members)
    counted = set(outcome.with_data(members).index)
    for index, study in members.iterrows():
        if index not in counted:
            reason = f"reports no {' / '.join(outcome.data_fields)}"
        else:
            known = participants[index]
            reason = plan.pooling.left_out(study, None if pd.isna(known) else float(known))
        if reason:
            found.append({"record_id": study["record_id"], "reason": reason})
    return found


def poolable(
    plan: Plan, members: pd.DataFrame, excluded: list[dict[str, str]] | None = None
) -> pd.DataFrame:
    """The studies an analysis pools: the group's members but those `left_out` names."""
    names = {entry["record_id"] for entry in excluded or left_out(plan, members)}
    return members[~members["record_id"].isin(names)]


def _not_pooled_because(plan: Plan, members: pd.DataFrame, pooled: pd.DataFrame) -> str | None:
    if members.empty:
        return "no included study"
    if len(pooled) >= plan.min_studies:
        return None
    return (
        f"{len(pooled)} of {len(members)} studies can be pooled; pooling needs at least "
        f"{plan.min_studies}"
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
        excluded = left_out(plan, members)
        pooled_studies = poolable(plan, members, excluded)
        reason = _not_pooled_because(plan, members, pooled_studies)
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
                "studies_pooled": len(pooled_studies) if reason is None else 0,
                "left_out": excluded,
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


def shown_estimates(estimates: pd.DataFrame) -> pd.DataFrame:
    """The protocol's estimator, and another only where it differs at the precision shown:
    DerSimonian-Laird and REML often agree, and two identical rows read as a duplicate."""
    primary = estimates[estimates["primary"]]
    if primary.empty:
        return estimates
    shown = primary.iloc[0][["estimate", "ci_low", "ci_high"]].astype(float).round(2).tolist()
    differs = estimates.apply(
        lambda row: row[["estimate", "ci_low", "ci_high"]].astype(float).round(2).tolist() != shown,
        axis=1,
    )
    return estimates[estimates["primary"] | differs]


def estimator(row: Any) -> str:
    """An estimator's name as the report and figures print it."""
    return f"{row['method']}{' (HKSJ)' if row['hartung_knapp'] else ''}"


def pooled_estimates(studies: pd.DataFrame, summary: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """DL and REML rows for each group the summary marks as pooled, on the reader's scale."""
    measure, rows = plan.outcome.measure, []
    for group in summary.loc[summary["pooled"], "group"]:
        y, v = plan.outcome.effects(poolable(plan, plan.members(studies, group)))
        for estimate in pool(y, v, plan.pooling.hartung_knapp):
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
                    "pi_low": float(measure.back(estimate.pi_low)),
                    "pi_high": float(measure.back(estimate.pi_high)),
                    "hartung_knapp": estimate.hartung_knapp,
                    "primary": estimate.method == plan.pooling.method,
                }
            )
    return pd.DataFrame(rows, columns=POOLED_SCHEMA.names)
