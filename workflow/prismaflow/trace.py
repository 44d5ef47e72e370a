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

from prismaflow import catalog
from prismaflow.errors import InputFileError
from prismaflow.extract.stage import MACHINE
from prismaflow.identifiers import record_index, resolve_record
from prismaflow.parquet_io import lineage, read_frame
from prismaflow.published import read_artifact
from prismaflow.synthesise.prisma import prisma_counts


@dataclass(frozen=True)
class Results:
    """The artifacts a trace reads, by their catalog names, and the lineage each records."""

    root: Path

    def path(self, name: str, **wildcards: str) -> Path:
        path = catalog.under(self.root, name, **wildcards)
        if not path.is_file():
            raise InputFileError(path, "is missing", fix="run the workflow first (make review)")
        return path

    def frame(self, name: str) -> pd.DataFrame:
        return read_frame(self.path(name))

    def hits(self) -> pd.DataFrame:
        pattern = catalog.under(self.root, "source_hits", source="*")
        files = sorted(pattern.parent.glob(pattern.name))
        return pd.concat([read_frame(f) for f in files], ignore_index=True)

    def lineage(self, name: str) -> dict[str, Any]:
        recorded = lineage(self.path(name))
        return {
            "artifact": name,
            "rule": recorded.get("rule"),
            "inputs": [i["path"] for i in recorded.get("inputs", [])],
        }

    def previous_release(self) -> pd.DataFrame | None:
        """The published decisions an update's PRISMA counts were drawn against, found through
        the lineage of the counts themselves, so trace and diagram use the same baseline."""
        for given in lineage(self.path("prisma")).get("inputs", []):
            if given["name"] == "previous" and given["path"].endswith("decisions.parquet"):
                release = Path(given["path"]).parent
                folder = release if release.is_absolute() else self.root.parent / release
                return read_artifact(folder, "decisions")[1]
        return None


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
    members: pd.DataFrame, decisions: pd.DataFrame, previous: pd.DataFrame | None
) -> list[str]:
    """The PRISMA boxes this study counts in: the diagram's own count, over its records alone."""
    reasons = {
        code: {"label": label}
        for code, label in zip(decisions["reason"], decisions["reason_label"], strict=True)
        if code
    }
    if previous is not None:
        previous = previous[previous["record_id"].isin(decisions["record_id"])]
    counts = prisma_counts(members, decisions, reasons, previous)
    boxes = []
    for row in counts.itertuples():
        qualifier = row.source or row.reason
        boxes += [f"{row.box} ({qualifier})" if qualifier else row.box] * row.count
    return boxes


def trace(results: Path, reference: str) -> dict[str, Any]:
    """The record's path as data; the reference is a record id (any member's), DOI or PMID."""
    store = Results(results)
    records = store.frame("records")
    links = store.frame("links")
    canonical = resolve_record(reference, record_index(records, links))
    if canonical is None:
        raise InputFileError(
            catalog.under(results, "records"),
            f"no record is named {reference!r}",
            fix="give a record id, DOI or PMID from the search results",
        )
    members = links[links["canonical_id"] == canonical]
    record = records[records["record_id"] == canonical].iloc[0]
    hits = store.hits()
    decisions = store.frame("decisions")
    decisions = decisions[decisions["record_id"] == canonical]
    studies = store.frame("studies")
    study = studies[studies["record_id"] == canonical]
    machine = store.frame("machine_values")
    machine = machine[machine["record_id"] == canonical]
    groups = store.frame("groups")
    in_groups = [
        {"analysis": a, "group": g}
        for a, g, ids in zip(groups["analysis"], groups["group"], groups["record_ids"], strict=True)
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
                    "phase",
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
        "extraction": _extraction(study, machine),
        "synthesis": {
            "groups": in_groups,
            "prisma_boxes": _prisma_boxes(members, decisions, store.previous_release()),
        },
        "lineage": [
            store.lineage(name)
            for name in ("links", "decisions", "studies", "machine_values", "groups", "prisma")
        ],
    }


def _extraction(study: pd.DataFrame, machine: pd.DataFrame) -> list[dict[str, Any]]:
    """Each field's value with who set it and from where, and what the machine read for it
    (kept when a reviewer confirmed or corrected it)."""
    if study.empty:
        return []
    row = study.iloc[0]
    fields = [c[: -len("_source")] for c in study.columns if c.endswith("_source")]
    read = {m["field"]: m for m in _rows(machine.drop(columns=["record_id"]))}
    return [
        {
            "field": field,
            "value": _plain(row[field]),
            "source": _plain(row[f"{field}_source"]),
            "by": _plain(row[f"{field}_by"]),
            "confidence": _plain(row[f"{field}_confidence"]),
            "machine": read.get(field),
        }
        for field in fields
    ]


def _extraction_line(value: Mapping[str, Any]) -> str:
    line = f"  {value['field']} = {value['value']!r} [{value['by']}: {value['source']}]"
    machine = value["machine"]
    if machine and value["by"] != MACHINE:
        line += f"; the machine read {machine['value']!r} from {machine['source']}"
    return line


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
    line = f"  {decision['phase']}: {decision['decision']}"
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
            _extraction_line(e)
            for e in path["extraction"]
            if e["value"] is not None or e["source"] or e["machine"]
        ),
        "Synthesis: "
        + ("; ".join(f"{g['analysis']}: {g['group']}" for g in path["synthesis"]["groups"]) or "-"),
        f"PRISMA boxes: {', '.join(path['synthesis']['prisma_boxes'])}",
        "Lineage (the artifacts read here, the rule that wrote each, and from what):",
        *(
            f"  {entry['artifact']} by {entry['rule']} from {', '.join(entry['inputs'])}"
            for entry in path["lineage"]
        ),
    ]
    return "\n".join(lines)


def to_json(path: Mapping[str, Any]) -> str:
    return json.dumps(path, indent=2, default=str)
