"""Gate of stage 04: one row per included study, every value typed and within the protocol's
form, required fields filled, counts consistent, and no reviewer's cell left unread."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe
import pandas as pd

from prismaflow.extract.fields import FieldSpec, field_specs
from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, invariant
from prismaflow.quality.gx_runner import Suite, run_suites
from prismaflow.vocabulary import included_ids


def _expectations(fields: list[FieldSpec]) -> list:
    expectations: list = [gxe.ExpectColumnValuesToBeUnique(column="record_id")]
    for spec in fields:
        if spec.type == "category":
            expectations.append(
                gxe.ExpectColumnValuesToBeInSet(column=spec.name, value_set=list(spec.values))
            )
        if spec.minimum is not None or spec.maximum is not None:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=spec.name, min_value=spec.minimum, max_value=spec.maximum
                )
            )
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=f"{spec.name}_confidence", min_value=0, max_value=1
            )
        )
    return expectations


def _per_field(studies: pd.DataFrame, fields: list[FieldSpec], offends) -> list[str]:
    """'<record id> <field>' for each value that offends."""
    return [
        f"{record_id} {spec.name}"
        for spec in fields
        for record_id in studies.loc[offends(studies, spec), "record_id"]
    ]


def _more_events_than_total(studies: pd.DataFrame, params: Mapping[str, Any]) -> list[str]:
    """Studies whose outcome counts (an analysis's data) say more had the event than were
    counted, in either arm; a continuous outcome or an effect as published counts none."""
    arms = sorted(
        {
            (data[events], data[total])
            for data in (analysis["data"] for analysis in params["analyses"])
            for events, total in (("events", "total"), ("control_events", "control_total"))
            if events in data
        }
    )
    return [
        f"{row['record_id']} {events}: {int(row[events])} > {total} {int(row[total])}"
        for events, total in arms
        for _, row in studies[studies[events].notna() & studies[total].notna()].iterrows()
        if row[events] > row[total]
    ]


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    fields = field_specs(params["fields"])
    studies = read_frame(inputs["studies"])
    problems = read_frame(inputs["sheet_problems"])
    disagreements = read_frame(inputs["disagreements"])
    decisions = read_frame(inputs["decisions"])
    machine = read_frame(inputs["machine_values"])
    studied, named = set(studies["record_id"]), {spec.name for spec in fields}
    found = run_suites([Suite("studies", studies, _expectations(fields))])
    return [
        *found,
        invariant(
            "studies",
            "one_row_per_included_study",
            set(included_ids(decisions)) ^ set(studies["record_id"]),
        ),
        invariant(
            "studies",
            "every_value_has_a_source",
            _per_field(
                studies, fields, lambda s, f: s[f.name].notna() & s[f"{f.name}_source"].isna()
            ),
        ),
        invariant(
            "studies",
            "required_fields_filled",
            _per_field(studies, [f for f in fields if f.required], lambda s, f: s[f.name].isna()),
        ),
        invariant("studies", "events_at_most_total", _more_events_than_total(studies, params)),
        invariant(
            "machine_values",
            "of_included_studies_and_protocol_fields",
            [
                f"{m.record_id} {m.field}"
                for m in machine.itertuples()
                if m.record_id not in studied or m.field not in named
            ],
        ),
        invariant(
            "machine_values",
            "one_per_study_and_field_with_its_source",
            [
                f"{m.record_id} {m.field}"
                for m in machine[
                    machine.duplicated(["record_id", "field"]) | machine["source"].isna()
                ].itertuples()
            ],
        ),
        invariant(
            "extraction_sheets",
            "every_cell_valid",
            [
                f"{p.file} line {p.line}: {p.record_id or '-'} {p.field or ''}: {p.problem}"
                for p in problems.itertuples()
            ],
        ),
        invariant(
            "extraction_sheets",
            "disagreements_settled",
            [
                f"{d.record_id} {d.field}: {d.values} (add the value to adjudication.csv)"
                for d in disagreements.itertuples()
                if d.resolved_by is None
            ],
        ),
    ]
