"""Reviewers' last word on deduplication: `config/dedupe_overrides.csv`.

Each row forces two records (or the records with a DOI or PMID) into one cluster (`link`) or
keeps them in different clusters (`apart`). Overrides are applied over every rule, and the
links table says which records an override touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from prismaflow.errors import InputFileError
from prismaflow.identifiers import normalise_doi, normalise_pmid
from prismaflow.sheets import read_rows

COLUMNS = ("action", "record_a", "record_b", "note")
ACTIONS = ("link", "apart")


@dataclass(frozen=True)
class Override:
    action: str
    record_a: str
    record_b: str
    note: str | None
    origin: str  # file:line

    def describe(self, other: str) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"{self.action} {other}{note} [{self.origin}]"


def read_overrides(path: Path) -> list[Override]:
    overrides, seen = [], {}
    for line, row in read_rows(path, ("action", "record_a", "record_b"), COLUMNS):
        missing = [c for c in ("action", "record_a", "record_b") if c not in row]
        if missing:
            raise InputFileError(path, f"empty cell(s) {missing}", line=line)
        if row["action"] not in ACTIONS:
            raise InputFileError(
                path, f"unknown action {row['action']!r}", line=line, fix=f"one of {list(ACTIONS)}"
            )
        pair = frozenset((row["record_a"], row["record_b"]))
        if len(pair) == 1:
            raise InputFileError(path, "a record is overridden against itself", line=line)
        if pair in seen:
            raise InputFileError(
                path,
                f"the same pair is overridden again (line {seen[pair]})",
                line=line,
                fix="keep one row per pair",
            )
        seen[pair] = line
        overrides.append(
            Override(
                row["action"], row["record_a"], row["record_b"], row.get("note"), f"{path}:{line}"
            )
        )
    return overrides


def positions(reference: str, keys: pd.DataFrame, override: Override) -> list[int]:
    """The rows a reference names: a record id, or every record with that DOI or PMID."""
    for column, value in (
        ("record_id", reference),
        ("doi", normalise_doi(reference)),
        ("pmid", normalise_pmid(reference)),
    ):
        if value:
            found = [i for i, v in enumerate(keys[column]) if v == value]
            if found:
                return found
    path, _, line = override.origin.rpartition(":")
    raise InputFileError(
        path,
        f"no searched record is {reference!r}",
        line=int(line),
        fix="use a record id, DOI or PMID from results/01_search",
    )


def resolved(overrides: Sequence[Override], keys: pd.DataFrame):
    """Each override with the rows on either side."""
    for override in overrides:
        side_a = positions(override.record_a, keys, override)
        side_b = positions(override.record_b, keys, override)
        if set(side_a) & set(side_b):
            path, _, line = override.origin.rpartition(":")
            raise InputFileError(
                path,
                f"{override.record_a!r} and {override.record_b!r} name the same record",
                line=int(line),
            )
        yield override, side_a, side_b
