"""What a query returned, whatever ran it: a live client, a replayed snapshot or an imported
export file. Every search mode produces these and the search stage reads only these, so the
modes cannot drift apart in what they record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

APIS = {
    "pubmed": "NCBI E-utilities",
    "scopus": "Elsevier Scopus Search API",
    "file": "export file",
}


@dataclass(frozen=True)
class RawResponse:
    """One response as received: its name within the query's folder, bytes and hash."""

    name: str
    data: bytes
    sha256: str


@dataclass
class QueryResult:
    """What one query returned: its records (one per hit, in response order) and its evidence."""

    source: str
    query_id: str
    query: str
    translation: str | None
    reported: int
    records: list[dict[str, Any]] = field(default_factory=list)
    responses: list[RawResponse] = field(default_factory=list)
    # Set by live searches: when they ran and how many requests they took (retries included).
    started_at: str | None = None
    finished_at: str | None = None
    requests: int | None = None
    # How the protocol's date window was sent to the database (parameters or query syntax).
    date_limit: str | None = None
    # Control characters taken out of the records' text on import (prismaflow.hostile_text).
    controls_removed: int = 0
