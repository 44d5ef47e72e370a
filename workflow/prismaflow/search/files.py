"""The `file` source: reviewers' exports from databases prismaflow does not query itself
(Embase, Web of Science, CINAHL, ...), each read as one "query" whose raw response is the file.

So an imported file goes through the same records, hits and PRISMA-S log as a database search:
the file is kept byte for byte with its sha256, its own record count is the "reported" count,
and the search gate's reported = retrieved check covers it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prismaflow.formats.importer import import_file
from prismaflow.provenance import sha256_bytes
from prismaflow.search.results import QueryResult, RawResponse

SOURCE = "file"


def export_of(record_id: str) -> str:
    """The export a `file` record was read from: the importer names it
    file:<export id>:<position in the file>."""
    return record_id.split(":")[1]


def import_exports(exports: Sequence[Mapping[str, Any]]) -> list[QueryResult]:
    results = []
    for export in exports:
        path = Path(export["path"])
        imported = import_file(
            path, export.get("format"), export.get("mapping"), source=SOURCE, name=export["id"]
        )
        data = path.read_bytes()
        digest = sha256_bytes(data)
        records = [
            {**record, "query_id": export["id"], "raw_sha256": digest}
            for record in imported.records.to_pylist()
        ]
        results.append(
            QueryResult(
                source=SOURCE,
                query_id=export["id"],
                query=f"{export['database']} export {path.name} ({imported.format})",
                translation=export.get("query"),
                reported=imported.counted,
                records=records,
                responses=[RawResponse(name=path.name, data=data, sha256=digest)],
                controls_removed=imported.controls_removed,
            )
        )
    return results
