"""A local stand-in for NCBI E-utilities and the Scopus Search API, on 127.0.0.1.

It speaks their protocols as the live clients meet them (ESearch with a history server and
PubMed's 10,000-result paging ceiling, EFetch by WebEnv/query_key, Scopus Search JSON pages
with the 5,000 offset ceiling, cursors, quota headers and key checks) over a pool of
generated records, injects the faults a real network produces, and records when each request
arrived so tests can measure the rate a client kept.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from xml.sax.saxutils import escape

PUBMED_CEILING = 10_000
SCOPUS_CEILING = 5_000


@dataclass(frozen=True)
class Generated:
    pmid: str
    year: int
    month: int
    title: str


def pubmed_pool(n: int) -> list[Generated]:
    """n records spread over 1990-2024, every month used."""
    return [
        Generated(
            str(30_000_000 + i),
            1990 + i % 35,
            1 + i % 12,
            f"Topical ruxolitinib cream in alopecia areata: case report {i}",
        )
        for i in range(n)
    ]


def pubmed_article(record: Generated) -> str:
    return (
        "<PubmedArticle><MedlineCitation Status='MEDLINE' Owner='NLM'>"
        f"<PMID Version='1'>{record.pmid}</PMID><Article><Journal><JournalIssue>"
        f"<PubDate><Year>{record.year}</Year><Month>{record.month:02d}</Month></PubDate>"
        "</JournalIssue><Title>Journal of Generated Results</Title></Journal>"
        f"<ArticleTitle>{escape(record.title)}</ArticleTitle>"
        "<Abstract><AbstractText>Case report of a patient who applied ruxolitinib 1.5% cream "
        "twice daily.</AbstractText></Abstract>"
        "<AuthorList><Author><LastName>Tester</LastName><Initials>A</Initials></Author>"
        "</AuthorList><Language>eng</Language></Article></MedlineCitation><PubmedData>"
        f"<ArticleIdList><ArticleId IdType='pubmed'>{record.pmid}</ArticleId>"
        f"<ArticleId IdType='doi'>10.5555/gen.{record.pmid}</ArticleId></ArticleIdList>"
        "</PubmedData></PubmedArticle>"
    )


def scopus_entry(i: int, year: int) -> dict:
    return {
        "eid": f"2-s2.0-{85_000_000_000 + i}",
        "dc:title": f"Ruxolitinib cream for lichen planus: case report {i}",
        "dc:creator": "Tester A.",
        "prism:publicationName": "Generated Journal",
        "prism:coverDate": f"{year}-06-01",
        "prism:doi": f"10.5555/sco.{i}",
        "subtypeDescription": "Article",
    }


@dataclass
class Faults:
    """(endpoint, n-th request to it, 1-based) -> fault: 429, 500, timeout, truncate (half a
    body), drop (connection closed), short (an EFetch page one record short)."""

    plan: dict[tuple[str, int], str] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def next(self, endpoint: str) -> str | None:
        self.seen[endpoint] += 1
        return self.plan.pop((endpoint, self.seen[endpoint]), None)


class FakeDatabases(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, pubmed_records: int, scopus_records: int, scopus_key: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.pubmed = pubmed_pool(pubmed_records)
        self.scopus = [scopus_entry(i, 1995 + i % 30) for i in range(scopus_records)]
        self.scopus_key = scopus_key
        self.faults = Faults()
        self.history: dict[str, list[Generated]] = {}
        self.requests: list[tuple[str, float, dict]] = []  # endpoint, arrival, parameters
        self.stall = 2.0  # how long a "timeout" fault keeps the client waiting
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def arrivals(self, endpoint: str | None = None) -> list[float]:
        return [t for e, t, _ in self.requests if endpoint is None or e == endpoint]

    def max_per_second(self) -> int:
        """The most requests that arrived within any one second."""
        times = sorted(self.arrivals())
        return max((sum(1 for u in times if t <= u < t + 1.0) for t in times), default=0)

    def start(self) -> FakeDatabases:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


def _one(params: dict, name: str, default: str | None = None) -> str | None:
    return params.get(name, [default])[0]


class Handler(BaseHTTPRequestHandler):
    server: FakeDatabases

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = parse_qs(url.query)
        endpoint = url.path.rsplit("/", 1)[-1]
        with self.server.lock:
            self.server.requests.append((endpoint, time.monotonic(), params))
            fault = self.server.faults.next(endpoint)
        if fault == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault == "timeout":
            time.sleep(self.server.stall)
        if fault in ("429", "500"):
            self._send(int(fault), b"busy", "text/plain", {"Retry-After": "0"})
            return
        if endpoint == "esearch.fcgi":
            status, body, kind, headers = 200, self._esearch(params), "text/xml", {}
        elif endpoint == "efetch.fcgi":
            body = self._efetch(params, short=fault == "short")
            status, kind, headers = 200, "text/xml", {}
        elif endpoint == "scopus":
            status, body, headers = self._scopus(params)
            kind = "application/json"
        else:
            status, body, kind, headers = 404, b"no such endpoint", "text/plain", {}
        if fault == "truncate":
            body = body[: len(body) // 2]
        self._send(status, body, kind, headers)

    def _send(self, status: int, body: bytes, kind: str, headers: dict) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        # A client that gave up waiting (a "timeout" fault) has closed the connection.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def _matching(self, params: dict) -> list[Generated]:
        term = _one(params, "term", "")
        pool = self.server.pubmed if "big" in term else self.server.pubmed[:40]
        low, high = _one(params, "mindate"), _one(params, "maxdate")
        if low and high:
            lo, hi = tuple(map(int, low.split("/"))), tuple(map(int, high.split("/")))
            pool = [r for r in pool if lo <= (r.year, r.month, 15) <= hi]
        return pool

    def _esearch(self, params: dict) -> bytes:
        found = self._matching(params)
        webenv = f"MCID_{len(self.server.history)}"
        self.server.history[webenv] = found
        term = escape(_one(params, "term", ""))
        return (
            "<?xml version='1.0' encoding='UTF-8' ?><eSearchResult>"
            f"<Count>{len(found)}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
            f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv><IdList/>"
            f"<QueryTranslation>{term}[All Fields]</QueryTranslation></eSearchResult>"
        ).encode()

    def _efetch(self, params: dict, short: bool = False) -> bytes:
        found = self.server.history[_one(params, "WebEnv")]
        start, size = int(_one(params, "retstart", "0")), int(_one(params, "retmax", "20"))
        if start + 1 > PUBMED_CEILING:
            return b"<eFetchResult><ERROR>Search Backend failed</ERROR></eFetchResult>"
        page = found[start : min(start + size, PUBMED_CEILING)]
        if short:  # a record withdrawn between ESearch and EFetch
            page = page[:-1]
        articles = "".join(pubmed_article(r) for r in page)
        return f"<?xml version='1.0' ?><PubmedArticleSet>{articles}</PubmedArticleSet>".encode()

    def _scopus(self, params: dict) -> tuple[int, bytes, dict]:
        if self.headers.get("X-ELS-APIKey") != self.server.scopus_key:
            return 401, b'{"service-error": {"status": {"statusCode": "AUTHENTICATION_ERROR"}}}', {}
        query = _one(params, "query", "")
        pool = self.server.scopus if "big" in query else self.server.scopus[:30]
        year = re.search(r"PUBYEAR = (\d{4})", query)
        if year:
            pool = [e for e in pool if e["prism:coverDate"].startswith(year.group(1))]
        count = int(_one(params, "count", "25"))
        cursor = _one(params, "cursor")
        start = (
            int(base64.b64decode(cursor))
            if cursor and cursor != "*"
            else int(_one(params, "start", "0"))
        )
        if cursor is None and start + count > SCOPUS_CEILING:
            error = {
                "service-error": {"status": {"statusText": "Exceeds the maximum number allowed"}}
            }
            return 400, json.dumps(error).encode(), {}
        results = {
            "opensearch:totalResults": str(len(pool)),
            "opensearch:startIndex": str(start),
            "opensearch:itemsPerPage": str(count),
            "opensearch:Query": {"@searchTerms": query},
            "entry": pool[start : start + count]
            or [{"@_fa": "true", "error": "Result set was empty"}],
        }
        if cursor is not None:
            results["cursor"] = {"@next": base64.b64encode(str(start + count).encode()).decode()}
        quota = {
            "X-RateLimit-Remaining": "19999",
            "X-RateLimit-Reset": str(int(time.time()) + 3600),
        }
        return 200, json.dumps({"search-results": results}).encode(), quota
