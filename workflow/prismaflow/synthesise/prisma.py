"""PRISMA 2020 flow counts, each derived from the artifacts and never typed.

Each row is one box of the diagram; `reason` rows break an exclusion box down. The gate
checks the identities between boxes (screened - excluded = sought, and so on).

Records are identified per database: a searched source is one, and each export file counts
under the database it declares. As PRISMA 2020 asks, records the protocol's rules exclude are
"marked as ineligible by automation tools" and removed before screening; "Records screened"
are those a person (or, under machine completeness, the relevance model) decided.

An update of a living review follows the 2020 template for updated reviews: the flow counts
only the records new to this version (records the published version screened are removed
before screening), and the included studies are the previous version's plus the new ones.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa

from prismaflow.search.files import SOURCE as FILE_SOURCE
from prismaflow.search.files import export_of
from prismaflow.vocabulary import (
    BY_RULE,
    EXCLUDE,
    FULL_TEXT,
    INCLUDE,
    NOT_RETRIEVED,
    TITLE_ABSTRACT,
    UNSETTLED_AT,
    in_phase,
    included_ids,
)

PRISMA_SCHEMA = pa.schema(
    [
        ("box", pa.string()),
        ("source", pa.string()),
        ("reason", pa.string()),
        ("label", pa.string()),
        ("count", pa.int64()),
    ]
)


def identified_from(links: pd.DataFrame, databases: Mapping[str, str]) -> pd.Series:
    """Each searched record's database: its source, or for an export file the database the
    protocol says the file came from (`databases`: export id -> database; the export's id
    where it says none)."""
    exported = links["source"] == FILE_SOURCE
    named = links["record_id"].map(lambda r: databases.get(export_of(r), export_of(r)))
    return links["source"].where(~exported, named)


def prisma_counts(
    links: pd.DataFrame,
    decisions: pd.DataFrame,
    reasons: Mapping[str, Mapping[str, str]],
    previous: pd.DataFrame | None = None,
    databases: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The boxes of the flow; `previous` is the published version's decisions in an update,
    `databases` names each export file's database (export id -> name)."""
    rows: list[dict] = []

    def box(
        name: str, label: str, count: int, source: str | None = None, reason: str | None = None
    ) -> None:
        rows.append(
            {"box": name, "source": source, "reason": reason, "label": label, "count": int(count)}
        )

    companions = {code for code, spec in reasons.items() if spec.get("report_of_included")}

    def excluded_with_reasons(name: str, label: str, phase: pd.DataFrame) -> None:
        """An exclusion box, then one `<name>_reason` row per reason with its PRISMA label.
        A report of an included study is not excluded: it counts with the studies."""
        excluded = phase[(phase["decision"] == EXCLUDE) & ~phase["reason"].isin(companions)]
        box(name, label, len(excluded))
        for reason, n in excluded.groupby("reason").size().items():
            box(f"{name}_reason", reasons[reason]["label"], n, reason=reason)

    for source, n in identified_from(links, databases or {}).value_counts(sort=False).items():
        box("identified", f"Records identified from {source}", n, source=source)
    earlier = set(decisions.loc[decisions["previous_version"].notna(), "record_id"])
    published = links["canonical_id"].isin(earlier)
    new = links[~published]
    box("duplicates_removed", "Duplicate records removed", len(new) - new["canonical_id"].nunique())
    if previous is not None:
        box("previously_screened", "Records screened in the previous version", published.sum())
    current = decisions[~decisions["record_id"].isin(earlier)]
    first_look = in_phase(current, TITLE_ABSTRACT)
    by_rule = first_look["decided_by"] == BY_RULE
    excluded_with_reasons(
        "automation_removed",
        "Records marked as ineligible by automation tools",
        first_look[by_rule],
    )
    title_abstract = first_look[~by_rule]
    full_text = in_phase(current, FULL_TEXT)
    box("screened", "Records screened", len(title_abstract))
    excluded_with_reasons("excluded", "Records excluded", title_abstract)
    box(
        "awaiting_screening",
        "Records awaiting a reviewer",
        title_abstract["decision"].isin(UNSETTLED_AT[TITLE_ABSTRACT]).sum(),
    )
    box("sought", "Reports sought for retrieval", len(full_text))
    box("not_retrieved", "Reports not retrieved", (full_text["decision"] == NOT_RETRIEVED).sum())
    box(
        "assessed",
        "Reports assessed for eligibility",
        (full_text["decision"] != NOT_RETRIEVED).sum(),
    )
    excluded_with_reasons("reports_excluded", "Reports excluded", full_text)
    box(
        "awaiting_full_text",
        "Reports awaiting a reviewer",
        full_text["decision"].isin(UNSETTLED_AT[FULL_TEXT]).sum(),
    )
    new_studies = (full_text["decision"] == INCLUDE).sum()
    companion = (full_text["decision"] == EXCLUDE) & full_text["reason"].isin(companions)
    box("included_reports", "Reports of included studies", new_studies + companion.sum())
    if previous is None:
        box("included", "Studies included in review", new_studies)
    else:
        included_before = set(included_ids(previous))
        included_now = set(included_ids(decisions))
        box("included", "New studies included in review", new_studies)
        box(
            "previous_included",
            "Studies included in previous version of review",
            len(included_before),
        )
        box("withdrawn", "Previous studies no longer included", len(included_before - included_now))
        box("total_included", "Total studies included in review", len(included_now))
    return pd.DataFrame(rows, columns=PRISMA_SCHEMA.names)


def studies_in_review(counts: pd.DataFrame) -> int:
    """All studies the review now includes: an update's total, else the flow's included."""
    boxes = set(counts["box"])
    return count_of(counts, "total_included" if "total_included" in boxes else "included")


def count_of(counts: pd.DataFrame, name: str) -> int:
    return int(counts.loc[counts["box"] == name, "count"].sum())
