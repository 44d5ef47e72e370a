"""What a reviewer may decide in each screening phase, and one decision read from a form or a
JSON body and checked against the protocol's reasons for that phase."""

from __future__ import annotations

import re
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

NOTE_LIMIT = 2_000  # characters: why, in a sentence or two, beside a decision
ACTION_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # line breaks and tabs are fine

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


def text_of(values: Mapping[str, Any], name: str) -> str | None:
    """A field of a form or a JSON body, which must be text where it is given."""
    value = values.get(name)
    if value is not None and not isinstance(value, str):
        abort(400, f"{name} must be text, not {type(value).__name__}")
    return value


def action_of(values: Mapping[str, Any]) -> str | None:
    """The client's id for an action (a retried request sends the same one), if it gave one."""
    action = text_of(values, "action")
    if action is not None and not ACTION_ID.fullmatch(action):
        abort(400, "action must be 1 to 64 letters, digits, - or _")
    return action


def decision_from(
    values: Any,
    records: Collection[str],
    allowed: tuple[str, ...],
    reasons: Mapping[str, str],
) -> tuple[str, str, str | None, str | None]:
    """(record, decision, reason, note) from a form or a JSON body. An exclusion comes as
    `exclude=<reason>` (one button per reason) or as `decision=exclude` with `reason`."""
    if not isinstance(values, Mapping):
        abort(400, 'send one decision as a JSON object: {"record": ..., "decision": ...}')
    record_id, decision = text_of(values, "record"), text_of(values, "decision")
    reason = text_of(values, "reason") or None
    if excluded := text_of(values, "exclude"):
        decision, reason = EXCLUDE, excluded
    if record_id not in records:
        abort(400, "not a record to decide in this phase")
    if decision not in allowed:
        abort(400, f"decision must be one of {allowed}")
    if decision == EXCLUDE and reason not in reasons:
        abort(400, "an exclusion needs one of the protocol's reason codes")
    if decision != EXCLUDE:
        reason = None
    note = text_of(values, "note") or None
    if note is not None and len(note) > NOTE_LIMIT:
        abort(400, f"a note holds at most {NOTE_LIMIT:,} characters (this one: {len(note):,})")
    if note is not None and CONTROL.search(note):
        abort(400, "a note cannot hold control characters (a NUL and the like)")
    return record_id, decision, reason, note
