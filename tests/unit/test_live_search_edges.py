"""The live clients at the databases' real edges, against the local stand-in: dates matched by
year or by day and records dated by a year or a season alone, the protocol's window sent to
every database, resumes that prove what they reuse, and refusals that stop at once in the
database's own words."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from prismaflow.errors import ReconciliationError
from prismaflow.lifeline import RUN_VARIABLE
from prismaflow.search.assemble import pubmed_result
from prismaflow.search.live.http import SearchError
from prismaflow.search.live.run import live_search
from prismaflow.search.results import RawResponse
from tests.conftest import ROOT
from tests.live_server import FAST, pubmed_article, pubmed_pool

QUICK = {**FAST, "per_second": 1000}  # where the rate is not what is tested
OPEN = {"start": None, "end": "2024-12-31"}


def search(server, tmp_path, source, text, window=OPEN, options=QUICK, environment=None):
    (result,) = live_search(
        source,
        [{"id": "q", source: text}],
        window,
        options,
        environment or server.environment(),
        tmp_path,
    )
    return result


def sent(server, endpoint):
    return [params for e, _, params in server.requests if e == endpoint]


def windows(result):
    return [r.name for r in result.responses if r.name.startswith("esearch_")]


def test_pubmed_splits_on_year_boundaries_where_the_server_matches_dates_by_year(fresh, tmp_path):
    fresh.date_precision = "year"
    result = search(fresh, tmp_path, "pubmed", "big query", options={**QUICK, "batch_size": 50})
    pmids = [r["pmid"] for r in result.records]
    assert (result.reported, len(pmids), len(set(pmids))) == (1_200, 1_200, 1_200)
    for name in windows(result):
        start, end = re.match(r"esearch_(\d{8})_(\d{8})\.xml", name).groups()
        assert start[4:] == "0101" and end[4:] in ("1231",), name  # never inside a year


def test_no_esearch_is_sent_twice_and_ranges_known_empty_cost_nothing(fresh, tmp_path):
    result = search(fresh, tmp_path, "pubmed", "big query", options={**QUICK, "batch_size": 50})
    asked = [(p["mindate"][0], p["maxdate"][0]) for p in sent(fresh, "esearch.fcgi")]
    assert len(asked) == len(set(asked))
    # 1781-1902 and 1903-1963 are empty: each costs the one ESearch of its first half, and
    # their second halves, known from the counts, cost none: the whole query, two empty
    # halves, 1964-1994, 1995-2009 and 2010-2024 (whose count was known but whose ids were not).
    assert len(asked) == 6 and len(windows(result)) == 3
    held = [
        sum(low <= g.year <= high for g in fresh.pubmed)
        for low, high in ((1964, 1994), (1995, 2009), (2010, 2024))
    ]
    assert len(sent(fresh, "efetch.fcgi")) == sum(-(-n // 50) for n in held)


def test_a_year_above_the_ceiling_is_split_by_month_and_year_or_season_dates_come_once(
    fresh, tmp_path
):
    result = search(fresh, tmp_path, "pubmed", "dense query", options={**QUICK, "batch_size": 100})
    pmids = [r["pmid"] for r in result.records]
    assert (result.reported, len(pmids), len(set(pmids))) == (1_050, 1_050, 1_050)
    undated = {g.pmid for g in fresh.dense if g.month is None}
    assert undated and undated <= set(pmids)
    assert all(name.startswith("esearch_2020") for name in windows(result))


def test_a_year_the_server_cannot_split_stops_naming_it(fresh, tmp_path):
    fresh.date_precision = "year"
    with pytest.raises(SearchError, match="does not tell its dates apart") as error:
        search(fresh, tmp_path, "pubmed", "dense query")
    assert "1050 records in the dates 2020/01/01-2020/" in str(error.value)
    assert not sent(fresh, "efetch.fcgi")


def _esearch(count: int, ids: list[str]) -> bytes:
    listed = "".join(f"<Id>{i}</Id>" for i in ids)
    return (
        f"<eSearchResult><Count>{count}</Count><RetMax>{len(ids)}</RetMax><RetStart>0"
        f"</RetStart><IdList>{listed}</IdList></eSearchResult>"
    ).encode()


def _efetch(records) -> bytes:
    return f"<PubmedArticleSet>{''.join(map(pubmed_article, records))}</PubmedArticleSet>".encode()


@pytest.mark.parametrize(("reported", "difference"), [(4, "1 fewer"), (2, "1 more")])
def test_windows_that_do_not_add_up_say_by_how_much_and_which_way(reported, difference):
    records = pubmed_pool(3)
    ids = [r.pmid for r in records]
    responses = [
        RawResponse(name, data, "x")
        for name, data in (
            ("esearch.xml", _esearch(reported, [])),
            ("esearch_20200101_20201231.xml", _esearch(3, ids)),
            ("efetch_20200101_20201231_000000.xml", _efetch(records)),
        )
    ]
    with pytest.raises(ReconciliationError, match=rf"hold 3\b.*\({difference}\)"):
        pubmed_result("q", "term", responses)


def test_scopus_sends_the_window_and_splits_only_inside_it(fresh, tmp_path):
    window = {"start": "1995-01-01", "end": "2022-12-31"}
    result = search(fresh, tmp_path, "scopus", "big query", window)
    years = {int(r["year"]) for r in result.records}
    assert (result.reported, len(result.records)) == (560, 560) and max(years) == 2022
    assert result.date_limit == "PUBYEAR > 1994 AND PUBYEAR < 2023"
    queries = [p["query"][0] for p in sent(fresh, "scopus")]
    assert all("PUBYEAR > 1994 AND PUBYEAR < 2023" in q for q in queries)
    parts = {
        tuple(map(int, m)) for q in queries for m in re.findall(r"> (\d+) AND PUBYEAR < (\d+)$", q)
    }
    assert parts and all(low >= 1994 and high <= 2023 for low, high in parts)
    assert result.requests == len(result.responses)  # every page once, and the query's probe


def test_scopus_window_by_load_date_keeps_what_scopus_held_on_the_search_date(fresh, tmp_path):
    options = {**QUICK, "window_by": "load_date"}
    window = {"start": None, "end": "2004-06-30"}
    result = search(fresh, tmp_path, "scopus", "small", window, options)
    assert result.date_limit == "ORIG-LOAD-DATE BEF 20040701"
    # Each stand-in record entered Scopus on 1 July of its year: 2004's, loaded on the 1st,
    # was not yet there, though its publication year is inside the window.
    assert {int(r["year"]) for r in result.records} == set(range(1995, 2004))
    by_year = search(fresh, tmp_path, "scopus", "small", window)
    assert {int(r["year"]) for r in by_year.records} == set(range(1995, 2005))


def _interrupt(server, tmp_path, source, text, window, options, endpoint, after) -> int:
    """A search that fails for good at its `after`-th request to `endpoint`; the requests it
    made (the server's log is cleared for the next run)."""
    server.faults.seen.clear()
    server.faults.plan.update({(endpoint, n): "500" for n in range(after, after + 6)})
    with pytest.raises(SearchError, match="still failing"):
        search(server, tmp_path, source, text, window, options)
    server.faults.plan.clear()
    made = len(server.requests)
    server.first_run_requests = list(server.requests)
    server.requests.clear()
    return made


def test_a_resumed_pubmed_search_refetches_a_window_whose_ids_changed(fresh, tmp_path):
    options = {**QUICK, "batch_size": 10}
    first_run = _interrupt(fresh, tmp_path, "pubmed", "small", OPEN, options, "efetch.fcgi", 3)
    lost = fresh.swap_pubmed(5)  # on page 0, fetched before the interruption
    try:
        result = search(fresh, tmp_path, "pubmed", "small", OPEN, options)
    finally:
        fresh.pubmed[5] = pubmed_pool(6)[5]
    pmids = [r["pmid"] for r in result.records]
    assert lost not in pmids and "90000005" in pmids and len(set(pmids)) == 40
    # The window's id list disproved the kept pages before any was used: one ESearch, four pages.
    assert [int(p["retstart"][0]) for p in sent(fresh, "efetch.fcgi")] == [0, 10, 20, 30]
    assert len(fresh.requests) == 1 + 4
    assert result.requests == first_run + len(fresh.requests)  # both runs counted


def test_a_resumed_scopus_search_whose_pages_shifted_loses_nothing(fresh, tmp_path):
    window = {"start": "1995-01-01", "end": "2004-12-31"}  # 200 records, one part
    _interrupt(fresh, tmp_path, "scopus", "big", window, QUICK, "scopus", after=5)
    original = list(fresh.scopus)
    added = {**fresh.scopus[120], "eid": "2-s2.0-99999999999"}
    fresh.scopus.insert(120, added)  # after the probe's page, before the resume point
    removed = fresh.scopus.pop(
        max(i for i, e in enumerate(fresh.scopus) if e["load-date"] < "2005")
    )
    try:
        result = search(fresh, tmp_path, "scopus", "big", window)
    finally:
        fresh.scopus[:] = original
    eids = [r["scopus_eid"] for r in result.records]
    assert len(eids) == len(set(eids)) == 200
    # The probe, the last kept page asked again (it had shifted), then every later page afresh.
    assert len(fresh.requests) == 1 + 1 + 200 // 25 - 1
    assert added["eid"] in eids and removed["eid"] not in eids


def test_an_invalid_ncbi_key_stops_at_once_in_ncbis_words(fresh, tmp_path):
    environment = {**fresh.environment(), "NCBI_API_KEY": "not-my-key"}
    with pytest.raises(SearchError, match=r'NCBI refused the API key \("API key invalid"\)') as err:
        search(fresh, tmp_path, "pubmed", "small", environment=environment)
    assert "not-my-key" not in str(err.value) and len(fresh.requests) == 1


def test_an_esearch_error_about_the_query_stops_at_once(fresh, tmp_path):
    with pytest.raises(SearchError, match="Empty term and query_key - nothing todo"):
        search(fresh, tmp_path, "pubmed", " ")
    assert len(fresh.requests) == 1


def test_an_exhausted_scopus_quota_stops_at_once_naming_the_reset(fresh, tmp_path):
    fresh.scopus_quota_left = 0
    started = time.monotonic()
    with pytest.raises(
        SearchError, match=r"weekly quota .* resets at \d{4}-\d\d-\d\d \d\d:\d\d UTC"
    ):
        search(fresh, tmp_path, "scopus", "small", options={**QUICK, "max_wait": 900})
    assert len(fresh.requests) == 1 and time.monotonic() - started < 5


def test_each_retry_is_one_line_on_the_terminal_with_its_wait(fresh, tmp_path, capsys):
    fresh.faults.plan.update({("efetch.fcgi", 1): "500", ("efetch.fcgi", 2): "429"})
    search(fresh, tmp_path, "pubmed", "small", options={**QUICK, "batch_size": 20})
    lines = [line for line in capsys.readouterr().err.splitlines() if "retry" in line]
    assert len(lines) == 2 and all(re.search(r"retry \d of 5 in [\d.]+ s$", line) for line in lines)
    assert "HTTP 500" in lines[0] and "HTTP 429" in lines[1]


def test_a_search_stops_its_requests_when_its_run_is_gone(fresh, tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    arguments = (
        [{"id": "q", "pubmed": "small"}],
        OPEN,
        {**FAST, "batch_size": 1, "per_second": 5},
        fresh.environment(key=False),
    )
    script = (
        "from pathlib import Path\n"
        "from prismaflow.search.live.run import live_search\n"
        f"live_search('pubmed', *{arguments!r}, Path({str(tmp_path)!r}))\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, RUN_VARIABLE: str(owner.pid)},
    )
    deadline = time.monotonic() + 30
    while len(fresh.arrivals("efetch.fcgi")) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    owner.send_signal(signal.SIGKILL)  # not reaped yet: a zombie counts as gone too
    assert worker.wait(timeout=10) != 0
    fetched = len(fresh.arrivals("efetch.fcgi"))
    time.sleep(1.0)
    assert len(fresh.arrivals("efetch.fcgi")) == fetched < 40
    assert "the Snakemake run that started this search has stopped" in worker.stderr.read()
    owner.wait()


def test_a_resumed_split_pubmed_search_asks_only_for_its_proofs_and_missing_pages(fresh, tmp_path):
    options = {**QUICK, "batch_size": 50}
    _interrupt(fresh, tmp_path, "pubmed", "big query", OPEN, options, "efetch.fcgi", after=15)
    result = search(fresh, tmp_path, "pubmed", "big query", OPEN, options)
    held = [
        sum(low <= g.year <= high for g in fresh.pubmed)
        for low, high in ((1964, 1994), (1995, 2009), (2010, 2024))
    ]
    pages = sum(-(-n // 50) for n in held)
    # The whole query's ESearch, each window's ESearch (its id list is the proof), and the
    # pages from the failed one on: no split is asked again, no finished page fetched again.
    assert len(sent(fresh, "esearch.fcgi")) == 1 + len(held)
    assert len(sent(fresh, "efetch.fcgi")) == pages - 14
    assert len({r["pmid"] for r in result.records}) == 1_200


def test_a_resumed_split_scopus_search_asks_only_for_its_proofs_and_missing_pages(fresh, tmp_path):
    def asked(requests):
        return [(p["query"][0], p.get("start", ["0"])[0]) for e, _, p in requests if e == "scopus"]

    _interrupt(fresh, tmp_path, "scopus", "big query", OPEN, QUICK, "scopus", after=15)
    first_run = asked(fresh.first_run_requests)
    result = search(fresh, tmp_path, "scopus", "big query", OPEN)
    again = set(asked(fresh.requests)) & set(first_run[:-6])  # the six failures aside
    # Asked again: only the probe (the whole query's first page) and the last kept page of the
    # part that was cut short; no part's split and no finished page.
    assert len(again) == 2 and (first_run[0] in again)
    assert len({r["scopus_eid"] for r in result.records}) == result.reported == 600
