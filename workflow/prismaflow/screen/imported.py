"""Decisions a reviewer made in another screening tool, as rows of their decision sheet: ASReview
LAB's export (a label column: 1 relevant, 0 irrelevant, blank not screened) and Rayyan's
(`RAYYAN-INCLUSION: {"Ana"=>"Included", ...} | RAYYAN-EXCLUSION-REASONS: ...` in its notes).

Records are matched by DOI, then PMID, then title (a title shared by two records matches
neither). What cannot be matched, or names no decision, is reported by line, never dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from prismaflow.dedupe.normalise import normalise_title
from prismaflow.errors import InputFileError
from prismaflow.identifiers import resolve_record
from prismaflow.sheets import read_rows
from prismaflow.vocabulary import EXCLUDE, INCLUDE, MAYBE

ASREVIEW_LABELS = ("asreview_label", "included", "label_included")
RAYYAN_INCLUSION = re.compile(r"RAYYAN-INCLUSION:\s*\{(?P<body>[^}]*)\}")
RAYYAN_REASONS = re.compile(r"RAYYAN-EXCLUSION-REASONS:\s*(?P<reasons>[^|]*)")
RAYYAN_WORDS = {"included": INCLUDE, "excluded": EXCLUDE, "maybe": MAYBE}


@dataclass
class Imported:
    decisions: list[dict[str, str | None]] = field(default_factory=list)  # sheet rows
    unmatched: list[str] = field(default_factory=list)  # "line 12: <title>"
    undecided: int = 0  # rows the other tool holds no decision for

    def report(self) -> str:
        lines = [
            f"{len(self.decisions)} decisions matched to records; "
            f"{self.undecided} rows without a decision; {len(self.unmatched)} unmatched"
        ]
        return "\n".join([*lines, *(f"  unmatched {u}" for u in self.unmatched)])


def title_index(records: pd.DataFrame) -> dict[str, str]:
    """Normalised title -> record id, for titles only one record carries."""
    titles = [normalise_title(t) if isinstance(t, str) else None for t in records["title"]]
    counts = Counter(t for t in titles if t)
    return {t: r for t, r in zip(titles, records["record_id"], strict=True) if t and counts[t] == 1}


def read_export(
    path: Path,
    index: Mapping[str, str],
    titles: Mapping[str, str],
    reasons: Mapping[str, str],
    default_reason: str | None,
    rayyan_reviewer: str | None = None,
) -> Imported:
    """`reasons`: the other tool's exclusion reason (lower case) -> the protocol's code;
    `default_reason`: the code for an exclusion without a mapped reason."""
    rows = read_rows(path, (), None)
    header = set().union(*(row for _, row in rows)) if rows else set()
    label = next((c for c in ASREVIEW_LABELS if c in header), None)
    if label is None and "notes" not in header:
        raise InputFileError(
            path,
            "is neither an ASReview LAB export (no label column "
            f"{list(ASREVIEW_LABELS)}) nor a Rayyan export (no notes column)",
            line=1,
        )
    found = Imported()
    for line, row in rows:
        decision, said = (
            _asreview(row, label) if label else _rayyan(row, rayyan_reviewer, path, line)
        )
        if decision is None:
            found.undecided += 1
            continue
        record = _match(row, index, titles)
        if record is None:
            found.unmatched.append(f"line {line}: {row.get('title', '(no title)')[:80]}")
            continue
        reason = None
        if decision == EXCLUDE:
            reason = next((reasons[r] for r in said if r in reasons), default_reason)
            if reason is None:
                raise InputFileError(
                    path,
                    f"an exclusion with no reason the protocol knows "
                    f"({', '.join(said) or 'none given'})",
                    line=line,
                    fix="map it with --reason 'their words=code' or give --exclude-reason",
                )
        note = f"imported from {path.name}, line {line}"
        found.decisions.append(
            {"record": record, "decision": decision, "reason": reason, "note": note}
        )
    return found


def _asreview(row: Mapping[str, str], label: str) -> tuple[str | None, list[str]]:
    value = row.get(label, "").strip()
    return {"1": INCLUDE, "0": EXCLUDE}.get(value.removesuffix(".0")), []


def _rayyan(
    row: Mapping[str, str], reviewer: str | None, path: Path, line: int
) -> tuple[str | None, list[str]]:
    notes = row.get("notes", "")
    found = RAYYAN_INCLUSION.search(notes)
    if not found:
        return None, []
    votes = dict(re.findall(r'"([^"]+)"\s*=>\s*"([^"]+)"', found.group("body")))
    if reviewer is None and len(votes) > 1:
        raise InputFileError(
            path,
            f"holds the decisions of {sorted(votes)}",
            line=line,
            fix="name whose to import with --rayyan-reviewer",
        )
    vote = votes.get(reviewer) if reviewer else next(iter(votes.values()), None)
    said = RAYYAN_REASONS.search(notes)
    reasons = [r.strip().lower() for r in said.group("reasons").split(",")] if said else []
    return RAYYAN_WORDS.get((vote or "").lower()), [r for r in reasons if r]


def _match(row: Mapping[str, str], index: Mapping[str, str], titles: Mapping[str, str]):
    for column in ("doi", "pmid", "pubmed_id", "record"):
        if row.get(column) and (found := resolve_record(row[column], index)):
            return found
    title = normalise_title(row.get("title")) if row.get("title") else None
    return titles.get(title) if title else None


def reason_map(pairs: Sequence[str], codes: Sequence[str]) -> dict[str, str]:
    """'their words=code' pairs, checked against the protocol's codes."""
    mapped = {}
    for pair in pairs:
        words, _, code = pair.rpartition("=")
        if not words or code not in codes:
            raise InputFileError(
                "--reason",
                f"{pair!r} is not 'their words=code' with a code "
                f"of the protocol ({', '.join(codes)})",
            )
        mapped[words.strip().lower()] = code
    return mapped
