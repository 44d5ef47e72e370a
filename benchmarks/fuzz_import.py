"""Fuzz the importers at length: thousands of random byte strings and random mutations of a
real export of each format (tests/unit/test_fuzz_import.py, with new random cases), and print
how many ran per seed format, how many were read and how many the importer refused with its
own error (any other exception fails the run), the time, and the run's peak memory against its
bound of 1 GB.

    .venv/bin/python benchmarks/fuzz_import.py [--examples 3000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/unit/test_fuzz_import.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=3000, help="cases per format")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        tally = Path(work) / "tally.tsv"
        env = {
            **os.environ,
            "PRISMAFLOW_FUZZ_EXAMPLES": str(args.examples),
            "PRISMAFLOW_FUZZ_RANDOM": "1",
            "PRISMAFLOW_FUZZ_TALLY": str(tally),
        }
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TEST],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        outcomes = Counter(tuple(line.split("\t")) for line in tally.read_text().splitlines())
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'seed':<12} {'cases':>7} {'read':>7} {'refused':>8}")
    for seed in sorted({s for s, _ in outcomes}):
        read, refused = outcomes[(seed, "read")], outcomes[(seed, "refused")]
        print(f"{seed:<12} {read + refused:>7} {read:>7} {refused:>8}")
    print(done.stdout.strip().splitlines()[-1])
    print(f"{seconds:.0f} s; peak memory of the run {peak_mb:.0f} MB (bound: 1,024 MB)")
    if done.returncode:
        print(done.stdout[-4000:])
    return done.returncode or int(peak_mb > 1024)


if __name__ == "__main__":
    sys.exit(main())
