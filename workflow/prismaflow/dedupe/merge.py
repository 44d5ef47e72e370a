"""One canonical record per cluster, each field from the member that has it most fully."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pyarrow as pa

from prismaflow.dedupe.cluster import Clustering
from prismaflow.records import RECORD_FIELDS, RECORD_SCHEMA

# A cluster may hold two DOIs (a reviewer's override, one abstract in two supplements): each
# member's is kept, so that a reviewer's sheet may name the record by any of them.
DEDUPED_SCHEMA = (
    RECORD_SCHEMA.append(pa.field("sources", pa.list_(pa.string())))
    .append(pa.field("member_record_ids", pa.list_(pa.string())))
    .append(pa.field("member_dois", pa.list_(pa.string())))
)
LINKS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("canonical_id", pa.string()),
        ("source", pa.string()),
        ("rule", pa.string()),
        ("matched_record_id", pa.string()),
        ("score", pa.float64()),
        ("override", pa.string()),
    ]
)
# Fields whose longest value is the most complete (a full journal name beats an abbreviation).
LONGEST_WINS = (
    "title",
    "abstract",
    "journal",
    "authors",
    "keywords",
    "mesh_terms",
    "publication_types",
)
OWN_FIELDS = ("record_id", "source", "source_id", "query_id", "raw_sha256", "retrieved_at")


def _filled(value: object) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and pd.isna(value):
        return False
    return not (hasattr(value, "__len__") and len(value) == 0)


def _merge(members: list[dict]) -> dict:
    """The canonical member keeps its own provenance; other fields come from the best member."""
    first = members[0]
    dois = list(dict.fromkeys(m["doi"] for m in members if m["doi"]))
    if len(members) == 1:
        return {
            **first,
            "sources": [first["source"]],
            "member_record_ids": [first["record_id"]],
            "member_dois": dois,
        }
    merged = {name: first[name] for name in OWN_FIELDS}
    for name in RECORD_FIELDS:
        if name in OWN_FIELDS:
            continue
        values = [m[name] for m in members if _filled(m[name])]
        if not values:
            merged[name] = None
        elif name in LONGEST_WINS:
            merged[name] = max(values, key=len)
        else:
            merged[name] = values[0]
    merged["sources"] = sorted({m["source"] for m in members})
    merged["member_record_ids"] = [m["record_id"] for m in members]
    merged["member_dois"] = dois
    return merged


def links_frame(frame: pd.DataFrame, clustering: Clustering) -> pd.DataFrame:
    """Every input record exactly once, with the first link that tied it into its cluster and
    any reviewer override that names it."""
    first_link: dict[str, tuple[str, str, float]] = {}
    for link in clustering.links:
        first_link.setdefault(link.record_id, (link.rule, link.matched_record_id, link.score))
        first_link.setdefault(link.matched_record_id, (link.rule, link.record_id, link.score))
    rows = []
    for record_id, source in zip(frame["record_id"], frame["source"], strict=True):
        canonical_id = clustering.canonical_id[record_id]
        rule, matched, score = (
            ("canonical", None, None) if record_id == canonical_id else first_link[record_id]
        )
        override = clustering.overridden.get(record_id)
        rows.append(
            {
                "record_id": record_id,
                "canonical_id": canonical_id,
                "source": source,
                "rule": rule,
                "matched_record_id": matched,
                "score": score,
                "override": "; ".join(override) if override else None,
            }
        )
    return pd.DataFrame(rows, columns=LINKS_SCHEMA.names)


def canonical_records(frame: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Canonical member first in each cluster, then the rest in link order."""
    rows = {row["record_id"]: row for row in frame.to_dict("records")}
    clusters: dict[str, list[str]] = defaultdict(list)
    for record_id, canonical_id in zip(links["record_id"], links["canonical_id"], strict=True):
        if record_id != canonical_id:
            clusters[canonical_id].append(record_id)
    merged = [
        _merge([rows[canonical_id]] + [rows[r] for r in clusters.get(canonical_id, [])])
        for canonical_id in sorted(set(links["canonical_id"]))
    ]
    return pd.DataFrame(merged, columns=DEDUPED_SCHEMA.names)
