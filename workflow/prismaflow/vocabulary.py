"""The words screening decisions are written in, and what follows from them.

Screening, extraction, synthesis, trace, status and the gates all read decisions; each used to
spell the vocabulary itself, so a new decision word would have been counted by some and not
others. Here it is said once. A *phase* is a round of screening (title/abstract, full text);
a *stage* is a step of the pipeline (see `prismaflow.catalog`).
"""

from __future__ import annotations

import pandas as pd

TITLE_ABSTRACT = "title_abstract"
FULL_TEXT = "full_text"
PHASES: tuple[str, ...] = (TITLE_ABSTRACT, FULL_TEXT)

INCLUDE, EXCLUDE, MAYBE, NOT_RETRIEVED = "include", "exclude", "maybe", "not_retrieved"
AWAITING, CONFLICT = "awaiting", "conflict"
# What a reviewer can write in a sheet.
REVIEWER_DECISIONS: tuple[str, ...] = (INCLUDE, EXCLUDE, MAYBE, NOT_RETRIEVED)
# Every value the decisions artifact may hold: a reviewer's word, or that none is settled yet.
DECISIONS: tuple[str, ...] = (*REVIEWER_DECISIONS, AWAITING, CONFLICT)
# A record in one of these still needs a person before the phase is settled.
UNDECIDED = frozenset({AWAITING, CONFLICT})
# At full text "maybe" settles nothing either: the report must be read to the end.
UNSETTLED_AT = {TITLE_ABSTRACT: UNDECIDED, FULL_TEXT: UNDECIDED | {MAYBE}}
SETTLED = frozenset(REVIEWER_DECISIONS)
# Who decided, besides a reviewer's id, "a+b" for agreeing reviewers, or "adjudication": the
# protocol's rules (PRISMA 2020's "automation tools", which remove records before screening),
# the relevance model under machine completeness (it only ever includes), or the stopping rule.
# "stopping": records left unscreened once the protocol's stopping criterion was met
# (screen.stopping), excluded with the protocol's reason for them.
BY_RULE, BY_MODEL, BY_STOPPING = "rule", "model", "stopping"
# What moves a report on to the next phase: "maybe" at title/abstract means "read the full text".
PASSES = {TITLE_ABSTRACT: frozenset({INCLUDE, MAYBE}), FULL_TEXT: frozenset({INCLUDE})}


def in_phase(decisions: pd.DataFrame, phase: str) -> pd.DataFrame:
    return decisions[decisions["phase"] == phase]


def included_ids(decisions: pd.DataFrame) -> list[str]:
    """The studies the review includes: those included at full text."""
    final = in_phase(decisions, FULL_TEXT)
    return sorted(final.loc[final["decision"] == INCLUDE, "record_id"])


def awaiting_person(decisions: pd.DataFrame, phase: str) -> pd.DataFrame:
    """Decisions of a phase that wait for a reviewer or an adjudicator."""
    at = in_phase(decisions, phase)
    return at[at["decision"].isin(UNSETTLED_AT[phase])]
