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
from prismaflow.formats.esearch import parse_esearch
from prismaflow.formats.pubmed_xml import parse_pubmed_xml
from prismaflow.formats.scopus_json import parse_scopus_page
from prismaflow.provenance import sha256_bytes
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


def _pubmed(query_id: str, query: Mapping[str, Any], responses: list[RawResponse]) -> QueryResult:
    # The first ESearch is the whole query's; a live search split into date windows adds one
    # ESearch per window (esearch_<start>_<end>.xml). Everything else is an EFetch page.
    search = responses[0]
    fetches = [r for r in responses if not r.name.startswith("esearch")]
    esearch = parse_esearch(search.data, search.name)
    result = QueryResult(
        "pubmed",
        query_id,
        query["query"],
        esearch.query_translation,
        esearch.count,
        responses=responses,
    )
    for response in fetches:
        for record in parse_pubmed_xml(response.data, f"pubmed/{query_id}/{response.name}"):
            result.records.append({**record, "raw_sha256": response.sha256})
    fetched = {r["pmid"] for r in result.records}
    missing = sorted(set(esearch.ids) - fetched)
    if missing:
        raise ReconciliationError(
            f"pubmed query '{query_id}': ESearch listed {len(missing)} PMID(s) that EFetch did "
            f"not return: {missing[:20]}"
        )
    return result


def _scopus(query_id: str, query: Mapping[str, Any], responses: list[RawResponse]) -> QueryResult:
    """Pages of one result set, or, for a query split into years (y<year>_page_*.json after a
    probe.json of the whole), pages of each year, whose totals add up to the whole's."""
    pages = {r.name: parse_scopus_page(r.data, f"scopus/{query_id}/{r.name}") for r in responses}
    groups: dict[str, list[tuple[RawResponse, Any]]] = {}
    for response in responses:
        if response.name != "probe.json":
            prefix = response.name.split("page_")[0]
            groups.setdefault(prefix, []).append((response, pages[response.name]))
    totals = {}
    for prefix, members in groups.items():
        found = {page.total_results for _, page in members}
        if len(found) != 1:
            raise ReconciliationError(
                f"scopus query '{query_id}': pages {prefix or ''}* report different totals "
                f"{sorted(found)}; the result set changed during the search, run it again"
            )
        totals[prefix] = found.pop()
    whole = pages.get("probe.json") or pages[responses[0].name]
    if "probe.json" in pages and sum(totals.values()) != whole.total_results:
        raise ReconciliationError(
            f"scopus query '{query_id}': the years hold {sum(totals.values())} of the "
            f"{whole.total_results} records found"
        )
    result = QueryResult(
        "scopus", query_id, query["query"], whole.query, whole.total_results, responses=responses
    )
    for members in groups.values():
        for response, page in members:
            result.records.extend({**r, "raw_sha256": response.sha256} for r in page.records)
    return result


PARSERS = {"pubmed": _pubmed, "scopus": _scopus}


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
        result = PARSERS[source](query_id, recorded[query_id], responses)
        for record in result.records:
            record["query_id"] = query_id
            record["retrieved_at"] = recorded_at
        if len(result.records) != result.reported:
            raise ReconciliationError(
                f"{source} query '{query_id}': the database reported {result.reported} records "
                f"but {len(result.records)} were retrieved "
                f"({result.reported - len(result.records)} "
                "missing); the recorded search is incomplete"
            )
        results.append(result)
    return results
