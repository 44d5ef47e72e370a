"""PubMed through the E-utilities: ESearch on the history server, EFetch in batches.

PubMed will not page past its 10,000th result, so a query that finds more is split into date
windows (by `datetype`) each under that ceiling: on year boundaries first, then months, then
days only where one month alone holds more (prismaflow.search.live.partition). Many records
are dated by a year or a season alone; a year boundary never cuts through them, so they are
fetched exactly once, in their year's window.

Each window's ESearch lists its ids, which is the proof that pages kept from an interrupted run
still belong to it and, once fetched, that every record came back once
(prismaflow.search.assemble).

The request protocol follows NCBI's E-utilities as Bio.Entrez sends it (tool, email, api_key,
usehistory, WebEnv/query_key paging); the client is our own so that it can time out, point at
a mirror, resume from a ledger and count its requests.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prismaflow.errors import ReconciliationError
from prismaflow.formats.esearch import ESearchRefused, ESearchResult, parse_esearch
from prismaflow.formats.pubmed_xml import parse_pubmed_xml
from prismaflow.provenance import sha256_bytes
from prismaflow.search.assemble import WHOLE_SEARCH, pubmed_result
from prismaflow.search.live.http import HttpClient, SearchError, TransientError, reset_wait
from prismaflow.search.live.ledger import Ledger
from prismaflow.search.live.partition import partition
from prismaflow.search.live.progress import Progress
from prismaflow.search.results import QueryResult, RawResponse

# PubMed returns no result past this position; an ESearch lists the ids of any window under
# it. Read where used, so that tests can lower it (tests/unit/conftest.py).
PAGE_CEILING = 10_000
EARLIEST = dt.date(1781, 1, 1)  # older than anything MEDLINE indexes
TOOL = "prismaflow"
# ESearch <ERROR> texts that describe NCBI's trouble rather than the query's.
PASSING_TROUBLE = re.compile(r"backend|temporar|try again|timed? ?out|unavailable", re.I)


@dataclass(frozen=True)
class PubMedSettings:
    base_url: str
    email: str | None
    api_key: str | None
    batch_size: int = 500
    datetype: str = "pdat"


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date

    def params(self, datetype: str) -> dict[str, str]:
        return {
            "mindate": self.start.strftime("%Y/%m/%d"),
            "maxdate": self.end.strftime("%Y/%m/%d"),
            "datetype": datetype,
        }

    @property
    def key(self) -> str:
        return f"{self.start:%Y%m%d}_{self.end:%Y%m%d}"

    def describe(self) -> str:
        return f"the dates {self.start:%Y/%m/%d}-{self.end:%Y/%m/%d}"

    def halves(self) -> tuple[Window, Window, bool] | None:
        """Split at the middle year boundary (exact), else month, else day (not exact: a
        database may place a record dated by its year alone in either half, both or none)."""
        start, end = self.start, self.end
        if start.year < end.year:
            middle = (start.year + end.year) // 2
            return (
                Window(start, dt.date(middle, 12, 31)),
                Window(dt.date(middle + 1, 1, 1), end),
                True,
            )
        if start.month < end.month:
            middle = (start.month + end.month) // 2
            last = dt.date(start.year, middle, calendar.monthrange(start.year, middle)[1])
        elif start < end:
            last = start + (end - start) // 2
        else:
            return None
        return Window(start, last), Window(last + dt.timedelta(days=1), end), False


def diagnose(status: int, headers: Mapping[str, str], body: bytes) -> Exception | None:
    """NCBI's reading of a refused request, in its own words (a JSON `error` or an <ERROR>)."""
    said = _ncbi_said(body)
    if status == 400 and said and "api key" in said.lower():
        return SearchError(
            f'NCBI refused the API key ("{said}"): set NCBI_API_KEY to the key shown in your '
            "NCBI account settings, or unset it to search at 3 requests a second"
        )
    if status == 429:
        return TransientError(f"HTTP 429 ({said or 'too many requests'})", reset_wait(headers))
    if 400 <= status < 500 and said:
        return SearchError(
            f'PubMed refused the request (HTTP {status}: "{said}"); check the query in the protocol'
        )
    return None


def _ncbi_said(body: bytes) -> str | None:
    text = body[:4096].decode("utf-8", errors="replace")
    try:
        said = json.loads(text).get("error")
    except (ValueError, AttributeError):
        found = re.search(r"<ERROR>(.*?)</ERROR>", text, re.S)
        said = found.group(1) if found else None
    return " ".join(str(said).split())[:300] if said else None


def _checked_esearch(data: bytes, name: str) -> ESearchResult:
    """The ESearch result; an <ERROR> about the query stops the search (retrying cannot help)."""
    try:
        return parse_esearch(data, name)
    except ESearchRefused as refused:
        if PASSING_TROUBLE.search(refused.said):
            raise
        raise SearchError(
            f'PubMed refused the query ("{refused.said}"); correct it in the protocol'
        ) from None


