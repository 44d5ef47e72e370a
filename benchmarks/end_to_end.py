"""Time the embedded default review: a cold run, then a no-op re-run.

Run: python benchmarks/end_to_end.py [--cores N] [--repeat K]

Each repetition copies the project to a fresh temporary folder (no results, no .snakemake),
runs `snakemake --cores N`, then runs it again, which must find nothing to do. Targets on
2 cores with the environment installed: cold <= 45 s, no-op <= 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prismaflow.sandbox import copy_project


def timed_snakemake(directory: Path, cores: int) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", str(cores)],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"snakemake failed in {directory}:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    cold, noop = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="prismaflow-bench-") as tmp:
            project = copy_project(Path(tmp) / "review")
            cold.append(timed_snakemake(project, args.cores)[0])
            elapsed, output = timed_snakemake(project, args.cores)
            if "Nothing to be done" not in output:
                sys.exit("the re-run was not a no-op:\n" + output[-3000:])
            noop.append(elapsed)
    print(f"cores: {args.cores}, repetitions: {args.repeat}")
    print(
        f"cold end-to-end run: median {statistics.median(cold):.1f} s "
        f"(min {min(cold):.1f}, max {max(cold):.1f}; target <= 45 s)"
    )
    print(
        f"no-op re-run:        median {statistics.median(noop):.1f} s "
        f"(min {min(noop):.1f}, max {max(noop):.1f}; target <= 3 s)"
    )


if __name__ == "__main__":
    main()
