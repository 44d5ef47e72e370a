"""Fixtures of the unit layer: the stand-in databases the live clients are tested against."""

from __future__ import annotations

import pytest

from prismaflow.search.live import pubmed, scopus
from tests.live_server import (
    NCBI_KEY,
    PUBMED_CEILING,
    SCOPUS_CEILING,
    SCOPUS_KEY,
    FakeDatabases,
)

# The paging ceilings tenfold lower, in the stand-in and in the clients: the same splits,
# windows and resumes, over a tenth of the records (PubMed 1,200 > 1,000; Scopus 600 > 500).
SCALE = 10
PUBMED_RECORDS, SCOPUS_RECORDS = 12_000 // SCALE, 6_000 // SCALE


@pytest.fixture(scope="module")
def server():
    databases = FakeDatabases(
        pubmed_records=PUBMED_RECORDS,
        scopus_records=SCOPUS_RECORDS,
        scopus_key=SCOPUS_KEY,
        ncbi_key=NCBI_KEY,
        pubmed_ceiling=PUBMED_CEILING // SCALE,
        scopus_ceiling=SCOPUS_CEILING // SCALE,
    )
    databases.stall = 1.0
    yield databases.start()
    databases.shutdown()


@pytest.fixture
def fresh(server, monkeypatch):
    """The server as built: no faults planned, dates matched by day, quota left, its request
    log cleared; the clients' ceilings are the server's."""
    monkeypatch.setattr(pubmed, "PAGE_CEILING", server.pubmed_ceiling)
    monkeypatch.setattr(scopus, "OFFSET_CEILING", server.scopus_ceiling)
    server.faults.plan.clear()
    server.faults.seen.clear()
    server.requests.clear()
    server.date_precision = "day"
    server.scopus_quota_left = 20_000
    return server
