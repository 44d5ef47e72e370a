"""Time the embedded default review: a cold run, a no-op re-run, and a reviewer's decision
edit through to an updated report.

Run: python benchmarks/end_to_end.py [--cores N] [--repeat K]

Each repetition copies the project to a fresh temporary folder (no results, no .snakemake),
runs `snakemake --cores N`, runs it again (which must find nothing to do), then adds a
reviewer's full-text sheet that excludes one included study and runs it once more (the
loop a reviewer lives in: screening, extraction, synthesis and the report re-run). Targets on
2 cores with the environment installed: cold <= 25 s, no-op <= 3 s, decision edit <= 10 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from prismaflow import catalog
from prismaflow.parquet_io import read_frame
from prismaflow.sandbox import copy_project

TARGETS = {"cold end-to-end run": 25, "no-op re-run": 3, "decision edit to report": 10}


def timed_snakemake(directory: Path, cores: int, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", str(cores)],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"snakemake failed in {directory}:\n{result.stderr[-3000:]}")
    return elapsed, result.stdout + result.stderr


def exclude_one_study(project: Path) -> None:
    """A reviewer's full-text sheet that excludes the first included study."""
    studies = read_frame(project / catalog.path("studies"))
    sheet = project / "config" / "decisions" / "full_text" / "benchmark.csv"
    sheet.write_text(
        f"record,decision,reason\n{studies['record_id'].iloc[0]},exclude,wrong_design\n",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="prismaflow-bench-") as tmp:
            project = copy_project(Path(tmp) / "review")
            times["cold end-to-end run"].append(timed_snakemake(project, args.cores)[0])
            elapsed, output = timed_snakemake(project, args.cores)
            if "Nothing to be done" not in output:
                sys.exit("the re-run was not a no-op:\n" + output[-3000:])
            times["no-op re-run"].append(elapsed)
            exclude_one_study(project)
            times["decision edit to report"].append(timed_snakemake(project, args.cores)[0])
    print(f"cores: {args.cores}, repetitions: {args.repeat}")
    for name, target in TARGETS.items():
        values = times[name]
        print(
            f"{name + ':':<26} median {statistics.median(values):.1f} s "
            f"(min {min(values):.1f}, max {max(values):.1f}; target <= {target} s)"
        )


if __name__ == "__main__":
    main()
