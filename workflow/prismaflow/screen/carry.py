"""Which of a published version's screening decisions an update keeps.

A record carries over whole or not at all: only when the published version settled it at
every phase it reached. A record left awaiting a reviewer, or excluded by a rule whose ground
the update moves (the date window, when the search now ends later), is screened again as a
new record, so that every record is counted in exactly one version's flow.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from prismaflow.records import present
from prismaflow.vocabulary import SETTLED

# Rules whose verdict depends on the search's dates, which an update changes.
RECHECKED_RULES = frozenset({"date_window"})
CARRIED_COLUMNS = (
    "decision",
    "reason",
    "decided_by",
    "rule",
    "evidence_field",
    "evidence_term",
    "timestamp",
    "note",
    "origin",
)


def carried_decisions(
    previous: pd.DataFrame, release: str
) -> dict[tuple[str, str], dict[str, object]]:
    """(record id, phase) -> the published decision, for every record that carries over."""
    unsettled = ~previous["decision"].isin(SETTLED) | previous["rule"].isin(RECHECKED_RULES)
    reopened = set(previous.loc[unsettled, "record_id"])
    kept = previous[~previous["record_id"].isin(reopened)]
    return {
        (row["record_id"], row["phase"]): _carried(row, release) for row in kept.to_dict("records")
    }


def _carried(row: Mapping[str, object], release: str) -> dict[str, object]:
    values = {column: present(row.get(column)) for column in CARRIED_COLUMNS}
    return values | {"previous_version": release}
