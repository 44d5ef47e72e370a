"""A source's live search, query by query: the client for the source, its rate limit, the
reconciliation of retrieved against reported, and the evidence kept for the search log.

Keys and emails come from the environment and go only into request parameters and headers:
never into records, raw-file names, logs or messages.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prismaflow.errors import ReconciliationError
from prismaflow.search.live import pubmed, scopus
from prismaflow.search.live.http import HttpClient, RateLimit
from prismaflow.search.live.progress import Progress
from prismaflow.search.results import QueryResult

# Requests per second each service allows: NCBI 3 without an API key and 10 with one;
# Elsevier's default Search API throttle is 9.
PUBMED_RATE = {False: 3.0, True: 10.0}
SCOPUS_RATE = 9.0


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def searcher(source: str, options: Mapping[str, Any], environment: Mapping[str, str]):
    """The source's client, its rate limit set from whether a key is present."""
    if source == "pubmed":
        settings = pubmed.default_settings(environment, options)
        rate = options.get("per_second") or PUBMED_RATE[bool(settings.api_key)]
        client = HttpClient(RateLimit(rate), **_client_options(options))
        return pubmed.PubMedSearch(client, settings), client
    settings = scopus.default_settings(environment, options)
    client = HttpClient(
        RateLimit(options.get("per_second") or SCOPUS_RATE), **_client_options(options)
    )
    return scopus.ScopusSearch(client, settings), client


def _client_options(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: options[k] for k in ("timeout", "attempts", "backoff", "max_wait") if k in options}


def live_search(
    source: str,
    queries: Sequence[Mapping[str, str]],
    window: Mapping[str, str | None],
    options: Mapping[str, Any],
    environment: Mapping[str, str],
    cache: Path,
) -> list[QueryResult]:
    """Every query of one source; pages fetched before an interruption are kept in `cache`
    and not fetched again, and the cache is cleared once every query is complete."""
    search, client = searcher(source, options, environment)
    results = []
    for query in queries:
        query_id, text = query["id"], query[source]
        before, started = client.requests_made, _now()
        progress = Progress(f"{source}/{query_id}")
        try:
            result = search.search(query_id, text, window, cache / source, progress)
        finally:
            progress.close()
        retrieved_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for record in result.records:
            record["query_id"] = query_id
            record["retrieved_at"] = retrieved_at
        missing = result.reported - len(result.records)
        if missing:
            raise ReconciliationError(
                f"{source} query '{query_id}': the database reported {result.reported} records "
                f"but {len(result.records)} were retrieved ({missing} missing): the result set "
                "changed while it was paged; run the search again"
            )
        result.started_at, result.finished_at = started, _now()
        result.requests = client.requests_made - before
        results.append(result)
    shutil.rmtree(cache / source, ignore_errors=True)
    return results
