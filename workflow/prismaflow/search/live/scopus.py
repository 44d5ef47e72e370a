"""Scopus through the Search API: key and institution token in headers, pages of 25, the
protocol's window in the query as sent, parts by publication year when a query would pass the
5,000-result offset ceiling (or cursor paging when the key is entitled to it), and the quota
headers logged as they change.

The window is Elsevier's documented syntax: `PUBYEAR > y AND PUBYEAR < y` by default, or the
date a record entered Scopus (`ORIG-LOAD-DATE AFT/BEF yyyymmdd`, `window_by: load_date`),
which reproduces what Scopus held on the search date. Parts divide only the window
(prismaflow.search.live.partition), and ranges known to be empty cost no request.

elsapy, Elsevier's own client, neither retries nor exposes the quota headers, and pages only
by offset, so this is a small client of our own over the shared HTTP client.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prismaflow.formats.scopus_json import ScopusPage, parse_scopus_page
from prismaflow.provenance import sha256_bytes
from prismaflow.search.assemble import PROBE, scopus_result
from prismaflow.search.live.http import (
    HttpClient,
    Response,
    SearchError,
    TransientError,
    reset_wait,
)
from prismaflow.search.live.ledger import Ledger
from prismaflow.search.live.partition import partition
from prismaflow.search.live.progress import Progress
from prismaflow.search.results import QueryResult, RawResponse

log = logging.getLogger(__name__)
# The Search API refuses start + count beyond this; read where used, so that tests can lower it.
OFFSET_CEILING = 5_000
PAGE_SIZE = 25  # the most a STANDARD or COMPLETE view page may hold
EARLIEST_YEAR = 1700  # before anything Scopus indexes: where "from inception" parts start


@dataclass(frozen=True)
class ScopusSettings:
    base_url: str
    api_key: str
    insttoken: str | None = None
    view: str = "STANDARD"
    cursor: bool = False
    window_by: str = "pubyear"


@dataclass(frozen=True)
class Years:
    """Publication years first..last, a part of a split search."""

    first: int
    last: int

    @property
    def key(self) -> str:
        return f"y{self.first}" if self.first == self.last else f"y{self.first}-{self.last}"

    def clause(self) -> str:
        return f"PUBYEAR > {self.first - 1} AND PUBYEAR < {self.last + 1}"

    def describe(self) -> str:
        years = self.first if self.first == self.last else f"{self.first}-{self.last}"
        return f"the publication years {years}"

    def halves(self) -> tuple[Years, Years, bool] | None:
        if self.first == self.last:
            return None
        middle = (self.first + self.last) // 2
        return Years(self.first, middle), Years(middle + 1, self.last), True


def window_clause(window: Mapping[str, str | None], window_by: str) -> str:
    """The protocol's window in Scopus query syntax (AFT and BEF exclude the date named)."""
    start = dt.date.fromisoformat(window["start"]) if window.get("start") else None
    end = dt.date.fromisoformat(window["end"])
    if window_by == "load_date":
        day = dt.timedelta(days=1)
        clauses = [f"ORIG-LOAD-DATE AFT {start - day:%Y%m%d}"] if start else []
        clauses.append(f"ORIG-LOAD-DATE BEF {end + day:%Y%m%d}")
    else:
        clauses = [f"PUBYEAR > {start.year - 1}"] if start else []
        clauses.append(f"PUBYEAR < {end.year + 1}")
    return " AND ".join(clauses)


