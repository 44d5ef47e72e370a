"""Live search clients against the local stand-in databases: requests made against the
fewest possible, records retrieved against reported (distinct ids), and wall time, at the
services' real rate limits.

Run: python benchmarks/live_search.py [--pubmed N] [--scopus N] [--json OUT]

PubMed: a query of N records (default 12,000, 1990-2024) with an API key (10 requests/s),
EFetch batches of 500, searched from inception, with dates matched by day and then by year
alone. Its fewest requests: the ESearch of the whole query, one ESearch per date window it
needs (at least ceil(N / 9,999)), and one EFetch per 500 records of each window.
Scopus: a query of N records (default 6,000, 1995-2024) at 9 requests/s, pages of 25, with the
protocol's window ending in 2022 (before the newest records). Its fewest requests: the probe
that reveals the total and one page per 25 records inside the window.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prismaflow.search.assemble import PROBE, pubmed_window, scopus_part  # noqa: E402
from prismaflow.search.live.run import live_search  # noqa: E402
from tests.live_server import FakeDatabases  # noqa: E402

KEY = "benchmark-key"


def part(source: str, name: str) -> str | None:
    """The date window or year range a response belongs to, None for the whole query's."""
    if source == "pubmed":
        return pubmed_window(name) if name.startswith("esearch_") else None
    return scopus_part(name) or None if name != PROBE else None


def run(server: FakeDatabases, source: str, window: dict, options: dict) -> dict:
    server.requests.clear()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        (result,) = live_search(
            source,
            [{"id": "q", source: "big query"}],
            window,
            options,
            {**server.environment(), "NCBI_API_KEY": KEY, "SCOPUS_API_KEY": KEY},
            Path(cache),
        )
    ids = [r["record_id"] for r in result.records]
    return {
        "reported": result.reported,
        "retrieved": len(ids),
        "distinct": len(set(ids)),
        "requests": result.requests,
        "requests_seen_by_server": len(server.requests),
        "parts": len({part(source, r.name) for r in result.responses} - {None}) or 1,
        "wall_seconds": round(time.perf_counter() - start, 2),
        "max_per_second_seen_by_server": server.max_per_second(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pubmed", type=int, default=12_000)
    parser.add_argument("--scopus", type=int, default=6_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    server = FakeDatabases(args.pubmed, args.scopus, scopus_key=KEY).start()
    figures = {}
    for precision in ("day", "year"):
        server.date_precision = precision
        pubmed = run(server, "pubmed", {"start": None, "end": "2024-12-31"}, {"batch_size": 500})
        # The fewest: the whole query, then each window's ESearch and its EFetch pages.
        pages = math.ceil(args.pubmed / 500)
        pubmed["fewest_requests"] = 1 + math.ceil(args.pubmed / 9_999) + pages
        figures[f"pubmed (dates matched by {precision})"] = pubmed
    window = {"start": None, "end": "2022-12-31"}
    scopus = run(server, "scopus", window, {})
    scopus["fewest_requests"] = 1 + math.ceil(scopus["reported"] / 25)
    figures["scopus (window ends 2022)"] = scopus
    server.shutdown()
    for name, f in figures.items():
        print(
            f"{name}: {f['distinct']} distinct of {f['reported']} reported "
            f"({f['retrieved']} retrieved) in {f['parts']} parts; {f['requests']} requests "
            f"(fewest possible {f['fewest_requests']}), {f['wall_seconds']} s, "
            f"at most {f['max_per_second_seen_by_server']} requests in any second"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(f["distinct"] == f["reported"] for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