class PubMedSearch:
    def __init__(self, client: HttpClient, settings: PubMedSettings) -> None:
        self.client = client
        self.settings = settings

    def _params(self, **extra: Any) -> dict[str, Any]:
        params = {"db": "pubmed", "tool": TOOL, **extra}
        if self.settings.email:
            params["email"] = self.settings.email
        if self.settings.api_key:
            params["api_key"] = self.settings.api_key
        return params

    def _esearch(self, term: str, window: Window) -> tuple[ESearchResult, bytes]:
        name = f"esearch_{window.key}.xml"
        reply = self.client.get(
            f"{self.settings.base_url}/esearch.fcgi",
            self._params(
                term=term,
                usehistory="y",
                retmax=PAGE_CEILING - 1,
                **window.params(self.settings.datetype),
            ),
            check=lambda data: _checked_esearch(data, name),
            what=f"PubMed ESearch ({window.describe()})",
        )
        return parse_esearch(reply.data, name), reply.data

    def date_limit(self, window: Window) -> str:
        """The window as it is sent, for the search log."""
        return " ".join(f"{k}={v}" for k, v in window.params(self.settings.datetype).items())

    def search(
        self,
        query_id: str,
        term: str,
        window: Mapping[str, str | None],
        ledger: Ledger,
        progress: Progress,
    ) -> QueryResult:
        start = dt.date.fromisoformat(window["start"]) if window.get("start") else EARLIEST
        whole = Window(start, dt.date.fromisoformat(window["end"]))
        asked: dict[Window, tuple[ESearchResult, bytes]] = {}

        def count(span: Window) -> int:
            asked[span] = self._esearch(term, span)
            return asked[span][0].count

        total = count(whole)
        ledger.begin(f"{term}|{whole}|{total}")
        progress.start(total)
        plan = ledger.plan()
        if plan is None:
            parts = partition(
                whole,
                total,
                count=count,
                split=Window.halves,
                most=PAGE_CEILING - 1,
                describe=Window.describe,
            )
            ledger.save_plan([[w.start.isoformat(), w.end.isoformat(), n] for w, n in parts])
        else:
            parts = [(Window(*map(dt.date.fromisoformat, (a, b))), n) for a, b, n in plan]
        split = parts != [(whole, total)]
        responses = [_raw(WHOLE_SEARCH, asked[whole][1])]
        for part, expected in parts:
            key = part.key if split else ""
            esearch, data = asked[part] if part in asked else self._esearch(term, part)
            if esearch.count != expected:
                raise ReconciliationError(
                    f"pubmed query '{query_id}': {part.describe()} held {expected} records when "
                    f"the search was split and {esearch.count} now: the result set changed; "
                    "run the search again"
                )
            if split:
                responses.append(_raw(f"esearch_{key}.xml", data))
            ledger.prove(
                key,
                sha256_bytes("\n".join(sorted(esearch.ids)).encode()),
                prefix=f"efetch_{key}_" if key else "efetch_",
            )
            for retstart in range(0, esearch.count, self.settings.batch_size):
                name = f"efetch_{key}_{retstart:06d}.xml" if key else f"efetch_{retstart:06d}.xml"
                page = ledger.get(name) or self._efetch(esearch, retstart, name, ledger)
                responses.append(_raw(name, page))
                progress.advance(len(parse_pubmed_xml(page, name)))
        result = pubmed_result(query_id, term, responses, self.settings.datetype)
        result.date_limit = self.date_limit(whole)
        return result

    def _efetch(self, esearch: ESearchResult, retstart: int, name: str, ledger: Ledger) -> bytes:
        expected = min(self.settings.batch_size, esearch.count - retstart)

        def complete(data: bytes) -> None:
            got = len(parse_pubmed_xml(data, name))
            if got != expected:
                raise ReconciliationError(f"{name}: {got} of {expected} records in the page")

        reply = self.client.get(
            f"{self.settings.base_url}/efetch.fcgi",
            self._params(
                query_key=esearch.query_key,
                WebEnv=esearch.webenv,
                retstart=retstart,
                retmax=self.settings.batch_size,
                retmode="xml",
            ),
            check=complete,
            what=f"PubMed EFetch ({name})",
        )
        ledger.put(name, reply.data)
        return reply.data


def _raw(name: str, data: bytes) -> RawResponse:
    return RawResponse(name, data, sha256_bytes(data))


def default_settings(environment: Mapping[str, str], options: Mapping[str, Any]) -> PubMedSettings:
    return PubMedSettings(
        base_url=environment.get(
            "NCBI_EUTILS_URL", "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
        ).rstrip("/"),
        email=environment.get("NCBI_EMAIL"),
        api_key=environment.get("NCBI_API_KEY"),
        batch_size=int(options.get("batch_size", 500)),
        datetype=options.get("datetype", "pdat"),
    )
