"""PubMed through the E-utilities: ESearch on the history server, EFetch in batches.

PubMed will not page past its 10,000th result, so a query that finds more is split into date
windows (by `datetype`, halving the range) until each holds fewer; the windows' counts must
add up to the whole, or records without such a date would be lost unseen.

The request protocol follows NCBI's E-utilities as Bio.Entrez sends it (tool, email, api_key,
usehistory, WebEnv/query_key paging); the client is our own so that it can time out, point at
a mirror, resume from a ledger and count its requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prismaflow.errors import ReconciliationError
from prismaflow.formats.esearch import ESearchResult, parse_esearch
from prismaflow.formats.pubmed_xml import parse_pubmed_xml
from prismaflow.provenance import sha256_bytes
from prismaflow.search.live.http import HttpClient, SearchError
from prismaflow.search.live.ledger import Ledger
from prismaflow.search.live.progress import Progress
from prismaflow.search.results import QueryResult, RawResponse

PAGE_CEILING = 10_000  # PubMed returns no result past this position
EARLIEST = dt.date(1781, 1, 1)  # older than anything MEDLINE indexes
TOOL = "prismaflow"


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

    def halves(self) -> tuple[Window, Window]:
        middle = self.start + (self.end - self.start) // 2
        return Window(self.start, middle), Window(middle + dt.timedelta(days=1), self.end)


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

    def _esearch(self, term: str, window: Window | None, name: str) -> tuple[ESearchResult, bytes]:
        dates = window.params(self.settings.datetype) if window else {}
        reply = self.client.get(
            f"{self.settings.base_url}/esearch.fcgi",
            self._params(term=term, usehistory="y", retmax=0, **dates),
            check=lambda data: parse_esearch(data, name),
            what=f"PubMed ESearch ({name})",
        )
        return parse_esearch(reply.data, name), reply.data

    def _windows(self, term: str, whole: Window) -> list[tuple[Window, ESearchResult, bytes]]:
        """Date windows under the ceiling, in date order, each with its own ESearch."""
        pending, done = [whole], []
        while pending:
            window = pending.pop(0)
            name = f"esearch_{window.start:%Y%m%d}_{window.end:%Y%m%d}.xml"
            result, data = self._esearch(term, window, name)
            if result.count < PAGE_CEILING:
                done.append((window, result, data))
            elif window.start == window.end:
                raise SearchError(
                    f"PubMed finds {result.count} records dated {window.start} alone, more than "
                    f"the {PAGE_CEILING} it will page through; narrow the query"
                )
            else:
                pending[:0] = list(window.halves())
        return done

    def search(
        self,
        query_id: str,
        term: str,
        window: Mapping[str, str | None],
        cache: Path,
        progress: Progress,
    ) -> QueryResult:
        start = dt.date.fromisoformat(window["start"]) if window.get("start") else EARLIEST
        whole = Window(start, dt.date.fromisoformat(window["end"]))
        overall, overall_data = self._esearch(term, whole, "esearch.xml")
        # Pages kept from an interrupted run count only for the same query and result count.
        ledger = Ledger(cache / query_id, stamp=f"{term}|{whole}|{overall.count}")
        progress.start(overall.count)
        responses = [RawResponse("esearch.xml", overall_data, sha256_bytes(overall_data))]
        windows = (
            [(whole, overall, overall_data)]
            if overall.count < PAGE_CEILING
            else self._windows(term, whole)
        )
        if len(windows) > 1:
            responses += [RawResponse(n, d, sha256_bytes(d)) for n, d in _named(windows)]
            in_windows = sum(result.count for _, result, _ in windows)
            if in_windows != overall.count:
                raise ReconciliationError(
                    f"pubmed query '{query_id}': {overall.count} records found but the date "
                    f"windows hold {in_windows}; {overall.count - in_windows} have no "
                    f"{self.settings.datetype} date and cannot be paged to"
                )
        result = QueryResult("pubmed", query_id, term, overall.query_translation, overall.count)
        for window_, esearch, _ in windows:
            for retstart in range(0, esearch.count, self.settings.batch_size):
                dated = f"{window_.start:%Y%m%d}_" if len(windows) > 1 else ""
                name = f"efetch_{dated}{retstart:06d}.xml"
                data = ledger.get(name) or self._efetch(esearch, retstart, name, ledger)
                response = RawResponse(name, data, sha256_bytes(data))
                responses.append(response)
                page = parse_pubmed_xml(data, f"pubmed/{query_id}/{name}")
                result.records.extend({**r, "raw_sha256": response.sha256} for r in page)
                progress.advance(len(page))
        result.responses.extend(responses)
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


def _named(windows: list[tuple[Window, ESearchResult, bytes]]) -> list[tuple[str, bytes]]:
    return [(f"esearch_{w.start:%Y%m%d}_{w.end:%Y%m%d}.xml", data) for w, _, data in windows]


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
