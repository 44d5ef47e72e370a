"""Gate of stage 04: one row per included study, values within the protocol's categories."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe

from prismaflow.extract.stage import included_ids
from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, invariant
from prismaflow.quality.gx_runner import Suite, run_suites


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    studies = read_frame(inputs["studies"])
    decisions = read_frame(inputs["decisions"])
    found = run_suites(
        [
            Suite(
                "studies",
                studies,
                [
                    gxe.ExpectColumnValuesToBeUnique(column="record_id"),
                    gxe.ExpectColumnValuesToBeInSet(
                        column="condition_group", value_set=params["groups"]
                    ),
                    gxe.ExpectColumnValuesToBeInSet(
                        column="study_design", value_set=params["designs"]
                    ),
                    gxe.ExpectColumnValuesToBeBetween(
                        column="condition_group_confidence", min_value=0, max_value=1
                    ),
                ],
            ),
        ]
    )
    filled_without_source = [
        f"{r}:{field}"
        for field in ("condition", "condition_group", "study_design")
        for r in studies.loc[
            studies[field].notna() & studies[f"{field}_source"].isna(), "record_id"
        ]
    ]
    return [
        *found,
        invariant(
            "studies",
            "one_row_per_included_study",
            set(included_ids(decisions)) ^ set(studies["record_id"]),
        ),
        invariant("studies", "every_value_has_a_source", filled_without_source),
    ]
