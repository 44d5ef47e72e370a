"""The live PubMed and Scopus clients against a local server speaking their protocols: every
record retrieved through injected faults, large queries split, interrupted searches resumed,
the rate limit kept as the server measures it, and permanent errors stopped with a reason."""

import json
import subprocess
import sys
import time

import pytest

from prismaflow.search.live.http import SearchError
from prismaflow.search.live.run import live_search
from prismaflow.search.stage import log_rows
from tests.conftest import ROOT
from tests.live_server import EMAIL, FAST, NCBI_KEY, SCOPUS_KEY

WINDOW = {"start": None, "end": "2024-12-31"}


def pubmed(server, tmp_path, term, options=FAST, key=True):
    queries = [{"id": "q", "pubmed": term}]
    return live_search("pubmed", queries, WINDOW, options, server.environment(key), tmp_path)[0]


def test_pubmed_retrieves_everything_through_every_kind_of_fault(fresh, tmp_path):
    fresh.faults.plan.update(
        {
            ("efetch.fcgi", 1): "429",
            ("efetch.fcgi", 2): "500",
            ("efetch.fcgi", 3): "timeout",
            ("efetch.fcgi", 4): "truncate",
            ("efetch.fcgi", 5): "drop",
        }
    )
    result = pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 10})
    assert (result.reported, len(result.records)) == (40, 40)
    assert len({r["pmid"] for r in result.records}) == 40
    assert not fresh.faults.plan  # every planned fault was met and got through
    assert result.requests == 1 + 4 + 5  # ESearch, four pages, five retries
    assert result.translation == "small query[All Fields]"
    assert result.responses[0].name == "esearch.xml"


def test_pubmed_splits_a_query_above_the_paging_ceiling_into_date_windows(fresh, tmp_path):
    result = pubmed(fresh, tmp_path, "big query", {**FAST, "batch_size": 50, "per_second": 1000})
    assert (result.reported, len(result.records)) == (1_200, 1_200)
    assert len({r["pmid"] for r in result.records}) == 1_200
    windows = [r.name for r in result.responses if r.name.startswith("esearch_")]
    assert len(windows) >= 2
    fetched = [params for endpoint, _, params in fresh.requests if endpoint == "efetch.fcgi"]
    assert all(int(p["retstart"][0]) < fresh.pubmed_ceiling for p in fetched)


def test_pubmed_keeps_three_requests_a_second_without_a_key_and_ten_with_one(fresh, tmp_path):
    pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 5}, key=False)
    assert len(fresh.requests) == 9 and fresh.max_per_second() <= 3
    fresh.requests.clear()
    pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 2}, key=True)
    assert len(fresh.requests) == 21 and 3 < fresh.max_per_second() <= 10


def test_an_interrupted_search_resumes_without_fetching_finished_pages(fresh, tmp_path):
    fresh.faults.plan.update({("efetch.fcgi", n): "500" for n in range(3, 3 + 6)})
    with pytest.raises(SearchError, match="still failing after 6 attempts"):
        pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 10})
    first_run = [int(p["retstart"][0]) for e, _, p in fresh.requests if e == "efetch.fcgi"]
    assert sorted(set(first_run)) == [0, 10, 20]  # page 20 failed six times
    fresh.requests.clear()
    result = pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 10})
    resumed = [int(p["retstart"][0]) for e, _, p in fresh.requests if e == "efetch.fcgi"]
    assert resumed == [20, 30] and len(result.records) == 40
    assert not (tmp_path / "pubmed").exists()  # the ledger is cleared once complete


def test_scopus_partitions_by_year_past_the_offset_ceiling(fresh, tmp_path):
    fresh.faults.plan.update({("scopus", 3): "429", ("scopus", 20): "truncate"})
    queries = [{"id": "q", "scopus": "big query"}]
    window = {"start": "1995-01-01", "end": "2024-12-31"}
    options = {**FAST, "per_second": 60}
    (result,) = live_search("scopus", queries, window, options, fresh.environment(), tmp_path)
    assert (result.reported, len(result.records)) == (600, 600)
    assert len({r["scopus_eid"] for r in result.records}) == 600
    starts = [int(p.get("start", ["0"])[0]) for e, _, p in fresh.requests if e == "scopus"]
    assert max(starts) + 25 <= fresh.scopus_ceiling and fresh.max_per_second() <= 60
    minimum = 600 // 25 + 1  # every page once, plus the probe of the whole query
    assert result.requests == minimum + 2  # the two faults cost one retry each


