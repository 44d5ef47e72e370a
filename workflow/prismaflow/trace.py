"""One record's whole path through the review, read back from the artifacts: the searches
that found it (down to the raw response and its hash), what it was merged with and why,
every screening decision, every extracted value and its source, and the synthesis rows and
PRISMA boxes it counts in."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow.errors import InputFileError
from prismaflow.identifiers import record_index, resolve_record


@dataclass(frozen=True)
class Results:
    """The artifacts a trace reads, by stage folder under results/."""

    root: Path

    def frame(self, relative: str) -> pd.DataFrame:
        path = self.root / relative
        if not path.is_file():
            raise InputFileError(path, "is missing", fix="run the workflow first (make review)")
        return pd.read_parquet(path)

    def hits(self) -> pd.DataFrame:
        files = sorted((self.root / "01_search").glob("*.hits.parquet"))
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a count read back from a column that also holds nulls
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _prisma_boxes(
    members: pd.DataFrame, decisions: pd.DataFrame, boxes_drawn: set[str]
) -> list[str]:
    """The PRISMA boxes this study counts in, as prisma_counts() counts them."""
    boxes = [f"identified ({source})" for source in sorted(members["source"])]
    settled_before = decisions["previous_version"].notna().any()
    if settled_before:
        boxes += ["previously_screened"] * len(members)
    else:
        boxes += ["duplicates_removed"] * (len(members) - 1)
    for row in decisions.itertuples():
        if settled_before:
            continue
        if row.stage == "title_abstract":
            boxes.append("screened")
            if row.decision == "exclude":
                boxes.append(f"excluded ({row.reason})")
            elif row.decision in ("awaiting", "conflict"):
                boxes.append("awaiting_screening")
        else:
            boxes.append("sought")
            if row.decision == "not_retrieved":
                boxes.append("not_retrieved")
                continue
            boxes.append("assessed")
            if row.decision == "exclude":
                boxes.append(f"reports_excluded ({row.reason})")
            elif row.decision == "include":
                boxes.append("included")
            else:
                boxes.append("awaiting_full_text")
    included = ((decisions["stage"] == "full_text") & (decisions["decision"] == "include")).any()
    if included and settled_before:
        boxes.append("previous_included")
    if included and "total_included" in boxes_drawn:
        boxes.append("total_included")
    return boxes


def trace(results: Path, reference: str) -> dict[str, Any]:
    """The record's path as data; the reference is a record id (any member's), DOI or PMID."""
    store = Results(results)
    records = store.frame("02_dedupe/records.parquet")
    links = store.frame("02_dedupe/links.parquet")
    canonical = resolve_record(reference, record_index(records, links))
    if canonical is None:
        raise InputFileError(
            results / "02_dedupe" / "records.parquet",
            f"no record is named {reference!r}",
            fix="give a record id, DOI or PMID from the search results",
        )
    members = links[links["canonical_id"] == canonical]
    record = records[records["record_id"] == canonical].iloc[0]
    hits = store.hits()
    decisions = store.frame("03_screen/decisions.parquet")
    decisions = decisions[decisions["record_id"] == canonical]
    studies = store.frame("04_extract/studies.parquet")
    study = studies[studies["record_id"] == canonical]
    groups = store.frame("05_synthesis/groups.parquet")
    in_groups = [
        g
        for g, ids in zip(groups["condition_group"], groups["record_ids"], strict=True)
        if canonical in list(ids)
    ]
    return {
        "record_id": canonical,
        "title": record["title"],
        "doi": _plain(record["doi"]),
        "pmid": _plain(record["pmid"]),
        "search": _rows(
            hits[hits["record_id"].isin(members["record_id"])][
                ["source", "query_id", "record_id", "position", "raw_file", "raw_sha256"]
            ]
        ),
        "dedupe": _rows(
            members[["record_id", "source", "rule", "matched_record_id", "score", "override"]]
        ),
        "screening": _rows(
            decisions[
                [
                    "stage",
                    "decision",
                    "reason",
                    "decided_by",
                    "rule",
                    "score",
                    "timestamp",
                    "origin",
                ]
            ]
        ),
        "extraction": _extraction(study),
        "synthesis": {
            "condition_groups": in_groups,
            "prisma_boxes": _prisma_boxes(
                members, decisions, set(store.frame("05_synthesis/prisma.parquet")["box"])
            ),
        },
    }


def _extraction(study: pd.DataFrame) -> list[dict[str, Any]]:
    if study.empty:
        return []
    row = study.iloc[0]
    fields = [c[: -len("_source")] for c in study.columns if c.endswith("_source")]
    return [
        {
            "field": field,
            "value": _plain(row[field]),
            "source": _plain(row[f"{field}_source"]),
            "by": _plain(row[f"{field}_by"]),
            "confidence": _plain(row[f"{field}_confidence"]),
        }
        for field in fields
    ]


def _search_line(hit: Mapping[str, Any]) -> str:
    return (
        f"  {hit['source']}/{hit['query_id']} #{hit['position']}: {hit['record_id']} "
        f"in {hit['raw_file']} (sha256 {hit['raw_sha256'][:12]}…)"
    )


def _dedupe_line(link: Mapping[str, Any]) -> str:
    line = f"  {link['record_id']}: {link['rule']}"
    if link["matched_record_id"]:
        line += f" with {link['matched_record_id']}"
    if link["score"] is not None:
        line += f" (score {link['score']:.2f})"
    return line + (f", override {link['override']}" if link["override"] else "")


def _screening_line(decision: Mapping[str, Any]) -> str:
    line = f"  {decision['stage']}: {decision['decision']}"
    line += f" ({decision['reason']})" if decision["reason"] else ""
    line += f" by {decision['decided_by'] or 'no one yet'}"
    return line + (f", {decision['timestamp']}" if decision["timestamp"] else "")


def render(path: Mapping[str, Any]) -> str:
    """The trace for a person: one section per stage, in the order the record went through."""
    lines = [
        f"{path['record_id']}: {path['title']}",
        f"  DOI {path['doi'] or '-'}  PMID {path['pmid'] or '-'}",
        "",
        "Search (which query of which database found it, in which raw response):",
        *map(_search_line, path["search"]),
        "Dedupe (the records merged into it, and why):",
        *map(_dedupe_line, path["dedupe"]),
        "Screening:",
        *map(_screening_line, path["screening"]),
        "Extraction:" if path["extraction"] else "Extraction: not an included study",
        *(
            f"  {e['field']} = {e['value']!r} [{e['by']}: {e['source']}]"
            for e in path["extraction"]
            if e["value"] is not None or e["source"]
        ),
        f"Synthesis: condition group {', '.join(path['synthesis']['condition_groups']) or '-'}",
        f"PRISMA boxes: {', '.join(path['synthesis']['prisma_boxes'])}",
    ]
    return "\n".join(lines)


def to_json(path: Mapping[str, Any]) -> str:
    return json.dumps(path, indent=2, default=str)
