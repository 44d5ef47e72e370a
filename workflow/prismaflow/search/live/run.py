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
from prismaflow.search.live.http import HttpClient, RateLimit, say
from prismaflow.search.live.ledger import Ledger
from prismaflow.search.live.progress import Progress
from prismaflow.search.results import QueryResult

# Requests per second each service allows: NCBI 3 without an API key and 10 with one;
# Elsevier's default Search API throttle is 9.
PUBMED_RATE = {False: 3.0, True: 10.0}
SCOPUS_RATE = 9.0
# What the environment holds that must never appear in a message, log or artifact.
SECRETS = ("NCBI_API_KEY", "NCBI_EMAIL", "SCOPUS_API_KEY", "SCOPUS_INSTTOKEN")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def searcher(source: str, options: Mapping[str, Any], environment: Mapping[str, str]):
    """The source's client, its rate limit set from whether a key is present, and every secret
    it holds, which its messages blank out."""
    secrets = tuple(environment.get(name, "") for name in SECRETS)
    if source == "pubmed":
        settings = pubmed.default_settings(environment, options)
        rate = options.get("per_second") or PUBMED_RATE[bool(settings.api_key)]
        client = HttpClient(
            RateLimit(rate), secrets=secrets, diagnose=pubmed.diagnose, **_client_options(options)
        )
        return pubmed.PubMedSearch(client, settings), client
    settings = scopus.default_settings(environment, options)
    client = HttpClient(
        RateLimit(options.get("per_second") or SCOPUS_RATE),
        secrets=secrets,
        diagnose=scopus.diagnose,
        **_client_options(options),
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
    """Every query of one source; what an interrupted run fetched is kept in `cache` and, once
    proved to belong to the same result set, not fetched again. The cache is cleared once every
    query is complete; its count of requests goes into each query's `requests`."""
    search, client = searcher(source, options, environment)
    results = []
    for query in queries:
        query_id, text = query["id"], query[source]
        ledger = Ledger(cache / source / query_id)
        earlier, before, started = ledger.earlier_requests, client.requests_made, _now()
        progress = Progress(f"{source}/{query_id}")
        try:
            try:
                result = search.search(query_id, text, window, ledger, progress)
            except ReconciliationError as exc:
                if not ledger.reused:
                    raise
                say(
                    f"{source}/{query_id}: pages kept from an earlier run no longer add up "
                    f"({exc}); fetching the query afresh"
                )
                ledger.forget()
                result = search.search(query_id, text, window, ledger, progress)
        finally:
            progress.close()
            ledger.spend(client.requests_made - before)
        retrieved_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for record in result.records:
            record["query_id"] = query_id
            record["retrieved_at"] = retrieved_at
        result.started_at, result.finished_at = started, _now()
        result.requests = earlier + client.requests_made - before
        results.append(result)
    shutil.rmtree(cache / source, ignore_errors=True)
    return results
