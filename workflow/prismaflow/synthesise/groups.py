"""Per analysis and group of the protocol's plan: studies, participants, what describes them,
the outcome's data, each study's effect, and a random-effects estimate where enough studies
report them.

Which studies may be pooled is the protocol's (synthesis.pooling, or the analysis's own): a
study that reports no data, whose effect cannot be computed, whose design is described only
(case reports, by default) or that has too few participants is left out, and listed with the
reason. A group with fewer poolable studies than the analysis needs is described, and the
summary says why.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.effects import wilson_interval
from prismaflow.synthesise.plan import Analysis, Plan
from prismaflow.synthesise.pooling import Pooled, pool

DESCRIBED = pa.struct([("field", pa.string()), ("values", pa.list_(pa.string()))])
LEFT_OUT = pa.struct([("record_id", pa.string()), ("reason", pa.string())])
GROUPS_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("studies", pa.int64()),
        ("participants", pa.int64()),
        ("described", pa.list_(DESCRIBED)),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("studies_with_data", pa.int64()),
        ("studies_pooled", pa.int64()),
        ("left_out", pa.list_(LEFT_OUT)),
        ("events", pa.int64()),  # binary outcomes: summed over the studies with data
        ("total", pa.int64()),
        ("control_events", pa.int64()),
        ("control_total", pa.int64()),
        ("proportion", pa.float64()),  # single-arm outcomes: events / total of the group
        ("wilson_low", pa.float64()),
        ("wilson_high", pa.float64()),
        ("control_mean", pa.float64()),  # continuous outcomes: the control arms' mean, weighted
        ("pooled", pa.bool_()),
        ("not_pooled_because", pa.string()),
        ("record_ids", pa.list_(pa.string())),
    ]
)
ESTIMATE_COLUMNS = [
    ("studies", pa.int64()),
    ("estimate", pa.float64()),  # on the reader's scale (a proportion, a ratio, a difference)
    ("ci_low", pa.float64()),
    ("ci_high", pa.float64()),
    ("theta", pa.float64()),  # on the pooling scale (logit, double arcsine, log ratio, ...)
    ("theta_se", pa.float64()),
    ("tau2", pa.float64()),  # on the pooling scale
    ("i2", pa.float64()),
    ("q", pa.float64()),
    ("q_p_value", pa.float64()),
    ("pi_low", pa.float64()),  # 95% prediction interval, on the reader's scale
    ("pi_high", pa.float64()),
]
POOLED_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("measure", pa.string()),
        ("method", pa.string()),
        *ESTIMATE_COLUMNS,
        ("hartung_knapp", pa.bool_()),
        ("primary", pa.bool_()),  # the protocol's estimator (pooling.method)
    ]
)
STUDY_EFFECTS_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("record_id", pa.string()),
        ("yi", pa.float64()),  # on the pooling scale
        ("vi", pa.float64()),
        ("estimate", pa.float64()),  # on the reader's scale, with its 95% interval
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("weight", pa.float64()),  # share of the protocol's estimator's weight, in [0, 1]
    ]
)


def left_out(analysis: Analysis, members: pd.DataFrame) -> list[dict[str, str]]:
    """Each study of a group that its analysis leaves out, with the reason."""
    outcome, found = analysis.outcome, []
    participants = outcome.participants(members)
    counted = set(outcome.with_data(members).index)
    unusable = outcome.unusable(members)
    for index, study in members.iterrows():
        if index not in counted:
            reason = f"reports no {' / '.join(outcome.data_fields)}"
        elif index in unusable:
            reason = unusable[index]
        else:
            known = participants[index]
            reason = analysis.pooling.left_out(study, None if pd.isna(known) else float(known))
        if reason:
            found.append({"record_id": study["record_id"], "reason": reason})
    return found


def poolable(
    analysis: Analysis, members: pd.DataFrame, excluded: list[dict[str, str]] | None = None
) -> pd.DataFrame:
    """The studies an analysis pools: the group's members but those `left_out` names."""
    names = {entry["record_id"] for entry in excluded or left_out(analysis, members)}
    return members[~members["record_id"].isin(names)]


def _not_pooled_because(
    analysis: Analysis, members: pd.DataFrame, pooled: pd.DataFrame
) -> str | None:
    if members.empty:
        return "no included study"
    if len(pooled) >= analysis.min_studies:
        return None
    return (
        f"{len(pooled)} of {len(members)} studies can be pooled; pooling needs at least "
        f"{analysis.min_studies}"
    )


def _sum(frame: pd.DataFrame, column: str | None) -> int | None:
    return int(frame[column].sum()) if column else None


def _arms(analysis: Analysis, counted: pd.DataFrame) -> dict[str, Any]:
    """The outcome's data over the group's studies: events and totals per arm (binary), the
    control arms' participant-weighted mean (continuous), the crude proportion (single arm)."""
    outcome = analysis.outcome
    field, kind = outcome.field, outcome.measure.kind
    arms: dict[str, Any] = {
        "events": _sum(counted, field("events")),
        "total": _sum(counted, field("total")),
        "control_events": _sum(counted, field("control_events")),
        "control_total": _sum(counted, field("control_total")),
        "control_mean": None,
        "proportion": None,
        "wilson_low": None,
        "wilson_high": None,
    }
    if kind == "continuous" and len(counted):
        weights = counted[field("control_total")].astype(float)
        arms["control_mean"] = float(np.average(counted[field("control_mean")], weights=weights))
    if not outcome.measure.comparative and arms["total"]:
        arms["proportion"] = arms["events"] / arms["total"]
        arms["wilson_low"], arms["wilson_high"] = wilson_interval(arms["events"], arms["total"])
    return arms


