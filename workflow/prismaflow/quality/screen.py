"""Gate of stage 03: one decision per record and phase, every exclusion with a known reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe

from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, invariant
from prismaflow.quality.gx_runner import Suite, run_suites
from prismaflow.vocabulary import (
    DECISIONS,
    EXCLUDE,
    FULL_TEXT,
    PASSES,
    PHASES,
    TITLE_ABSTRACT,
    UNDECIDED,
    in_phase,
)


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    records = read_frame(inputs["records"])
    decisions = read_frame(inputs["decisions"])
    excluded = decisions[decisions["decision"] == EXCLUDE]
    found = run_suites(
        [
            Suite(
                "decisions",
                decisions,
                [
                    gxe.ExpectColumnValuesToBeInSet(column="phase", value_set=list(PHASES)),
                    gxe.ExpectColumnValuesToBeInSet(column="decision", value_set=list(DECISIONS)),
                    gxe.ExpectCompoundColumnsToBeUnique(column_list=["record_id", "phase"]),
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
    title_abstract = in_phase(decisions, TITLE_ABSTRACT)
    full_text = in_phase(decisions, FULL_TEXT)
    passed = title_abstract[title_abstract["decision"].isin(PASSES[TITLE_ABSTRACT])]
    undecided = decisions[decisions["decision"].isin(UNDECIDED)]
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