def diagnose(status: int, headers: Mapping[str, str], body: bytes) -> Exception | None:
    """Elsevier's reading of a refused request, from its error body and X-ELS-Status."""
    said = _elsevier_said(body)
    els_status = headers.get("X-ELS-Status", "")
    if status == 429 and "QUOTA_EXCEEDED" in els_status.upper():
        reset = headers.get("X-RateLimit-Reset", "")
        when = (
            dt.datetime.fromtimestamp(int(reset), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            if reset.strip().isdecimal()
            else "the time Elsevier names on your API key's page"
        )
        return SearchError(
            f'the weekly quota of this Scopus API key is used up ("{els_status}"); it resets '
            f"at {when}: run the search again after then (pages fetched so far are kept)"
        )
    if status == 429:
        return TransientError(f"HTTP 429 ({said or 'too many requests'})", reset_wait(headers))
    fixes = {
        400: "Scopus refused the query; correct it in the protocol",
        401: "Elsevier refused the API key; check SCOPUS_API_KEY",
        403: "Elsevier refused access: the key or institution token (SCOPUS_INSTTOKEN) lacks "
        "this entitlement (the view, cursor paging or the institution's subscription)",
    }
    if status in fixes:
        quoted = f': "{said}"' if said else ""
        return SearchError(f"HTTP {status}{quoted}: {fixes[status]}")
    return None


def _elsevier_said(body: bytes) -> str | None:
    try:
        document = json.loads(body[:4096].decode("utf-8", errors="replace"))
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    status = (document.get("service-error") or {}).get("status") or {}
    error = document.get("error-response") or {}
    words = [status.get("statusCode"), status.get("statusText"), error.get("error-message")]
    said = " ".join(str(w) for w in words if w)
    return " ".join(said.split())[:300] or None


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
            log.info(
                "Scopus quota: %s requests left, resets at %s",
                remaining,
                reply.headers.get("X-RateLimit-Reset"),
            )
        return parse_scopus_page(reply.data, name), reply

    def _years(self, window: Mapping[str, str | None]) -> Years:
        first = int(window["start"][:4]) if window.get("start") else EARLIEST_YEAR
        if self.settings.window_by == "load_date":  # a record may be dated after it was loaded
            return Years(first, dt.date.today().year + 1)
        return Years(first, int(window["end"][:4]))

    def search(
        self,
        query_id: str,
        query: str,
        window: Mapping[str, str | None],
        ledger: Ledger,
        progress: Progress,
    ) -> QueryResult:
        limit = window_clause(window, self.settings.window_by)
        sent = f"({query}) AND {limit}"
        paging = {"cursor": "*"} if self.settings.cursor else {"start": 0}
        first, first_reply = self._page(sent, "page_000000.json", **paging)
        total = first.total_results
        ledger.begin(f"{sent}|{total}")
        # The whole query's first page is re-asked on every run: pages kept from an earlier
        # run count only if it still lists the same records.
        ledger.prove("probe", _ids_digest(first), prefix="")
        progress.start(total)
        if total <= OFFSET_CEILING or self.settings.cursor:
            responses = self._collect(ledger, "", sent, first_reply.data, progress)
        else:
            responses = [RawResponse(PROBE, first_reply.data, sha256_bytes(first_reply.data))]
            for years, data in self._parts(sent, self._years(window), total, ledger):
                prefix = f"{years.key}_"
                part = f"{sent} AND {years.clause()}"
                responses += self._collect(ledger, prefix, part, data, progress)
        result = scopus_result(query_id, query, responses)
        result.date_limit = limit
        return result

    def _parts(
        self, sent: str, years: Years, total: int, ledger: Ledger
    ) -> list[tuple[Years, bytes]]:
        """Each part's years and first page: from the ledger's plan when an earlier run made
        one for this result set, so a resumed search asks nothing twice."""
        plan = ledger.plan()
        if plan is None:

            def count(span: Years) -> int:
                page, reply = self._page(
                    f"{sent} AND {span.clause()}", f"{span.key}_page_000000.json", start=0
                )
                ledger.put(f"{span.key}_page_000000.json", reply.data)
                return page.total_results

            parts = partition(
                years,
                total,
                count=count,
                split=Years.halves,
                most=OFFSET_CEILING,
                describe=Years.describe,
            )
            plan = [[span.first, span.last] for span, _ in parts]
            ledger.save_plan(plan)
        found = []
        for first_year, last_year in plan:
            span = Years(first_year, last_year)
            name = f"{span.key}_page_000000.json"
            data = ledger.get(name)
            if data is None:
                _, reply = self._page(f"{sent} AND {span.clause()}", name, start=0)
                ledger.put(name, reply.data)
                data = reply.data
            found.append((span, data))
        return found

    def _collect(self, ledger, prefix, query, first_data, progress) -> list[RawResponse]:
        """A part's pages after its first: from the ledger where proved, else fetched."""
        first = parse_scopus_page(first_data, f"{prefix}page_000000.json")
        offsets = range(PAGE_SIZE, first.total_results, PAGE_SIZE)
        if not self.settings.cursor:
            self._check_boundary(ledger, prefix, query, offsets)
        pages = [(f"{prefix}page_000000.json", first_data)]
        cursor = _next_cursor(first_data) if self.settings.cursor else None
        for offset in offsets:
            name = f"{prefix}page_{offset:06d}.json"
            data = ledger.get(name)
            if data is None:
                paging = {"cursor": cursor} if cursor else {"start": offset}
                _, reply = self._page(query, name, **paging)
                data = reply.data
                ledger.put(name, data)
            cursor = _next_cursor(data) if cursor else None
            pages.append((name, data))
        responses = []
        for name, data in pages:
            responses.append(RawResponse(name, data, sha256_bytes(data)))
            progress.advance(len(parse_scopus_page(data, name).records))
        return responses

    def _check_boundary(self, ledger: Ledger, prefix: str, query: str, offsets: range) -> None:
        """Before a part resumes after pages kept from an earlier run, ask again for the last
        kept page: a record added or removed before it shifts every later page, and pages kept
        across such a shift would lose one record and repeat another."""
        kept = [o for o in offsets if ledger.get(f"{prefix}page_{o:06d}.json") is not None]
        if not kept or len(kept) == len(offsets):
            return
        name = f"{prefix}page_{kept[-1]:06d}.json"
        page, _ = self._page(query, name, start=kept[-1])
        if _ids_digest(page) != _ids_digest(parse_scopus_page(ledger.get(name), name)):
            ledger.drop(prefix)


def _ids_digest(page: ScopusPage) -> str:
    return sha256_bytes("\n".join(r["scopus_eid"] for r in page.records).encode())


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
        window_by=options.get("window_by", "pubyear"),
    )
