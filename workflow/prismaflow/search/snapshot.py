"""Replaying a recorded search: the same parsers and the same reconciliation as a live run.

A snapshot is a folder with `snapshot.json` (what was asked, and which response files came
back, with their sha256) and the response files exactly as the database sent them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from prismaflow.errors import InputFileError, ReconciliationError
from prismaflow.provenance import sha256_bytes
from prismaflow.search.assemble import ASSEMBLERS
from prismaflow.search.results import QueryResult, RawResponse


def load_manifest(snapshot_dir: Path) -> Mapping[str, Any]:
    path = snapshot_dir / "snapshot.json"
    if not path.is_file():
        raise InputFileError(path, "no snapshot manifest here", fix="check search.snapshot")
    return json.loads(path.read_text(encoding="utf-8"))


def _read_response(snapshot_dir: Path, entry: Mapping[str, str]) -> RawResponse:
    path = snapshot_dir / entry["file"]
    data = path.read_bytes()
    digest = sha256_bytes(data)
    if digest != entry["sha256"]:
        raise InputFileError(
            path,
            f"sha256 {digest[:12]}… differs from the snapshot manifest's {entry['sha256'][:12]}…",
            fix="recorded responses are evidence and must not be edited; rebuild the snapshot",
        )
    return RawResponse(Path(entry["file"]).name, data, digest)


def replay(
    snapshot_dir: Path,
    source: str,
    queries: Sequence[Mapping[str, str]],
    manifest: Mapping[str, Any] | None = None,
) -> list[QueryResult]:
    """Each configured query's recorded result, checked against what the protocol asks.

    The config's query text must equal the recorded one: replaying a recording of another query
    would silently report the wrong search.
    """
    manifest = manifest or load_manifest(snapshot_dir)
    recorded = manifest["sources"].get(source, {}).get("queries", {})
    recorded_at = datetime.fromisoformat(manifest["recorded_at"].replace("Z", "+00:00"))
    results = []
    for query in queries:
        query_id, text = query["id"], query[source]
        if query_id not in recorded:
            raise ReconciliationError(
                f"{source} query '{query_id}' is not in the snapshot {snapshot_dir} "
                f"(it holds {sorted(recorded)}); search live or record a new snapshot"
            )
        if recorded[query_id]["query"] != text:
            raise ReconciliationError(
                f"{source} query '{query_id}' in the config ({text!r}) differs from the "
                f"recorded one ({recorded[query_id]['query']!r}); "
                "search live or record a new snapshot"
            )
        responses = [_read_response(snapshot_dir, e) for e in recorded[query_id]["responses"]]
        result = ASSEMBLERS[source](query_id, text, responses)
        result.date_limit = recorded[query_id].get("date_limit")
        for record in result.records:
            record["query_id"] = query_id
            record["retrieved_at"] = recorded_at
        results.append(result)
    return results
