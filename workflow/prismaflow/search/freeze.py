"""Freezing a finished live search into a snapshot others can replay offline.

The snapshot holds every raw response exactly as the database sent it (checked against the
sha256 the search log recorded) and a manifest in the form snapshot replay reads, so a replay
goes through the same parsers and the same reconciliation as the live run did.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from prismaflow.errors import InputFileError
from prismaflow.parquet_io import read_frame
from prismaflow.provenance import sha256_bytes
from prismaflow.search.results import APIS

SEARCHED = ("pubmed", "scopus")  # file imports are configured files, not recorded responses


def freeze(search_dir: Path, target: Path, name: str) -> dict[str, Any]:
    """Write target/snapshot.json and the responses; returns the manifest."""
    log_path = search_dir / "search_log.parquet"
    if not log_path.is_file():
        raise InputFileError(log_path, "no search log here", fix="run `snakemake search` first")
    if target.exists():
        raise InputFileError(target, "already exists", fix="choose another name or remove it")
    log = read_frame(log_path)
    log = log[log["source"].isin(SEARCHED)]
    manifest: dict[str, Any] = {
        "name": name,
        "recorded_at": min(v for v in log["started_at"] if v) if len(log) else None,
        "reconstructed": False,
        "sources": {},
    }
    for row in log.to_dict("records"):
        responses = []
        for raw, digest in zip(row["raw_files"], row["raw_sha256"], strict=True):
            data = gzip.decompress((search_dir / "raw" / raw).read_bytes())
            if sha256_bytes(data) != digest:
                raise InputFileError(
                    search_dir / "raw" / raw,
                    "differs from the sha256 the search log recorded",
                    fix="the raw responses must not be edited; run the search again",
                )
            relative = raw.removesuffix(".gz")
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            (target / relative).write_bytes(data)
            responses.append({"file": relative, "sha256": digest})
        source = manifest["sources"].setdefault(
            row["source"], {"api": APIS[row["source"]], "queries": {}}
        )
        source["queries"][row["query_id"]] = {
            "query": row["query"],
            "window": {"start": row["window_start"], "end": row["window_end"]},
            "date_limit": row["date_limit"],
            "mode": row["mode"],
            "responses": responses,
        }
    target.mkdir(parents=True, exist_ok=True)
    (target / "snapshot.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
