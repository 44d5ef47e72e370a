"""Gate of stage 06: the PRISMA 2020 identities hold, every included study is in one group and
one evidence row, counts add up, every pooled estimate lies inside its interval, and every
pooled group's certainty of evidence is rated, with reviewers' changes explained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe
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


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    counts = read_frame(inputs["prisma"])
    groups = read_frame(inputs["groups"])
    studies = read_frame(inputs["studies"])
    pooled = read_frame(inputs["pooled"])
    evidence = read_frame(inputs["evidence"])
    pooled["estimate_id"] = pooled["group"] + ":" + pooled["method"]
    counts["box_key"] = counts["box"] + ":" + counts["reason"].fillna(counts["source"].fillna(""))
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
                    gxe.ExpectColumnValuesToBeUnique(column="group"),
                    gxe.ExpectColumnValuesToBeBetween(
                        column="proportion", min_value=0, max_value=1
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="total", column_B="events", or_equal=True
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="control_total", column_B="control_events", or_equal=True
                    ),
                ],
                id_column="group",
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
    grouped = [r for ids in groups["record_ids"] for r in ids]
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
        invariant(
            "pooled",
            "pooled_proportions_are_proportions",
            set(pooled.loc[_outside_unit_interval(pooled), "estimate_id"]),
        ),
        invariant(
            "pooled",
            "pooled_exactly_where_the_summary_says",
            set(groups.loc[groups["pooled"], "group"]) ^ set(pooled["group"]),
        ),
        invariant(
            "groups",
            "every_study_in_exactly_one_group",
            set(studies["record_id"]) ^ set(grouped) | {r for r in grouped if grouped.count(r) > 1},
        ),
        *certainty_checks(
            read_frame(inputs["certainty"]),
            read_frame(inputs["certainty_problems"]),
            set(pooled["group"]),
        ),
    ]


def certainty_checks(
    sof: pd.DataFrame, problems: pd.DataFrame, pooled_groups: set[str]
) -> list[Check]:
    rated = {(r.group, r.domain) for r in sof.itertuples()}
    missing = [
        f"{group} {domain}"
        for group in sorted(pooled_groups)
        for domain in (*DOMAINS, OVERALL)
        if (group, domain) not in rated
    ]
    open_ratings = sof[sof["status"] != "settled"]
    return [
        invariant("certainty", "every_pooled_group_is_rated_in_every_domain", missing),
        invariant(
            "certainty",
            "reviewers_ratings_agree_or_are_adjudicated",
            [f"{r.group} {r.domain}" for r in open_ratings.itertuples()],
        ),
        invariant("certainty", "a_changed_rating_gives_a_reason", unexplained_changes(sof)),
        invariant(
            "certainty_problems",
            "every_rating_row_is_read",
            [f"{p.file}, line {p.line}: {p.problem}" for p in problems.itertuples()],
        ),
    ]
