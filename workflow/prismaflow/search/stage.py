"""Stage 01 as data: query results into per-source records, query hits and search-log rows."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.records import fields_present, records_table
from prismaflow.search.results import APIS, QueryResult

HITS_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("query_id", pa.string()),
        ("record_id", pa.string()),
        ("position", pa.int32()),
        ("raw_file", pa.string()),
        ("raw_sha256", pa.string()),
    ]
)
LOG_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("query_id", pa.string()),
        ("query", pa.string()),
        ("query_translation", pa.string()),
        ("window_start", pa.string()),
        ("window_end", pa.string()),
        ("date_limit", pa.string()),
        ("reported_count", pa.int64()),
        ("retrieved_count", pa.int64()),
        ("unique_records", pa.int64()),
        # Records holding each field (prismaflow.records.REPORTED_FIELDS), as JSON: an
        # export whose DOIs or abstracts went missing shows here.
        ("fields_present", pa.string()),
        ("requests", pa.int64()),
        ("started_at", pa.string()),
        ("finished_at", pa.string()),
        ("api", pa.string()),
        ("mode", pa.string()),
        ("raw_files", pa.list_(pa.string())),
        ("raw_sha256", pa.list_(pa.string())),
    ]
)


def raw_path(source: str, query_id: str, name: str) -> str:
    """Where a response is kept, relative to results/01_search/raw/."""
    return f"{source}/{query_id}/{name}.gz"


def source_records(results: Sequence[QueryResult]) -> pa.Table:
    """One row per database record: a record that several queries found is kept once,
    attributed to the first query; hits() keeps every query that found it."""
    seen: dict[str, dict[str, Any]] = {}
    for result in results:
        for record in result.records:
            seen.setdefault(record["record_id"], record)
    return records_table(seen.values())


def hits(results: Sequence[QueryResult]) -> pd.DataFrame:
    """Which query retrieved which record, from which raw response: the trace back to evidence."""
    rows = []
    for result in results:
        by_sha = {r.sha256: r.name for r in result.responses}
        for position, record in enumerate(result.records):
            rows.append(
                {
                    "source": result.source,
                    "query_id": result.query_id,
                    "record_id": record["record_id"],
                    "position": position,
                    "raw_file": raw_path(
                        result.source, result.query_id, by_sha[record["raw_sha256"]]
                    ),
                    "raw_sha256": record["raw_sha256"],
                }
            )
    return pd.DataFrame(rows, columns=HITS_SCHEMA.names)


def log_rows(
    results: Sequence[QueryResult], *, mode: str, window: Mapping[str, Any] | None, timestamp: str
) -> pd.DataFrame:
    """PRISMA-S search log: what was asked, what the database said, what came back."""
    window = window or {}
    rows = [
        {
            "source": r.source,
            "query_id": r.query_id,
            "query": r.query,
            "query_translation": r.translation,
            "window_start": window.get("start"),
            "window_end": window.get("end"),
            "date_limit": r.date_limit,
            "reported_count": r.reported,
            "retrieved_count": len(r.records),
            "unique_records": len({rec["record_id"] for rec in r.records}),
            "fields_present": json.dumps(fields_present(r.records)),
            "requests": r.requests or len(r.responses),
            "started_at": r.started_at or timestamp,
            "finished_at": r.finished_at or timestamp,
            "api": APIS[r.source],
            "mode": mode,
            "raw_files": [raw_path(r.source, r.query_id, x.name) for x in r.responses],
            "raw_sha256": [x.sha256 for x in r.responses],
        }
        for r in results
    ]
    return pd.DataFrame(rows, columns=LOG_SCHEMA.names)


def store_raw(results: Sequence[QueryResult], raw_dir: Path) -> None:
    """Keep every response byte for byte (gzip, fixed mtime so reruns are identical)."""
    for result in results:
        for response in result.responses:
            path = raw_dir / raw_path(result.source, result.query_id, response.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(response.data, mtime=0))
