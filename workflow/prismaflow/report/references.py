"""What PRISMA 2020 asks a report to list beside the flow: the reference of every included study
(item 16b's reports, item 19's studies), and every full text excluded with its reason (16b).
Citations are written in the Vancouver style of ICMJE journals, from the canonical records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from prismaflow.records import present
from prismaflow.vocabulary import EXCLUDE, FULL_TEXT, in_phase

MAX_AUTHORS = 6  # Vancouver: six authors, then "et al."


def vancouver(record: Mapping[str, Any]) -> str:
    """Authors. Title. Journal. Year;Volume(Issue):Pages. doi:DOI (parts a record lacks are
    left out, never invented)."""
    listed = record.get("authors")
    authors = [a for a in (list(listed) if listed is not None else []) if a]
    names = ", ".join(authors[:MAX_AUTHORS]) + (", et al" if len(authors) > MAX_AUTHORS else "")
    title = (present(record.get("title")) or "").rstrip(".")
    journal = present(record.get("journal")) or present(record.get("journal_abbrev"))
    year, volume = present(record.get("year")), present(record.get("volume"))
    issue, pages = present(record.get("issue")), present(record.get("pages"))
    where = f"{int(year)}" if year is not None else "n.d."
    if volume:
        where += f";{volume}" + (f"({issue})" if issue else "")
    if pages:
        where += f":{pages}"
    parts = [names or "[No authors listed]", title or "[No title]", journal, where]
    text = ". ".join(str(p) for p in parts if p)
    text += "" if text.endswith(".") else "."
    doi = present(record.get("doi"))
    return text + (f" doi:{doi}" if doi else "")


def _by_first_author(records: pd.DataFrame) -> pd.DataFrame:
    first = records["authors"].map(lambda a: next(iter(a)) if a is not None and len(a) else "~")
    return records.assign(_first=first.str.casefold()).sort_values(["_first", "year"])


def reference_list(records: pd.DataFrame, included: Iterable[str]) -> list[dict[str, str]]:
    """The included studies' references, by first author and year."""
    chosen = records[records["record_id"].isin(set(included))]
    return [
        {"record_id": row["record_id"], "citation": vancouver(row)}
        for row in _by_first_author(chosen).to_dict("records")
    ]


def full_text_exclusions(decisions: pd.DataFrame, records: pd.DataFrame) -> list[dict[str, str]]:
    """Every report excluded at full text, with its reason and the decider's note."""
    excluded = in_phase(decisions, FULL_TEXT)
    excluded = excluded[excluded["decision"] == EXCLUDE]
    cited = records.set_index("record_id")
    rows = []
    for row in excluded.to_dict("records"):
        record = cited.loc[row["record_id"]] if row["record_id"] in cited.index else {}
        rows.append(
            {
                "record_id": row["record_id"],
                "citation": vancouver(dict(record)) if len(record) else row["record_id"],
                "reason": row["reason_label"] or row["reason"] or "",
                "decided_by": row["decided_by"] or "",
                "note": present(row.get("note")) or "",
            }
        )
    return sorted(rows, key=lambda r: (r["reason"], r["citation"]))
