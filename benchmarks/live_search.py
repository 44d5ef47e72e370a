"""Live search clients against the local stand-in databases: requests made against the
fewest possible, and wall time, at the services' real rate limits.

Run: python benchmarks/live_search.py [--pubmed N] [--scopus N] [--json OUT]

PubMed: a query of N records (default 12,000) with an API key (10 requests/s), EFetch batches
of 500. Its fewest requests: one ESearch for the whole query, one per date window it needs
(at least ceil(N / 9,999) windows), and ceil(N / 500) EFetch pages.
Scopus: a query of N records (default 6,000) at 9 requests/s, pages of 25. Its fewest requests:
ceil(N / 25) pages plus the probe that reveals the total.
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

from prismaflow.search.live.run import live_search  # noqa: E402
from tests.live_server import FakeDatabases  # noqa: E402

KEY = "benchmark-key"


def run(server: FakeDatabases, source: str, window: dict, options: dict) -> dict:
    environment = {
        "NCBI_EUTILS_URL": server.url,
        "NCBI_API_KEY": KEY,
        "SCOPUS_API_URL": server.url,
        "SCOPUS_API_KEY": KEY,
    }
    server.requests.clear()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        (result,) = live_search(
            source, [{"id": "q", source: "big query"}], window, options, environment, Path(cache)
        )
    return {
        "records": len(result.records),
        "reported": result.reported,
        "requests": result.requests,
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
    figures = {
        "pubmed": run(server, "pubmed", {"start": None, "end": "2024-12-31"}, {"batch_size": 500}),
        "scopus": run(server, "scopus", {"start": "1995-01-01", "end": "2024-12-31"}, {}),
    }
    server.shutdown()
    figures["pubmed"]["minimum_requests"] = (
        1 + math.ceil(args.pubmed / 9_999) + math.ceil(args.pubmed / 500)
    )
    figures["scopus"]["minimum_requests"] = math.ceil(args.scopus / 25) + 1
    for source, f in figures.items():
        print(
            f"{source}: {f['records']} of {f['reported']} records, {f['requests']} requests "
            f"(fewest possible {f['minimum_requests']}), {f['wall_seconds']} s, "
            f"at most {f['max_per_second_seen_by_server']} requests in any second"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
