"""Fixtures of the unit layer: the stand-in databases the live clients are tested against."""

from __future__ import annotations

import pytest

from tests.live_server import NCBI_KEY, SCOPUS_KEY, FakeDatabases


@pytest.fixture(scope="module")
def server():
    databases = FakeDatabases(
        pubmed_records=12_000, scopus_records=6_000, scopus_key=SCOPUS_KEY, ncbi_key=NCBI_KEY
    )
    databases.stall = 1.0
    yield databases.start()
    databases.shutdown()


@pytest.fixture
def fresh(server):
    """The server as built: no faults planned, dates matched by day, quota left, its request
    log cleared."""
    server.faults.plan.clear()
    server.faults.seen.clear()
    server.requests.clear()
    server.date_precision = "day"
    server.scopus_quota_left = 20_000
    return server
