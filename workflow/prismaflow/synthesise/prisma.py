"""PRISMA 2020 flow counts, each derived from the artifacts and never typed.

Each row is one box of the diagram; `reason` rows break an exclusion box down. The gate
checks the identities between boxes (screened - excluded = sought, and so on).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa

PRISMA_SCHEMA = pa.schema(
    [
        ("box", pa.string()),
        ("source", pa.string()),
        ("reason", pa.string()),
        ("label", pa.string()),
        ("count", pa.int64()),
    ]
)


def prisma_counts(
    links: pd.DataFrame, decisions: pd.DataFrame, reasons: Mapping[str, Mapping[str, str]]
) -> pd.DataFrame:
    rows: list[dict] = []

    def box(
        name: str, label: str, count: int, source: str | None = None, reason: str | None = None
    ) -> None:
        rows.append(
            {"box": name, "source": source, "reason": reason, "label": label, "count": int(count)}
        )

    def excluded_with_reasons(name: str, label: str, stage: pd.DataFrame) -> None:
        """An exclusion box, then one `<name>_reason` row per reason with its PRISMA label."""
        excluded = stage[stage["decision"] == "exclude"]
        box(name, label, len(excluded))
        for reason, n in excluded.groupby("reason").size().items():
            box(f"{name}_reason", reasons[reason]["label"], n, reason=reason)

    for source, n in links.groupby("source").size().items():
        box("identified", f"Records identified from {source}", n, source=source)
    canonical = links["canonical_id"].nunique()
    box("duplicates_removed", "Duplicate records removed", len(links) - canonical)
    title_abstract = decisions[decisions["stage"] == "title_abstract"]
    full_text = decisions[decisions["stage"] == "full_text"]
    box("screened", "Records screened", len(title_abstract))
    excluded_with_reasons("excluded", "Records excluded", title_abstract)
    box(
        "awaiting_screening",
        "Records awaiting a reviewer",
        title_abstract["decision"].isin(["awaiting", "conflict"]).sum(),
    )
    box("sought", "Reports sought for retrieval", len(full_text))
    box("not_retrieved", "Reports not retrieved", (full_text["decision"] == "not_retrieved").sum())
    box(
        "assessed",
        "Reports assessed for eligibility",
        (full_text["decision"] != "not_retrieved").sum(),
    )
    excluded_with_reasons("reports_excluded", "Reports excluded", full_text)
    box(
        "awaiting_full_text",
        "Reports awaiting a reviewer",
        full_text["decision"].isin(["awaiting", "conflict", "maybe"]).sum(),
    )
    box("included", "Studies included in review", (full_text["decision"] == "include").sum())
    return pd.DataFrame(rows, columns=PRISMA_SCHEMA.names)


def count_of(counts: pd.DataFrame, name: str) -> int:
    return int(counts.loc[counts["box"] == name, "count"].sum())
