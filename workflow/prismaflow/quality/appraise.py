"""Gate of stage 05: every included study the protocol's tools cover is assessed in every
domain, by as many reviewers as the protocol asks, with disagreements settled, every overall
judgement the algorithm's or changed with a reason, and no reviewer's row left unread."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe

from prismaflow.appraise.assessments import unexplained_changes
from prismaflow.appraise.stage import designs
from prismaflow.appraise.tools import TOOLS
from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, invariant
from prismaflow.quality.gx_runner import Suite, run_suites
from prismaflow.sheets import SETTLED


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    assessed = read_frame(inputs["risk_of_bias"])
    problems = read_frame(inputs["bias_problems"])
    studies = read_frame(inputs["studies"])
    tools = params["tools"]
    assessed["key"] = assessed["record_id"] + " " + assessed["domain"]
    found = run_suites(
        [
            Suite(
                "risk_of_bias",
                assessed,
                [
                    gxe.ExpectCompoundColumnsToBeUnique(column_list=["record_id", "domain"]),
                    gxe.ExpectColumnValuesToBeInSet(column="tool", value_set=list(TOOLS)),
                ],
                id_column="key",
            )
        ]
    )
    unsettled = assessed[assessed["status"] != SETTLED]
    uncovered = (
        [
            f"{record}: design {design!r} has no tool under risk_of_bias.tools"
            for record, design in designs(studies).items()
            if design not in tools
        ]
        if tools
        else []
    )
    return [
        *found,
        invariant(
            "bias_problems",
            "every_sheet_row_is_read",
            [f"{p.file}, line {p.line}: {p.problem}" for p in problems.itertuples()],
        ),
        invariant("risk_of_bias", "every_included_study_has_a_tool", uncovered),
        invariant(
            "risk_of_bias",
            "every_domain_is_settled",
            [f"{r.record_id} {r.domain}: {r.status}" for r in unsettled.itertuples()],
        ),
        invariant(
            "risk_of_bias",
            "an_overall_judgement_changed_from_the_algorithm_gives_a_reason",
            unexplained_changes(assessed),
        ),
    ]