def test_scopus_cursor_paging_when_entitled(fresh, tmp_path):
    queries = [{"id": "q", "scopus": "big query"}]
    options = {**FAST, "per_second": 60, "cursor": True}
    (result,) = live_search("scopus", queries, WINDOW, options, fresh.environment(), tmp_path)
    assert len(result.records) == 600 and result.requests == 24
    assert all("cursor" in p for e, _, p in fresh.requests if e == "scopus")


def test_permanent_errors_stop_at_once_with_a_reason(fresh, tmp_path):
    bad = {**fresh.environment(), "SCOPUS_API_KEY": "wrong"}
    queries = [{"id": "q", "scopus": "small"}]
    with pytest.raises(
        SearchError, match='HTTP 401: "AUTHENTICATION_ERROR Invalid API Key"'
    ) as error:
        live_search("scopus", queries, WINDOW, FAST, bad, tmp_path)
    assert "wrong" not in str(error.value) and len(fresh.requests) == 1
    with pytest.raises(SearchError, match="set SCOPUS_API_KEY"):
        live_search("scopus", queries, WINDOW, FAST, {"SCOPUS_API_URL": fresh.url}, tmp_path)


def test_a_page_that_stays_short_stops_the_search_saying_how_many_are_missing(fresh, tmp_path):
    fresh.faults.plan.update({("efetch.fcgi", n): "short" for n in (1, 2)})
    with pytest.raises(SearchError, match="9 of 10 records in the page"):
        pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 10, "attempts": 2})


def test_the_search_log_records_requests_window_and_times(fresh, tmp_path):
    result = pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 20})
    row = log_rows([result], mode="live", window=WINDOW, timestamp=None).iloc[0]
    assert (row["reported_count"], row["retrieved_count"], row["requests"]) == (40, 40, 3)
    assert row["window_end"] == "2024-12-31" and row["started_at"] <= row["finished_at"]
    assert row["mode"] == "live" and row["raw_files"][0] == "pubmed/q/esearch.xml.gz"
    present = json.loads(row["fields_present"])
    assert (present["title"], present["doi"], present["pmid"], present["volume"]) == (40, 40, 40, 0)


def test_no_secret_reaches_records_or_responses(fresh, tmp_path):
    result = pubmed(fresh, tmp_path, "small query", {**FAST, "batch_size": 20})
    text = repr(result.records) + "".join(r.data.decode() for r in result.responses)
    assert NCBI_KEY not in text and EMAIL not in text
    sent = fresh.requests[0][2]
    assert (
        sent["api_key"] == [NCBI_KEY]
        and sent["email"] == [EMAIL]
        and sent["tool"] == ["prismaflow"]
    )


def test_scopus_needs_its_key_only_in_headers(fresh, tmp_path):
    queries = [{"id": "q", "scopus": "small"}]
    (result,) = live_search("scopus", queries, WINDOW, FAST, fresh.environment(), tmp_path)
    assert len(result.records) == 30
    assert all(SCOPUS_KEY not in str(params) for _, _, params in fresh.requests)


def test_a_search_killed_half_way_resumes_with_only_the_missing_pages(fresh, tmp_path):
    arguments = (
        [{"id": "q", "pubmed": "small"}],
        WINDOW,
        {**FAST, "batch_size": 5},
        fresh.environment(key=False),
    )
    script = (
        "from pathlib import Path\n"
        "from prismaflow.search.live.run import live_search\n"
        f"live_search('pubmed', *{arguments!r}, Path({str(tmp_path)!r}))\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    deadline = time.monotonic() + 30
    while len(fresh.arrivals("efetch.fcgi")) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.kill()
    worker.wait()
    ledger = json.loads((tmp_path / "pubmed" / "q" / "ledger.json").read_text())
    kept = {int(name.split("_")[1].split(".")[0]) for name in ledger["pages"]}
    assert 3 <= len(kept) < 8  # stopped part-way, with finished pages on record
    fresh.requests.clear()
    result = pubmed(fresh, tmp_path, "small", {**FAST, "batch_size": 5}, key=False)
    resumed = {int(p["retstart"][0]) for e, _, p in fresh.requests if e == "efetch.fcgi"}
    assert resumed == set(range(0, 40, 5)) - kept and len(result.records) == 40
