"""Scopus through the Search API: key and institution token in headers, pages of 25, year
partitions when a query would pass the 5,000-result offset ceiling (or cursor paging when the
key is entitled to it), and the quota headers logged as they change.

elsapy, Elsevier's own client, neither retries nor exposes the quota headers, and pages only
by offset, so this is a small client of our own over the shared HTTP client.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prismaflow.errors import ReconciliationError
from prismaflow.formats.scopus_json import ScopusPage, parse_scopus_page
from prismaflow.provenance import sha256_bytes
from prismaflow.search.live.http import HttpClient, Response, SearchError
from prismaflow.search.live.ledger import Ledger
from prismaflow.search.live.progress import Progress
from prismaflow.search.results import QueryResult, RawResponse

log = logging.getLogger(__name__)
OFFSET_CEILING = 5_000  # the Search API refuses start + count beyond this
PAGE_SIZE = 25  # the most a STANDARD or COMPLETE view page may hold
FIRST_YEAR = 1960  # where year partitions start when the protocol searches "from inception"
PROBE = "probe.json"  # the whole query's first page when it is split into years


@dataclass(frozen=True)
class ScopusSettings:
    base_url: str
    api_key: str
    insttoken: str | None = None
    view: str = "STANDARD"
    cursor: bool = False


class ScopusSearch:
    def __init__(self, client: HttpClient, settings: ScopusSettings) -> None:
        self.client = client
        self.settings = settings

    def _headers(self) -> dict[str, str]:
        headers = {"X-ELS-APIKey": self.settings.api_key, "Accept": "application/json"}
        if self.settings.insttoken:
            headers["X-ELS-Insttoken"] = self.settings.insttoken
        return headers

    def _page(self, query: str, name: str, **paging: Any) -> tuple[ScopusPage, Response]:
        reply = self.client.get(
            f"{self.settings.base_url}/content/search/scopus",
            {"query": query, "view": self.settings.view, "count": PAGE_SIZE, **paging},
            headers=self._headers(),
            check=lambda data: parse_scopus_page(data, name),
            what=f"Scopus Search ({name})",
        )
        remaining = reply.headers.get("X-RateLimit-Remaining")
        if remaining is not None:
            log.info("Scopus quota: %s requests left, resets at %s", remaining,
                     reply.headers.get("X-RateLimit-Reset"))  # fmt: skip
        return parse_scopus_page(reply.data, name), reply

    def _partitions(self, query: str, years: range) -> list[str]:
        return [f"({query}) AND PUBYEAR = {year}" for year in years]

    def search(
        self,
        query_id: str,
        query: str,
        window: Mapping[str, str | None],
        cache: Path,
        progress: Progress,
    ) -> QueryResult:
        paging = {"cursor": "*"} if self.settings.cursor else {"start": 0}
        first, first_reply = self._page(query, "page_000000.json", **paging)
        ledger = Ledger(cache / query_id, stamp=f"{query}|{first.total_results}")
        progress.start(first.total_results)
        result = QueryResult("scopus", query_id, query, first.query, first.total_results)
        if first.total_results <= OFFSET_CEILING or self.settings.cursor:
            parts = [("", query, first, first_reply)]
        else:
            start = int(window["start"][:4]) if window.get("start") else FIRST_YEAR
            end = int(window["end"][:4]) if window.get("end") else dt.date.today().year
            parts = []
            for year, part in zip(
                range(start, end + 1), self._partitions(query, range(start, end + 1)), strict=True
            ):
                page, reply = self._page(part, f"y{year}_page_000000.json", start=0)
                if page.total_results > OFFSET_CEILING:
                    raise SearchError(
                        f"scopus query '{query_id}': {page.total_results} records in {year} alone, "
                        f"more than the {OFFSET_CEILING} the API pages through; ask Elsevier for "
                        "cursor access (sources.scopus.cursor: true) or narrow the query"
                    )
                if page.total_results:
                    parts.append((f"y{year}_", part, page, reply))
            in_years = sum(page.total_results for _, _, page, _ in parts)
            if in_years != first.total_results:
                raise ReconciliationError(
                    f"scopus query '{query_id}': {first.total_results} records found but the "
                    f"years {start}-{end} hold {in_years}; widen search.window or narrow the query"
                )
            # The probe of the whole query is evidence too (it gave the reported total), but
            # its records are fetched again within their year.
            result.responses.append(
                RawResponse(PROBE, first_reply.data, sha256_bytes(first_reply.data))
            )
        for prefix, part, page, reply in parts:
            self._collect(result, ledger, prefix, part, page, reply, progress)
        return result

    def _collect(self, result, ledger, prefix, query, first, first_reply, progress) -> None:
        name = f"{prefix}page_000000.json"
        pages = [(name, first, first_reply.data)]
        ledger.put(name, first_reply.data)
        cursor = _next_cursor(first_reply.data) if self.settings.cursor else None
        offset = PAGE_SIZE
        while offset < first.total_results:
            name = f"{prefix}page_{offset:06d}.json"
            data = ledger.get(name)
            if data is None:
                paging = {"cursor": cursor} if cursor else {"start": offset}
                page, reply = self._page(query, name, **paging)
                data = reply.data
                ledger.put(name, data)
            page = parse_scopus_page(data, name)
            cursor = _next_cursor(data) if cursor else None
            pages.append((name, page, data))
            offset += PAGE_SIZE
        for name, page, data in pages:
            response = RawResponse(name, data, sha256_bytes(data))
            result.responses.append(response)
            result.records.extend({**r, "raw_sha256": response.sha256} for r in page.records)
            progress.advance(len(page.records))


def _next_cursor(data: bytes) -> str | None:
    return ((json.loads(data)["search-results"].get("cursor") or {}).get("@next")) or None


def default_settings(environment: Mapping[str, str], options: Mapping[str, Any]) -> ScopusSettings:
    key = environment.get("SCOPUS_API_KEY")
    if not key:
        raise SearchError(
            "live Scopus searches need an API key: set SCOPUS_API_KEY in the environment "
            "(and SCOPUS_INSTTOKEN if your institution gave you one)"
        )
    return ScopusSettings(
        base_url=environment.get("SCOPUS_API_URL", "https://api.elsevier.com").rstrip("/"),
        api_key=key,
        insttoken=environment.get("SCOPUS_INSTTOKEN"),
        view=options.get("view", "STANDARD"),
        cursor=bool(options.get("cursor", False)),
    )