def group_summary(studies: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """One row per analysis and group (empty protocol groups included, then any other named)."""
    rows = []
    for analysis in plan.analyses:
        for group in analysis.ordered_groups(studies):
            members = analysis.members(studies, group)
            excluded = left_out(analysis, members)
            pooled_studies = poolable(analysis, members, excluded)
            unusable = set(analysis.outcome.unusable(members))
            counted = analysis.outcome.with_data(members).drop(index=list(unusable))
            years = members["year"].dropna()
            reason = _not_pooled_because(analysis, members, pooled_studies)
            participants = analysis.outcome.participants(members)
            rows.append(
                {
                    "analysis": analysis.id,
                    "group": group,
                    "studies": len(members),
                    "participants": int(participants.sum()) if participants.notna().any() else None,
                    "described": [
                        {
                            "field": field,
                            "values": sorted(members[field].dropna().astype(str).unique()),
                        }
                        for field in plan.describe_by
                    ],
                    "first_year": int(years.min()) if len(years) else None,
                    "last_year": int(years.max()) if len(years) else None,
                    "studies_with_data": len(counted),
                    "studies_pooled": len(pooled_studies) if reason is None else 0,
                    "left_out": excluded,
                    **_arms(analysis, counted),
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


def estimate_row(analysis: Analysis, estimate: Pooled, pooled: pd.DataFrame) -> dict[str, Any]:
    """A pooled estimate as a row: on the reader's scale, with its pooling-scale value."""
    total = analysis.outcome.field("total")
    totals = pooled[total].to_numpy(float) if total else None

    def back(y: float) -> float:
        return float(analysis.outcome.back(y, totals))

    return {
        "studies": estimate.studies,
        "estimate": back(estimate.estimate),
        "ci_low": back(estimate.ci_low),
        "ci_high": back(estimate.ci_high),
        "theta": estimate.estimate,
        "theta_se": estimate.se,
        "tau2": estimate.tau2,
        "i2": estimate.i2,
        "q": estimate.q,
        "q_p_value": estimate.q_p_value,
        "pi_low": back(estimate.pi_low),
        "pi_high": back(estimate.pi_high),
    }


def pooled_groups(
    studies: pd.DataFrame, summary: pd.DataFrame, plan: Plan
) -> list[tuple[Analysis, str, pd.DataFrame]]:
    """(analysis, group, the studies it pools) for every group the summary marks as pooled."""
    marked = summary[summary["pooled"]]
    return [
        (analysis, group, poolable(analysis, analysis.members(studies, group)))
        for analysis in plan.analyses
        for group in marked.loc[marked["analysis"] == analysis.id, "group"]
    ]


def pooled_estimates(studies: pd.DataFrame, summary: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """DL and REML rows for each group the summary marks as pooled."""
    rows = []
    for analysis, group, members in pooled_groups(studies, summary, plan):
        y, v = analysis.outcome.effects(members)
        for estimate in pool(y, v, analysis.pooling.hartung_knapp):
            rows.append(
                {
                    "analysis": analysis.id,
                    "group": group,
                    "measure": analysis.outcome.measure.name,
                    "method": estimate.method,
                    **estimate_row(analysis, estimate, members),
                    "hartung_knapp": estimate.hartung_knapp,
                    "primary": estimate.method == analysis.pooling.method,
                }
            )
    return pd.DataFrame(rows, columns=POOLED_SCHEMA.names)


def study_effects(
    studies: pd.DataFrame, summary: pd.DataFrame, pooled: pd.DataFrame, plan: Plan
) -> pd.DataFrame:
    """Each pooled study's effect, its interval and its weight under the protocol's estimator:
    what the forest plot draws, kept as data so that every drawn number can be checked."""
    rows = []
    for analysis, group, members in pooled_groups(studies, summary, plan):
        y, v = analysis.outcome.effects(members)
        shown = analysis.outcome.study_intervals(members)
        primary = pooled[
            (pooled["analysis"] == analysis.id) & (pooled["group"] == group) & pooled["primary"]
        ].iloc[0]
        weights = 1 / (v + primary["tau2"])
        for record, yi, vi, weight, bounds in zip(
            members["record_id"], y, v, weights / weights.sum(), shown.itertuples(), strict=True
        ):
            rows.append(
                {
                    "analysis": analysis.id,
                    "group": group,
                    "record_id": record,
                    "yi": float(yi),
                    "vi": float(vi),
                    "estimate": float(bounds.estimate),
                    "ci_low": float(bounds.ci_low),
                    "ci_high": float(bounds.ci_high),
                    "weight": float(weight),
                }
            )
    return pd.DataFrame(rows, columns=STUDY_EFFECTS_SCHEMA.names)
