"""Stage 03 as data: one decision per record at title/abstract, and per sought report at full text.

Precedence: an adjudication, then reviewers who agree, then the published version's decision
(a living review's update), then the protocol's rules, then the stopping criterion, then the
completeness policy. Reviewers who disagree leave the record in conflict until an adjudication
sheet resolves it. Under the `machine` policy the relevance model decides what is left
(decided_by=model, always to include: a model never excludes); under `humans` those records
await a reviewer, and a title/abstract record the protocol gives two reviewers awaits the
second (screen.double). Once the protocol's stopping criterion is met and it says to apply it,
the records no reviewer has seen are excluded with its reason (screen.stopping).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from prismaflow.errors import InputFileError
from prismaflow.screen import ranking, stopping
from prismaflow.screen.double import reviewers_needed
from prismaflow.screen.reviewers import ReviewerDecision
from prismaflow.screen.rules import Rule, first_hit
from prismaflow.sheets import ADJUDICATOR
from prismaflow.vocabulary import (
    AWAITING,
    BY_MODEL,
    BY_RULE,
    BY_STOPPING,
    CONFLICT,
    EXCLUDE,
    FULL_TEXT,
    INCLUDE,
    PASSES,
    PHASES,
    TITLE_ABSTRACT,
)

DECISIONS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("phase", pa.string()),
        ("decision", pa.string()),
        ("reason", pa.string()),
        ("reason_label", pa.string()),
        ("decided_by", pa.string()),
        ("rule", pa.string()),
        ("evidence_field", pa.string()),
        ("evidence_term", pa.string()),
        ("score", pa.float64()),
        ("score_terms", pa.string()),
        ("open_access", pa.string()),
        ("timestamp", pa.string()),
        ("note", pa.string()),
        ("origin", pa.string()),
        # The published version this record was screened in (a living review's update), if any.
        ("previous_version", pa.string()),
    ]
)
CONFLICTS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("phase", pa.string()),
        ("reviewers", pa.string()),
        ("adjudicated", pa.bool_()),
        ("final_decision", pa.string()),
    ]
)


def _human(decisions: Sequence[ReviewerDecision], needed: int = 1) -> dict | None:
    """The adjudicator's decision, the reviewers' joint one, a conflict when they disagree, or
    "awaiting" while fewer reviewers than `needed` have decided."""
    if not decisions:
        return None
    adjudication = [d for d in decisions if d.reviewer == ADJUDICATOR]
    chosen = adjudication or decisions
    origin = "; ".join(d.origin for d in chosen)
    fewer = not adjudication and len({d.reviewer for d in decisions}) < needed
    if fewer and len({d.decision for d in chosen}) == 1:
        return {
            "decision": AWAITING,
            "decided_by": None,
            "origin": origin,
            "note": f"{len(decisions)} of the {needed} reviewers this record needs decided",
        }
    if len({d.decision for d in chosen}) > 1:
        return {
            "decision": CONFLICT,
            "decided_by": None,
            "origin": origin,
            "note": "reviewers disagree: "
            + ", ".join(f"{d.reviewer}={d.decision}" for d in decisions),
        }
    first = chosen[0]
    return {
        "decision": first.decision,
        "reason": first.reason,
        "decided_by": "+".join(sorted(d.reviewer for d in chosen)),
        "timestamp": max(d.timestamp or "" for d in chosen) or None,
        "note": "; ".join(d.note for d in chosen if d.note) or None,
        "origin": origin,
    }


def _open_access(record: Mapping) -> str | None:
    """Where the full text can be read for free, as far as the identifiers show."""
    pmcid = record.get("pmcid")
    return f"PubMed Central {pmcid}" if isinstance(pmcid, str) and pmcid else None


def _decide(
    phase: str,
    record: Mapping,
    human: dict | None,
    earlier: dict | None,
    rules: Sequence[Rule],
    completeness: str,
) -> dict:
    if human and human["decision"] not in (CONFLICT, AWAITING):
        return human
    if earlier:
        return earlier
    hit = first_hit(rules, record) if phase == TITLE_ABSTRACT else None
    if hit:
        return {
            "decision": EXCLUDE,
            "reason": hit.reason,
            "decided_by": BY_RULE,
            "rule": hit.rule,
            "evidence_field": hit.field,
            "evidence_term": hit.term,
        }
    note = human["note"] if human else None
    if completeness == "machine":
        return {"decision": INCLUDE, "decided_by": BY_MODEL, "note": note}
    return {"decision": human["decision"] if human else AWAITING, "decided_by": None, "note": note}


def relevance(
    records: pd.DataFrame, labels: Mapping[str, int], question: str
) -> tuple[np.ndarray, list[str]]:
    """Each record's relevance score and the terms behind it, from a model trained on the
    decisions so far (`labels`: record id -> 1 include, 0 exclude). Before any record is
    included, the protocol's question stands in for the first relevant record; before any is
    excluded, records are ranked by their likeness to the question and what was included, so
    that ranking starts from what the review asks, never from the order of the records."""
    texts = [
        ranking.record_text(t, a, k)
        for t, a, k in zip(records["title"], records["abstract"], records["keywords"], strict=True)
    ]
    position = {record_id: i for i, record_id in enumerate(records["record_id"])}
    features = ranking.features([*texts, question])
    rows = [position[r] for r in labels]
    values = list(labels.values())
    if 1 not in values:
        rows.append(len(texts))  # the question, as the first relevant record
        values.append(1)
    matrix = features.matrix[: len(texts)]
    if 0 not in values:
        return ranking.likeness(matrix, features.matrix[rows], features.terms)
    model = ranking.fit(features.matrix[rows], np.array(values))
    return ranking.scores(model, matrix), ranking.top_terms(model, matrix, features.terms)


def training_labels(rows: Sequence[Mapping]) -> dict[str, int]:
    """Title/abstract decisions made by people or rules: what the model may learn from."""
    return {
        row["record_id"]: int(row["decision"] == INCLUDE)
        for row in rows
        if row["phase"] == TITLE_ABSTRACT
        and row["decision"] in (INCLUDE, EXCLUDE)
        and row["decided_by"] not in (None, BY_MODEL, BY_STOPPING)
    }


def screen(
    records: pd.DataFrame,
    reviewer_decisions: Sequence[ReviewerDecision],
    rules: Sequence[Rule],
    reasons: Mapping[str, Mapping[str, str]],
    completeness: str,
    question: str = "",
    carried: Mapping[tuple[str, str], dict] | None = None,
    settings: Mapping[str, Any] | None = None,
    seeds: Sequence[str] = (),
) -> pd.DataFrame:
    """Decisions for every record at title/abstract and every report passed on to full text.

    `carried` holds a published version's decisions (screen.carry): a record in it keeps them
    unless a reviewer now decides otherwise, and stays marked as that version's record.
    `settings`: the protocol's `double_screening` and `stopping` (none: one reviewer, no stop);
    `seeds`: ids of records the protocol names as relevant, which the ranking learns from as
    if they had been included, unless a reviewer decided them."""
    carried = carried or {}
    settings = settings or {}
    double = settings.get("double_screening", {}) if completeness == "humans" else {}
    by_key: dict[tuple[str, str], list[ReviewerDecision]] = defaultdict(list)
    for decision in reviewer_decisions:
        by_key[(decision.record_id, decision.phase)].append(decision)
    rows = []
    candidates = records.to_dict("records")
    for phase in PHASES:
        for record in candidates:
            key = (record["record_id"], phase)
            needed = reviewers_needed(record["record_id"], double) if phase == TITLE_ABSTRACT else 1
            human = _human(by_key.get(key, []), needed)
            earlier = carried.get(key)
            row = {
                "record_id": record["record_id"],
                "phase": phase,
                **_decide(phase, record, human, earlier, rules, completeness),
            }
            published = carried.get((record["record_id"], TITLE_ABSTRACT))
            row["previous_version"] = published["previous_version"] if published else None
            row["reason_label"] = reasons[row["reason"]]["label"] if row.get("reason") else None
            if phase == FULL_TEXT:
                row["open_access"] = _open_access(record)
            rows.append(row)
        if phase == TITLE_ABSTRACT and settings.get("stopping", {}).get("apply"):
            _stop(rows, reviewer_decisions, settings["stopping"], reasons)
        phase_rows = rows[len(rows) - len(candidates) :]
        candidates = [
            record
            for record, row in zip(candidates, phase_rows, strict=True)
            if row["decision"] in PASSES[phase]
        ]
    _no_decision_dropped(reviewer_decisions, rows)
    labels = {record_id: 1 for record_id in seeds} | training_labels(rows)
    score, terms = relevance(records, labels, question)
    scored = dict(zip(records["record_id"], zip(score, terms, strict=True), strict=True))
    for row in rows:
        row["score"], row["score_terms"] = scored[row["record_id"]]
    return pd.DataFrame(rows, columns=DECISIONS_SCHEMA.names)


def screening_order(
    rows: Sequence[Mapping], reviewer_decisions: Sequence[ReviewerDecision]
) -> list[int]:
    """1 (moves on) or 0 for each title/abstract record people decided, in the order they were
    first decided (by timestamp, then by where the decision was written): what the stopping
    criterion reads. Records the rules or a published version decided are not screened."""
    unscreened = {
        r["record_id"] for r in rows if r["phase"] == TITLE_ABSTRACT and r["decided_by"] == BY_RULE
    }
    first: dict[str, tuple[str, int]] = {}
    moves_on: dict[str, int] = {}
    for position, d in enumerate(reviewer_decisions):
        if d.phase != TITLE_ABSTRACT or d.reviewer == ADJUDICATOR or d.record_id in unscreened:
            continue
        first[d.record_id] = min(
            first.get(d.record_id, (d.timestamp or "~", position)), (d.timestamp or "~", position)
        )
        moves_on[d.record_id] = max(
            moves_on.get(d.record_id, 0), int(d.decision in PASSES[TITLE_ABSTRACT])
        )
    return [moves_on[r] for r in sorted(first, key=first.__getitem__)]


def _stop(
    rows: list[dict],
    reviewer_decisions: Sequence[ReviewerDecision],
    settings: Mapping[str, Any],
    reasons: Mapping[str, Mapping[str, str]],
) -> None:
    """Once the criterion is met, exclude the title/abstract records no reviewer has seen."""
    at = [r for r in rows if r["phase"] == TITLE_ABSTRACT]
    seen = {d.record_id for d in reviewer_decisions if d.phase == TITLE_ABSTRACT}
    to_screen = [r for r in at if r["decided_by"] != BY_RULE and not r.get("previous_version")]
    verdict = stopping.check(screening_order(rows, reviewer_decisions), len(to_screen), settings)
    if not verdict.met:
        return
    for row in to_screen:
        if row["record_id"] not in seen and row["decided_by"] in (None, BY_MODEL):
            row.update(
                decision=EXCLUDE,
                reason=settings["reason"],
                decided_by=BY_STOPPING,
                note=verdict.statement(),
                reason_label=reasons[settings["reason"]]["label"],
            )


def _no_decision_dropped(reviewer_decisions: Sequence[ReviewerDecision], rows: list[dict]) -> None:
    """A reviewer's decision for a phase the record never reached would vanish from every count:
    say which sheet and line hold it instead."""
    reached = {(row["record_id"], row["phase"]) for row in rows}
    for decision in reviewer_decisions:
        if (decision.record_id, decision.phase) not in reached:
            path, _, line = decision.origin.rpartition(":")
            raise InputFileError(
                path,
                f"a {decision.phase} decision for {decision.record_id}, which was not passed on "
                f"to {decision.phase} (its title/abstract decision excludes it)",
                line=int(line),
                fix="remove the row, or include the record at title/abstract first",
            )


def conflicts(
    reviewer_decisions: Sequence[ReviewerDecision], decisions: pd.DataFrame
) -> pd.DataFrame:
    """Every record on which reviewers disagreed, whether an adjudication resolved it, and the
    decision that stands."""
    final = decisions.set_index(["record_id", "phase"])["decision"].to_dict()
    by_key: dict[tuple[str, str], list[ReviewerDecision]] = defaultdict(list)
    for d in reviewer_decisions:
        by_key[(d.record_id, d.phase)].append(d)
    rows = []
    for (record_id, phase), group in sorted(by_key.items()):
        reviewers = [d for d in group if d.reviewer != ADJUDICATOR]
        if len({d.decision for d in reviewers}) > 1:
            rows.append(
                {
                    "record_id": record_id,
                    "phase": phase,
                    "reviewers": ", ".join(f"{d.reviewer}={d.decision}" for d in reviewers),
                    "adjudicated": len(reviewers) < len(group),
                    "final_decision": final.get((record_id, phase)),
                }
            )
    return pd.DataFrame(rows, columns=CONFLICTS_SCHEMA.names)
