"""Gate of stage 03: one decision per record and stage, every exclusion with a known reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe

from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, invariant
from prismaflow.quality.gx_runner import Suite, run_suites

DECISIONS = ["include", "exclude", "maybe", "not_retrieved", "awaiting", "conflict"]


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    records = read_frame(inputs["records"])
    decisions = read_frame(inputs["decisions"])
    excluded = decisions[decisions["decision"] == "exclude"]
    found = run_suites(
        [
            Suite(
                "decisions",
                decisions,
                [
                    gxe.ExpectColumnValuesToBeInSet(
                        column="stage", value_set=["title_abstract", "full_text"]
                    ),
                    gxe.ExpectColumnValuesToBeInSet(column="decision", value_set=DECISIONS),
                    gxe.ExpectCompoundColumnsToBeUnique(column_list=["record_id", "stage"]),
                ],
            ),
            Suite(
                "exclusions",
                excluded,
                [
                    gxe.ExpectColumnValuesToNotBeNull(column="reason"),
                    gxe.ExpectColumnValuesToBeInSet(
                        column="reason", value_set=list(params["reasons"])
                    ),
                    gxe.ExpectColumnValuesToNotBeNull(column="decided_by"),
                ],
            ),
        ]
    )
    title_abstract = decisions[decisions["stage"] == "title_abstract"]
    full_text = decisions[decisions["stage"] == "full_text"]
    passed = title_abstract[title_abstract["decision"].isin(["include", "maybe"])]
    undecided = decisions[decisions["decision"].isin(["awaiting", "conflict"])]
    return [
        *found,
        invariant(
            "decisions",
            "every_record_screened_at_title_abstract",
            set(records["record_id"]) ^ set(title_abstract["record_id"]),
        ),
        invariant(
            "decisions",
            "full_text_exactly_for_reports_passed_on",
            set(passed["record_id"]) ^ set(full_text["record_id"]),
        ),
        invariant(
            "decisions",
            "no_record_awaits_a_reviewer",
            set(undecided["record_id"]),
            policy=params["completeness"],
        ),
    ]
