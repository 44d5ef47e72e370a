"""Gate of stage 06: the PRISMA 2020 identities hold, every included study is in one group of
each analysis and in one evidence row, counts add up where an analysis counts, every number
the synthesis computed is finite and in range (estimates inside their intervals, weights that
add up, I² a share, τ² and Q not negative), and every pooled group's certainty of evidence is
rated, with reviewers' changes explained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe
import numpy as np
import pandas as pd

from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, equal, invariant
from prismaflow.quality.gx_runner import Suite, run_suites
from prismaflow.synthesise.certainty import DOMAINS, OVERALL, unexplained_changes
from prismaflow.synthesise.prisma import count_of, studies_in_review


def prisma_identities(counts) -> list[Check]:
    def n(box: str) -> int:
        return count_of(counts, box)

    update = [
        equal(
            "prisma",
            "previous_minus_withdrawn_plus_new_equals_total",
            n("previous_included") - n("withdrawn") + n("included"),
            n("total_included"),
        )
    ]
    return [
        *(update if "total_included" in set(counts["box"]) else []),
        equal(
            "prisma",
            "identified_minus_removed_equals_screened",
            n("identified")
            - n("duplicates_removed")
            - n("previously_screened")
            - n("automation_removed"),
            n("screened"),
        ),
        equal(
            "prisma",
            "automation_reasons_sum_to_removed",
            n("automation_removed_reason"),
            n("automation_removed"),
        ),
        equal(
            "prisma",
            "screened_minus_excluded_equals_sought",
            n("screened") - n("excluded") - n("awaiting_screening"),
            n("sought"),
        ),
        equal(
            "prisma",
            "sought_minus_not_retrieved_equals_assessed",
            n("sought") - n("not_retrieved"),
            n("assessed"),
        ),
        equal(
            "prisma",
            "assessed_minus_excluded_equals_reports_of_included_studies",
            n("assessed") - n("reports_excluded") - n("awaiting_full_text"),
            n("included_reports"),
        ),
        Check(
            "prisma",
            "every_included_study_has_a_report",
            n("included_reports") >= n("included"),
            statistics={"reports": n("included_reports"), "studies": n("included")},
        ),
        equal("prisma", "exclusion_reasons_sum_to_excluded", n("excluded_reason"), n("excluded")),
        equal(
            "prisma",
            "report_exclusion_reasons_sum_to_excluded",
            n("reports_excluded_reason"),
            n("reports_excluded"),
        ),
    ]


def _outside_unit_interval(pooled: pd.DataFrame) -> pd.Series:
    """Pooled proportions (and their bounds) that are not proportions."""
    bounds = pooled[["estimate", "ci_low", "ci_high"]]
    inside = bounds.apply(lambda column: column.between(0, 1)).all(axis=1)
    return (pooled["measure"] == "proportion") & ~inside


# The numbers each table must hold as finite values, and in which of its rows (a sensitivity
# analysis that could not pool, a group too small for Egger's test, hold none).
FINITE = {
    "pooled": (
        [
            *("estimate", "ci_low", "ci_high", "theta", "theta_se", "tau2", "i2", "q"),
            *("q_p_value", "pi_low", "pi_high"),
        ],
        None,
    ),
    "study_effects": (["yi", "vi", "estimate", "ci_low", "ci_high", "weight"], None),
    "sensitivity": (
        ["estimate", "ci_low", "ci_high", "theta", "theta_se", "tau2", "i2", "q"],
        "not_pooled_because",
    ),
    "small_studies": (["intercept", "slope", "slope_se", "t", "p_value"], "not_tested_because"),
    "subgroups": (["q_between", "p_value"], None),
}
KEYS = {
    "pooled": ["analysis", "group", "method"],
    "study_effects": ["analysis", "group", "record_id"],
    "sensitivity": ["analysis", "group", "sensitivity", "label"],
    "small_studies": ["analysis", "group"],
    "subgroups": ["analysis"],
}


def row_names(frame: pd.DataFrame, table: str) -> pd.Series:
    """How a failure names a row: its analysis, group and what else makes it one."""
    rows = frame[KEYS[table]].itertuples(index=False)
    return pd.Series([" ".join(map(str, row)) for row in rows], index=frame.index, dtype=object)


def not_finite(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """'<table> <analysis> <group> … <column>=<value>' for every number that should be there
    and is NaN, infinite or missing."""
    found = []
    for table, (columns, excused_by) in FINITE.items():
        frame = frames[table]
        if excused_by:
            frame = frame[frame[excused_by].isna()]
        names = row_names(frame, table)
        for column in columns:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(float)
            for name, value in zip(
                names[~np.isfinite(values)], values[~np.isfinite(values)], strict=True
            ):
                found.append(f"{table} {name} {column}={value}")
    return found


def out_of_range(pooled: pd.DataFrame, effects: pd.DataFrame) -> list[str]:
    """Numbers that are finite but impossible: a share outside [0, 1], a negative variance or
    Q, a prediction interval narrower than the confidence interval, weights not adding up."""
    found = []
    names = row_names(pooled, "pooled")
    for column, low, high in (("i2", 0, 1), ("q_p_value", 0, 1), ("tau2", 0, None), ("q", 0, None)):
        values = pooled[column]
        bad = (values < low) | ((values > high) if high is not None else False)
        found += [f"pooled {n} {column}={v}" for n, v in zip(names[bad], values[bad], strict=True)]
    narrow = (pooled["pi_low"] > pooled["ci_low"] + 1e-9) | (
        pooled["pi_high"] < pooled["ci_high"] - 1e-9
    )
    found += [
        f"pooled {n}: prediction interval inside the confidence interval" for n in names[narrow]
    ]
    variance = effects["vi"] <= 0
    found += [
        f"study_effects {n} vi={v}"
        for n, v in zip(
            row_names(effects, "study_effects")[variance], effects["vi"][variance], strict=True
        )
    ]
    for (analysis, group), weights in effects.groupby(["analysis", "group"])["weight"]:
        if not (weights.between(0, 1).all() and abs(weights.sum() - 1) < 1e-6):
            found.append(f"study_effects {analysis} {group}: weights sum to {weights.sum()}")
    return found


def _grouping(analyses: list[Mapping[str, Any]], groups: pd.DataFrame, studies: pd.DataFrame):
    """Studies not in exactly one group of each analysis, named with the analysis."""
    found = []
    included = set(studies["record_id"])
    for analysis in (a["id"] for a in analyses):
        grouped = [
            r for ids in groups.loc[groups["analysis"] == analysis, "record_ids"] for r in ids
        ]
        twice = {r for r in grouped if grouped.count(r) > 1}
        found += [f"{analysis} {r}" for r in sorted((included ^ set(grouped)) | twice)]
    return found


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    counts = read_frame(inputs["prisma"])
    groups = read_frame(inputs["groups"])
    studies = read_frame(inputs["studies"])
    pooled = read_frame(inputs["pooled"])
    evidence = read_frame(inputs["evidence"])
    frames = {
        "pooled": pooled,
        **{name: read_frame(inputs[name]) for name in FINITE if name != "pooled"},
    }
    pooled["estimate_id"] = row_names(pooled, "pooled")
    groups["group_id"] = groups["analysis"] + " " + groups["group"]
    counts["box_key"] = counts["box"] + ":" + counts["reason"].fillna(counts["source"].fillna(""))
    arms = {"ignore_row_if": "either_value_is_missing", "or_equal": True}
    found = run_suites(
        [
            Suite(
                "prisma",
                counts,
                [
                    gxe.ExpectColumnValuesToBeBetween(column="count", min_value=0),
                    gxe.ExpectColumnValuesToBeUnique(column="box_key"),
                ],
                id_column="box_key",
            ),
            Suite(
                "groups",
                groups,
                [
                    gxe.ExpectColumnValuesToBeUnique(column="group_id"),
                    gxe.ExpectColumnValuesToBeBetween(
                        column="proportion", min_value=0, max_value=1
                    ),
                    # Events and totals where an analysis counts them (binary outcomes only).
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="total", column_B="events", **arms
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="control_total", column_B="control_events", **arms
                    ),
                ],
                id_column="group_id",
            ),
            Suite(
                "pooled",
                pooled,
                [
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="estimate", column_B="ci_low", or_equal=True
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="ci_high", column_B="estimate", or_equal=True
                    ),
                    gxe.ExpectColumnValuesToBeBetween(column="tau2", min_value=0),
                    gxe.ExpectColumnValuesToBeBetween(column="studies", min_value=2),
                ],
                id_column="estimate_id",
            ),
        ]
    )
    pooled_keys = set(zip(pooled["analysis"], pooled["group"], strict=True))
    marked = groups[groups["pooled"]]
    return [
        *found,
        *prisma_identities(counts),
        equal(
            "prisma",
            "included_equals_extracted_studies",
            studies_in_review(counts),
            len(studies),
        ),
        invariant(
            "evidence",
            "one_evidence_row_per_study",
            set(studies["record_id"]) ^ set(evidence["record_id"]),
        ),
        invariant("synthesis", "every_number_is_finite", not_finite(frames)),
        invariant(
            "synthesis", "every_number_is_in_range", out_of_range(pooled, frames["study_effects"])
        ),
        invariant(
            "pooled",
            "pooled_proportions_are_proportions",
            set(pooled.loc[_outside_unit_interval(pooled), "estimate_id"]),
        ),
        invariant(
            "pooled",
            "pooled_exactly_where_the_summary_says",
            {
                f"{a} {g}"
                for a, g in set(zip(marked["analysis"], marked["group"], strict=True)) ^ pooled_keys
            },
        ),
        invariant(
            "groups",
            "every_study_in_exactly_one_group_of_each_analysis",
            _grouping(params["analyses"], groups, studies),
        ),
        *certainty_checks(
            read_frame(inputs["certainty"]),
            read_frame(inputs["certainty_problems"]),
            pooled_keys,
        ),
    ]


def certainty_checks(
    sof: pd.DataFrame, problems: pd.DataFrame, pooled_groups: set[tuple[str, str]]
) -> list[Check]:
    rated = {(r.analysis, r.group, r.domain) for r in sof.itertuples()}
    missing = [
        f"{analysis} {group} {domain}"
        for analysis, group in sorted(pooled_groups)
        for domain in (*DOMAINS, OVERALL)
        if (analysis, group, domain) not in rated
    ]
    open_ratings = sof[sof["status"] != "settled"]
    return [
        invariant("certainty", "every_pooled_group_is_rated_in_every_domain", missing),
        invariant(
            "certainty",
            "reviewers_ratings_agree_or_are_adjudicated",
            [f"{r.analysis} {r.group} {r.domain}" for r in open_ratings.itertuples()],
        ),
        invariant("certainty", "a_changed_rating_gives_a_reason", unexplained_changes(sof)),
        invariant(
            "certainty_problems",
            "every_rating_row_is_read",
            [f"{p.file}, line {p.line}: {p.problem}" for p in problems.itertuples()],
        ),
    ]
