"""The review run live by Snakemake against the local stand-in databases: the records, the
PRISMA-S log, no secret anywhere in results, logs or the report, and the finished search
frozen into a snapshot that replays to the same records."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time

import pytest

from prismaflow import catalog
from prismaflow.sandbox import copy_project
from tests.integration.conftest import prismaflow, read, snakemake
from tests.live_server import FakeDatabases

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_live_workflow")]
SECRETS = {
    "NCBI_API_KEY": "ncbi-dummy-key-0123456789",
    "NCBI_EMAIL": "secret.reviewer@example.org",
    "SCOPUS_API_KEY": "scopus-dummy-key-9876543210",
    "SCOPUS_INSTTOKEN": "insttoken-dummy-5555",
}
LIVE = """search:
  sources:
    pubmed: {mode: live, batch_size: 10, timeout: 5, backoff: 0.05}
    scopus: {mode: live, per_second: 20, timeout: 5, backoff: 0.05}
"""


@pytest.fixture(scope="module")
def live_run(tmp_path_factory):
    server = FakeDatabases(
        pubmed_records=100, scopus_records=60, scopus_key=SECRETS["SCOPUS_API_KEY"]
    )
    server.start()
    server.faults.plan.update({("efetch.fcgi", 2): "500", ("scopus", 2): "429"})
    directory = copy_project(tmp_path_factory.mktemp("live"))
    (directory / "live.yaml").write_text(LIVE)
    env = {**os.environ, **SECRETS, "NCBI_EUTILS_URL": server.url, "SCOPUS_API_URL": server.url}
    done = snakemake(directory, "--configfile", "live.yaml", env=env, check=False)
    server.shutdown()
    assert done.returncode == 0, done.stderr[-3000:]
    return directory, done


def test_live_search_runs_through_the_workflow(live_run):
    directory, _ = live_run
    log = read(directory, "search_log")
    assert set(log["mode"]) == {"live"}
    assert (log["reported_count"] == log["retrieved_count"]).all()
    assert (log["window_end"] == "2024-09-30").all() and log["started_at"].notna().all()
    # ESearch and four pages of ten each; the first query also met the injected 500.
    assert log.loc[log["source"] == "pubmed", "requests"].tolist() == [6, 5]
    verdict = catalog.gate_verdict("search", directory / "results").read_text()
    assert '"success": true' in verdict


def test_no_secret_is_written_anywhere(live_run):
    directory, done = live_run
    texts = [done.stdout, done.stderr]
    assert (directory / "results" / "report" / "review.html").is_file()
    for root in (directory / "results", directory / ".snakemake"):
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                texts.append(
                    (gzip.decompress(data) if path.suffix == ".gz" else data).decode(
                        "utf-8", errors="replace"
                    )
                )
    everything = "\n".join(texts)
    for name, value in SECRETS.items():
        assert value not in everything, f"{name} leaked"


def test_a_frozen_live_search_replays_to_the_same_records(live_run):
    directory, _ = live_run
    frozen = prismaflow(directory, "snapshot", "recorded")
    assert frozen.returncode == 0, frozen.stderr
    assert "4 queries from pubmed, scopus frozen" in frozen.stdout
    live = {s: read(directory, "source_records", source=s) for s in ("pubmed", "scopus")}
    (directory / "replay.yaml").write_text(
        "search:\n  snapshot: resources/snapshots/recorded\n"
        "  sources:\n    pubmed: {mode: snapshot}\n    scopus: {mode: snapshot}\n"
    )
    done = snakemake(
        directory,
        "search",
        "--configfile",
        "replay.yaml",
        "--forcerun",
        "search_source",
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    for source, records in live.items():
        replayed = read(directory, "source_records", source=source)
        assert replayed["record_id"].tolist() == records["record_id"].tolist()
        assert replayed["title"].tolist() == records["title"].tolist()


@pytest.mark.slow
@pytest.mark.skipif(
    os.environ.get("PRISMAFLOW_SLOW_TESTS") != "1",
    reason="opt-in: make test-slow (tests/unit/test_live_search_edges.py checks the lifeline)",
)
def test_a_search_stops_when_snakemake_is_killed_and_the_rerun_resumes(tmp_path):
    """SIGKILL leaves no orphan querying the database; the next run needs only --unlock."""
    server = FakeDatabases(pubmed_records=100, scopus_records=60, scopus_key="unused").start()
    directory = copy_project(tmp_path)
    for name, rate in (("slow", 5), ("fast", 100)):  # the rate is no part of what is resumed
        (directory / f"{name}.yaml").write_text(
            "search:\n  sources:\n"
            f"    pubmed: {{mode: live, batch_size: 1, per_second: {rate}, timeout: 5}}\n"
            "    scopus: {mode: snapshot}\n"
        )
    reach = {**os.environ, "NCBI_EUTILS_URL": server.url}
    run = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", "search", "--configfile", "slow.yaml"],
        cwd=directory,
        env=reach,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(server.arrivals("efetch.fcgi")) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    at_kill = len(server.arrivals())
    time.sleep(2.0)
    assert len(server.arrivals()) <= at_kill + 1  # at most the request already under way
    log = (directory / "results" / "logs" / "search" / "pubmed.log").read_text()
    assert "the Snakemake run that started this search has stopped" in log
    locked = snakemake(directory, "search", "--configfile", "slow.yaml", check=False, env=reach)
    # Snakemake asks for --unlock, or for --rerun-incomplete when a job of the killed run (here
    # the Scopus replay, where the kill caught it) left outputs it marks incomplete.
    said = locked.stderr[-1500:]
    assert locked.returncode != 0 and ("--unlock" in said or "--rerun-incomplete" in said), said
    snakemake(directory, "--unlock", "--configfile", "slow.yaml")
    server.requests.clear()
    snakemake(directory, "search", "--configfile", "fast.yaml", "--rerun-incomplete", env=reach)
    fetched = {int(p["retstart"][0]) for e, _, p in server.requests if e == "efetch.fcgi"}
    server.shutdown()
    first = read(directory, "search_log").set_index("query_id")
    assert len(fetched) < 80 and (first["reported_count"] == first["unique_records"]).all()
