"""Stage 03 as data: one decision per record at title/abstract, and per sought report at full text.

Precedence: reviewers over rules over the machine fallback. Reviewers who disagree leave the
record undecided (listed as a conflict) until adjudicated; the completeness policy then says
whether the machine decides (decided_by=machine) or the gate waits for humans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import pandas as pd
import pyarrow as pa

from prismaflow.screen.reviewers import ReviewerDecision
from prismaflow.screen.rules import Rule, first_hit

STAGES = ("title_abstract", "full_text")
DECISIONS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("stage", pa.string()),
        ("decision", pa.string()),
        ("reason", pa.string()),
        ("reason_label", pa.string()),
        ("decided_by", pa.string()),
        ("rule", pa.string()),
        ("evidence_field", pa.string()),
        ("evidence_term", pa.string()),
        ("score", pa.float64()),
        ("timestamp", pa.string()),
        ("note", pa.string()),
        ("origin", pa.string()),
    ]
)
# What moves a report on to the next step: "maybe" at title/abstract means "read the full text".
PASSES = {"title_abstract": {"include", "maybe"}, "full_text": {"include"}}


def _human(decisions: Sequence[ReviewerDecision]) -> dict | None:
    """The reviewers' joint decision, or a conflict row when they disagree."""
    if not decisions:
        return None
    verdicts = {(d.decision, d.reason) for d in decisions}
    reviewers = "+".join(sorted(d.reviewer for d in decisions))
    origin = "; ".join(d.origin for d in decisions)
    if len({v[0] for v in verdicts}) > 1:
        return {
            "decision": "conflict",
            "decided_by": reviewers,
            "origin": origin,
            "note": "reviewers disagree: "
            + ", ".join(f"{d.reviewer}={d.decision}" for d in decisions),
        }
    first = decisions[0]
    return {
        "decision": first.decision,
        "reason": first.reason,
        "decided_by": reviewers,
        "timestamp": max(d.timestamp or "" for d in decisions) or None,
        "note": "; ".join(d.note for d in decisions if d.note) or None,
        "origin": origin,
    }


def _fallback(completeness: str, conflict: dict | None) -> dict:
    note = conflict["note"] if conflict else None
    if completeness == "machine":
        return {"decision": "include", "decided_by": "machine", "note": note}
    return {"decision": "awaiting", "decided_by": None, "note": note}


def _decide(
    stage: str, record: Mapping, human: dict | None, rules: Sequence[Rule], completeness: str
) -> dict:
    if human and human["decision"] != "conflict":
        return human
    hit = first_hit(rules, record) if stage == "title_abstract" else None
    if hit:
        return {
            "decision": "exclude",
            "reason": hit.reason,
            "decided_by": "rule",
            "rule": hit.rule,
            "evidence_field": hit.field,
            "evidence_term": hit.term,
        }
    return _fallback(completeness, human)


def screen(
    records: pd.DataFrame,
    reviewer_decisions: Sequence[ReviewerDecision],
    rules: Sequence[Rule],
    reasons: Mapping[str, Mapping[str, str]],
    completeness: str,
) -> pd.DataFrame:
    """Decisions for every record at title/abstract and every report passed on to full text."""
    by_key: dict[tuple[str, str], list[ReviewerDecision]] = defaultdict(list)
    for decision in reviewer_decisions:
        by_key[(decision.record_id, decision.stage)].append(decision)
    rows = []
    candidates = records.to_dict("records")
    for stage in STAGES:
        passed = []
        for record in candidates:
            human = _human(by_key.get((record["record_id"], stage), []))
            row = {
                "record_id": record["record_id"],
                "stage": stage,
                **_decide(stage, record, human, rules, completeness),
            }
            row["reason_label"] = reasons[row["reason"]]["label"] if row.get("reason") else None
            rows.append(row)
            if row["decision"] in PASSES[stage]:
                passed.append(record)
        candidates = passed
    return pd.DataFrame(rows, columns=DECISIONS_SCHEMA.names)
