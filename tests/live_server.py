"""A local stand-in for NCBI E-utilities and the Scopus Search API, on 127.0.0.1.

It speaks their protocols as the live clients meet them (ESearch with a history server, id
lists and PubMed's 10,000-result paging ceiling, date limits matched at day or at year level,
EFetch by WebEnv/query_key, Scopus Search JSON pages with the 5,000 offset ceiling, PUBYEAR and
ORIG-LOAD-DATE limits, cursors, quota headers and key checks) over pools of generated records,
some dated by a year or a season alone. It answers refusals with the databases' own error
bodies and headers, injects the faults a real network produces, can change a result set
between runs without changing its size, and records when each request arrived so tests can
measure the rate a client kept.
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

# The databases' paging ceilings. The unit tests lower both tenfold, in the server and in the
# clients alike (tests/unit/conftest.py): splitting 1,200 records tests what 12,000 would.
PUBMED_CEILING = 10_000
SCOPUS_CEILING = 5_000
# The secrets clients present in tests; none may appear in a record, message or artifact.
NCBI_KEY, EMAIL, SCOPUS_KEY = "ncbi-secret-key-123", "reviewer@example.org", "scopus-secret-456"
# Short timeouts and back-off so that faults cost milliseconds, not minutes.
FAST = {"timeout": 0.5, "backoff": 0.01, "max_wait": 0.05}


SEASONS = {"Winter": 1, "Spring": 3, "Summer": 6, "Fall": 9}  # month a season's date falls in


@dataclass(frozen=True)
class Generated:
    pmid: str
    year: int
    month: int | None  # None: dated by its year (or season) alone
    title: str
    season: str | None = None

    def day(self) -> tuple[int, int, int]:
        """The date PubMed files it under: a year alone on 1 January, a season on the first
        of its month."""
        if self.month:
            return (self.year, self.month, 15)
        return (self.year, SEASONS.get(self.season, 1), 1)


def pubmed_pool(n: int, first: int = 1990, years: int = 35, start: int = 30_000_000):
    """n records spread over `years` years from `first`; every 50th dated by its year alone
    and every 50th (offset by 25) by a season."""
    return [
        Generated(
            str(start + i),
            first + i % years,
            None if i % 25 == 0 else 1 + i % 12,
            f"Topical ruxolitinib cream in alopecia areata: case report {i}",
            season=list(SEASONS)[i // 25 % 4] if i % 50 == 25 else None,
        )
        for i in range(n)
    ]


@dataclass(frozen=True)
class Given:
    """A record served as it was written (a matrix review's), dated mid-year."""

    pmid: str
    year: int
    xml: str  # its PubmedArticle

    def day(self) -> tuple[int, int, int]:
        return (self.year, 6, 15)


def pubmed_article(record: Generated | Given) -> str:
    if isinstance(record, Given):
        return record.xml
    month = f"<Month>{record.month:02d}</Month>" if record.month else ""
    season = f"<Season>{record.season}</Season>" if record.season else ""
    return (
        "<PubmedArticle><MedlineCitation Status='MEDLINE' Owner='NLM'>"
        f"<PMID Version='1'>{record.pmid}</PMID><Article><Journal><JournalIssue>"
        f"<PubDate><Year>{record.year}</Year>{month}{season}</PubDate>"
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
    """A Scopus entry; it entered Scopus (ORIG-LOAD-DATE) a month after its cover date."""
    return {
        "load-date": f"{year}0701",
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

    def __init__(
        self,
        pubmed_records: int,
        scopus_records: int,
        scopus_key: str,
        ncbi_key: str | None = None,
        pubmed_ceiling: int = PUBMED_CEILING,
        scopus_ceiling: int = SCOPUS_CEILING,
    ) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        # Queries pick a pool by a word in them: "dense" (one year of 5 % more records than the
        # ceiling), "big", anything else the first 40 of "big".
        self.pubmed_ceiling, self.scopus_ceiling = pubmed_ceiling, scopus_ceiling
        self.pubmed = pubmed_pool(pubmed_records)
        self.dense = pubmed_pool(pubmed_ceiling * 21 // 20, first=2020, years=1, start=40_000_000)
        self.scopus = [scopus_entry(i, 1995 + i % 30) for i in range(scopus_records)]
        # Pools served as given, by a word their query holds: word -> (PubMed, Scopus entries).
        self.catalogue: dict[str, tuple[list[Given], list[dict]]] = {}
        self.scopus_key = scopus_key
        self.ncbi_key = ncbi_key  # when set, any other api_key is refused as NCBI refuses it
        self.date_precision = "day"  # or "year": a date limit matched by its year alone
        self.scopus_quota_left = 20_000
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

    def swap_pubmed(self, position: int) -> str:
        """Replace one record of the big pool by a new one of the same date: the result set
        keeps its size but lost a record and gained another. Returns the lost PMID."""
        old = self.pubmed[position]
        self.pubmed[position] = Generated(
            str(90_000_000 + position),
            old.year,
            old.month,
            f"{old.title} (replacement)",
            old.season,
        )
        return old.pmid

    def swap_scopus(self, position: int) -> str:
        old = self.scopus[position]
        self.scopus[position] = {**old, "eid": f"2-s2.0-{99_000_000_000 + position}"}
        return old["eid"]

    def environment(self, key: bool = True) -> dict[str, str]:
        """What a client's environment holds to search this server (with or without NCBI's key)."""
        return {
            "NCBI_EUTILS_URL": self.url,
            "NCBI_EMAIL": EMAIL,
            **({"NCBI_API_KEY": NCBI_KEY} if key else {}),
            "SCOPUS_API_URL": self.url,
            "SCOPUS_API_KEY": SCOPUS_KEY,
        }

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
        key = _one(params, "api_key")
        if (
            endpoint.endswith(".fcgi")
            and self.server.ncbi_key
            and key
            and key != self.server.ncbi_key
        ):
            # NCBI's reply to a wrong key, which echoes the key back
            refusal = {
                "error": "API key invalid",
                "api-key": key,
                "type": "api-key",
                "status": "error",
            }
            self._send(400, json.dumps(refusal).encode(), "application/json", {})
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
        given = [pools[0] for word, pools in self.server.catalogue.items() if word in term]
        if given:
            pool = given[0]
        elif "dense" in term:
            pool = self.server.dense
        else:
            pool = self.server.pubmed if "big" in term else self.server.pubmed[:40]
        low, high = _one(params, "mindate"), _one(params, "maxdate")
        if low and high:
            lo, hi = tuple(map(int, low.split("/"))), tuple(map(int, high.split("/")))
            if self.server.date_precision == "year":
                pool = [r for r in pool if lo[0] <= r.year <= hi[0]]
            else:
                pool = [r for r in pool if lo <= r.day() <= hi]
        return pool

    def _esearch(self, params: dict) -> bytes:
        if not _one(params, "term", "").strip():
            return (
                b"<?xml version='1.0' encoding='UTF-8' ?><eSearchResult>"
                b"<ERROR>Empty term and query_key - nothing todo</ERROR></eSearchResult>"
            )
        found = self._matching(params)
        webenv = f"MCID_{len(self.server.history)}"
        self.server.history[webenv] = found
        term = escape(_one(params, "term", ""))
        retmax = int(_one(params, "retmax", "20"))
        ids = "".join(f"<Id>{r.pmid}</Id>" for r in found[:retmax])
        return (
            "<?xml version='1.0' encoding='UTF-8' ?><eSearchResult>"
            f"<Count>{len(found)}</Count><RetMax>{min(retmax, len(found))}</RetMax>"
            f"<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
            f"<IdList>{ids}</IdList>"
            f"<QueryTranslation>{term}[All Fields]</QueryTranslation></eSearchResult>"
        ).encode()

    def _efetch(self, params: dict, short: bool = False) -> bytes:
        found = self.server.history[_one(params, "WebEnv")]
        start, size = int(_one(params, "retstart", "0")), int(_one(params, "retmax", "20"))
        if start + 1 > self.server.pubmed_ceiling:
            return b"<eFetchResult><ERROR>Search Backend failed</ERROR></eFetchResult>"
        page = found[start : min(start + size, self.server.pubmed_ceiling)]
        if short:  # a record withdrawn between ESearch and EFetch
            page = page[:-1]
        articles = "".join(pubmed_article(r) for r in page)
        return f"<?xml version='1.0' ?><PubmedArticleSet>{articles}</PubmedArticleSet>".encode()

    def _scopus(self, params: dict) -> tuple[int, bytes, dict]:
        if self.headers.get("X-ELS-APIKey") != self.server.scopus_key:
            refusal = {
                "service-error": {
                    "status": {
                        "statusCode": "AUTHENTICATION_ERROR",
                        "statusText": "Invalid API Key",
                    }
                }
            }
            return 401, json.dumps(refusal).encode(), {}
        reset = str(int(time.time()) + 6 * 86_400)
        if self.server.scopus_quota_left <= 0:
            refusal = {
                "error-response": {
                    "error-code": "TOO_MANY_REQUESTS",
                    "error-message": "Quota Exceeded",
                }
            }
            headers = {
                "X-ELS-Status": "QUOTA_EXCEEDED - Quota Exceeded",
                "X-RateLimit-Limit": "20000",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            }
            return 429, json.dumps(refusal).encode(), headers
        self.server.scopus_quota_left -= 1
        query = _one(params, "query", "")
        given = [pools[1] for word, pools in self.server.catalogue.items() if word in query]
        if given:
            pool = given[0]
        else:
            pool = self.server.scopus if "big" in query else self.server.scopus[:30]
        pool = [e for e in pool if _scopus_limits(query, e)]
        count = int(_one(params, "count", "25"))
        cursor = _one(params, "cursor")
        start = (
            int(base64.b64decode(cursor))
            if cursor and cursor != "*"
            else int(_one(params, "start", "0"))
        )
        if cursor is None and start + count > self.server.scopus_ceiling:
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
            "X-RateLimit-Limit": "20000",
            "X-RateLimit-Remaining": str(self.server.scopus_quota_left),
            "X-RateLimit-Reset": reset,
        }
        return 200, json.dumps({"search-results": results}).encode(), quota


LIMIT = re.compile(r"(PUBYEAR|ORIG-LOAD-DATE) *(>|<|=|AFT|BEF|IS) *(\d+)")
PASSES = {
    ">": int.__gt__,
    "AFT": int.__gt__,
    "<": int.__lt__,
    "BEF": int.__lt__,
    "=": int.__eq__,
    "IS": int.__eq__,
}


def _scopus_limits(query: str, entry: dict) -> bool:
    """Whether an entry passes the query's PUBYEAR and ORIG-LOAD-DATE limits."""
    dated = {
        "PUBYEAR": int(entry["prism:coverDate"][:4]),
        "ORIG-LOAD-DATE": int(entry["load-date"]),
    }
    return all(PASSES[op](dated[name], int(value)) for name, op, value in LIMIT.findall(query))
