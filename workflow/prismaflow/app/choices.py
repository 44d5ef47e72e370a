"""What a reviewer may decide in each screening phase, and one decision read from a form or a
JSON body and checked against the protocol's reasons for that phase."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from flask import abort

from prismaflow.app.review import Review
from prismaflow.vocabulary import (
    EXCLUDE,
    FULL_TEXT,
    INCLUDE,
    MAYBE,
    NOT_RETRIEVED,
    TITLE_ABSTRACT,
)

DECISIONS_AT = {
    TITLE_ABSTRACT: (INCLUDE, EXCLUDE, MAYBE),
    FULL_TEXT: (INCLUDE, EXCLUDE, NOT_RETRIEVED),
}


def phase_reasons(review: Review, phase: str) -> dict[str, str]:
    """Reason code -> label, for the reasons the protocol lets this phase cite."""
    return {
        code: spec["label"]
        for code, spec in review.screening["reasons"].items()
        if spec["phase"] in (phase, "both")
    }


def decision_from(
    values: Mapping[str, Any],
    records: Collection[str],
    allowed: tuple[str, ...],
    reasons: Mapping[str, str],
) -> tuple[str, str, str | None, str | None]:
    """(record, decision, reason, note) from a form or a JSON body. An exclusion comes as
    `exclude=<reason>` (one button per reason) or as `decision=exclude` with `reason`."""
    record_id, decision = values.get("record"), values.get("decision")
    reason = values.get("reason") or None
    if values.get("exclude"):
        decision, reason = EXCLUDE, values["exclude"]
    if record_id not in records:
        abort(400, "not a record to decide in this phase")
    if decision not in allowed:
        abort(400, f"decision must be one of {allowed}")
    if decision == EXCLUDE and reason not in reasons:
        abort(400, "an exclusion needs one of the protocol's reason codes")
    if decision != EXCLUDE:
        reason = None
    return record_id, decision, reason, (values.get("note") or None)
