"""Gate of stage 05: the PRISMA 2020 identities hold, every included study is in one group and
one evidence row, and every proportion and interval is a proportion and an interval."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe

from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, equal, invariant
from prismaflow.quality.gx_runner import Suite, run_suites
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
            n("identified") - n("duplicates_removed") - n("previously_screened"),
            n("screened"),
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
            "assessed_minus_excluded_equals_included",
            n("assessed") - n("reports_excluded") - n("awaiting_full_text"),
            n("included"),
        ),
        equal("prisma", "exclusion_reasons_sum_to_excluded", n("excluded_reason"), n("excluded")),
        equal(
            "prisma",
            "report_exclusion_reasons_sum_to_excluded",
            n("reports_excluded_reason"),
            n("reports_excluded"),
        ),
    ]


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    counts = read_frame(inputs["prisma"])
    groups = read_frame(inputs["groups"])
    studies = read_frame(inputs["studies"])
    pooled = read_frame(inputs["pooled"])
    evidence = read_frame(inputs["evidence"])
    pooled["estimate"] = pooled["condition_group"] + ":" + pooled["method"]
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
                    gxe.ExpectColumnValuesToBeUnique(column="condition_group"),
                    gxe.ExpectColumnValuesToBeBetween(
                        column="proportion", min_value=0, max_value=1
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="patients_with_counts", column_B="responders", or_equal=True
                    ),
                ],
                id_column="condition_group",
            ),
            Suite(
                "pooled",
                pooled,
                [
                    gxe.ExpectColumnValuesToBeBetween(
                        column="proportion", min_value=0, max_value=1
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="proportion", column_B="ci_low", or_equal=True
                    ),
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A="ci_high", column_B="proportion", or_equal=True
                    ),
                    gxe.ExpectColumnValuesToBeBetween(column="tau2", min_value=0),
                    gxe.ExpectColumnValuesToBeBetween(column="studies", min_value=2),
                ],
                id_column="estimate",
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
            "pooled_exactly_where_the_summary_says",
            set(groups.loc[groups["pooled"], "condition_group"]) ^ set(pooled["condition_group"]),
        ),
        invariant(
            "groups",
            "every_study_in_exactly_one_group",
            set(studies["record_id"]) ^ set(grouped) | {r for r in grouped if grouped.count(r) > 1},
        ),
    ]
