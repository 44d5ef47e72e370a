"""The screening app on a large review: how long a reviewer waits for the next record while the
ranking is refitted in the background, and how long a refit takes.

Run: python benchmarks/serve.py [N] [--decisions 200] [--keep DIR]

A synthetic review of N records (default 10,000; benchmarks/scale.py builds it, with no
reviewer sheets and no topic rules, so that every deduplicated study is left to people) is
run up to deduplication; `prismaflow serve` then runs in this process on
a free port, and a reviewer signed in with a token screens `--decisions` records through HTTP:
each next record (GET /screen) and each decision (POST /decide, which answers with the next
page) is timed. Targets: next record <= 100 ms (median) while the model refits; a refit
<= 5 s.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import yaml
from scale import build_review
from waitress import create_server

from prismaflow.app.review import Review
from prismaflow.app.web import create_app
from prismaflow.installed import workflow_command


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prismaflow-serve-") as tmp:
        folder = (args.keep or Path(tmp)) / f"review_{args.n}"
        shutil.rmtree(folder, ignore_errors=True)
        build_review(args.n, folder)
        shutil.rmtree(folder / "config" / "decisions", ignore_errors=True)
        protocol = folder / "config" / "config.yaml"
        config = yaml.safe_load(protocol.read_text())
        for rule in ("required_concepts", "off_topic_titles"):  # every study left to people
            config["screening"]["rules"].pop(rule, None)
        protocol.write_text(yaml.safe_dump(config, sort_keys=False))
        subprocess.run(workflow_command(folder, 2, ["dedupe"]), check=True, capture_output=True)
        started = time.perf_counter()
        review = Review(folder).start()
        opened = time.perf_counter() - started
        token = "benchmark-token"
        server = create_server(create_app(review, {token: "ana"}), host="127.0.0.1", port=0)
        threading.Thread(target=server.run, daemon=True).start()
        url = f"http://127.0.0.1:{server.effective_port}"
        waits, decides, refits = [], [], []
        with requests.Session() as http:
            http.get(f"{url}/login", params={"token": token})
            page = http.get(f"{url}/screen")
            for i in range(args.decisions):
                record = re.search(r'data-record="([^"]+)"', page.text).group(1)
                action = re.search(r'name="action" value="([^"]+)"', page.text).group(1)
                form = {"record": record, "action": action}
                form.update({"decision": "include"} if i % 7 == 0 else {"exclude": "off_topic"})
                began = time.perf_counter()
                page = http.post(f"{url}/decide", data=form, allow_redirects=False)
                decides.append(time.perf_counter() - began)
                began = time.perf_counter()
                page = http.get(f"{url}/screen")
                waits.append(time.perf_counter() - began)
                refits.append(review.ranking.seconds)
        server.close()
        time.sleep(max(refits[-1], 0.1) * 2)  # let the last refit end before measuring it
        final = review.refit()
        to_screen = len(review.to_screen)
    print(
        f"{args.n:,} records ({to_screen:,} to screen); app ready in {opened:.1f} s (first fit)\n"
        f"next record (GET /screen): median {statistics.median(waits) * 1000:.0f} ms, 95th "
        f"percentile {percentile(waits, 0.95) * 1000:.0f} ms over {len(waits)} records\n"
        f"decision (POST /decide): median {statistics.median(decides) * 1000:.0f} ms\n"
        f"refit in the background: {max(refits):.2f} s at most while screening; "
        f"{final.seconds:.2f} s on {final.decisions} decisions"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
