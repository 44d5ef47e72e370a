"""The review on a real SLURM cluster: a single-node cluster started on this machine
(benchmarks/slurm_cluster.sh), the embedded default run through profiles/slurm and locally,
every artifact compared, sacct's view of the jobs printed.

Run (as root): python benchmarks/slurm_review.py [--scale N] [--failures] [--keep DIR]

- the embedded default, locally and on the cluster: artifacts compared file by file (sha256;
  spreadsheets by their cells, the report and provenance with their run times masked);
- --failures: a gate that fails on the cluster (records left awaiting a reviewer) stops the run
  and keeps its verdict, and a job over its memory request is killed and reported as such;
- --scale N: a synthetic review of N records (benchmarks/scale.py) on the cluster, each rule's
  MaxRSS and elapsed time from sacct beside what the profile requests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml
from openpyxl import load_workbook

from prismaflow import catalog
from prismaflow.sandbox import copy_project

CLUSTER_SCRIPT = Path(__file__).with_name("slurm_cluster.sh")
# What records when a run happened rather than what it made: the report's line, the manifest's
# and the crate's times, and the hashes they give of files whose bytes hold a time (the report,
# and the spreadsheets, whose zip entries and properties are dated).
REPORT_TIME = re.compile(rb"generated</th><td>[^<]*")
TIME_KEYS = {"created", "modified", "dateCreated", "datePublished", "startTime", "endTime"}
DATED = (".xlsx", ".html")
SKIPPED = ("logs", "benchmarks")  # per-job files whose times differ by nature
RUN_ID = re.compile(r"#[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")  # the crate's run, a UUID
# The Snakefile's localrules: live searches need the internet, the rest is quicker than a queue.
LOCAL_RULES = (*catalog.stage("search").rules, *catalog.stage("report").rules)
# Status checks every few seconds, not the plugin's 40 s wait before the first one.
FAST_CHECKS = ("--slurm-init-seconds-before-status-checks", "1")


def start_cluster(folder: Path) -> dict[str, str]:
    done = subprocess.run(
        ["bash", str(CLUSTER_SCRIPT), "start", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"the cluster did not start:\n{done.stdout}\n{done.stderr}")
    exports = done.stdout.strip().splitlines()[-1].removeprefix("export ").split()
    return dict(item.split("=", 1) for item in exports)


def stop_cluster(folder: Path) -> None:
    subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(folder)], check=False)


def snakemake(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=project,
        env={**env, "PYTHONPATH": str(project / "workflow")},
        capture_output=True,
        text=True,
        check=False,
    )


def on_cluster(project: Path, cluster: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return snakemake(
        project, {**os.environ, **cluster}, "--profile", "profiles/slurm", *FAST_CHECKS, *args
    )


def measured_on_cluster(
    project: Path, cluster: dict[str, str], what: str
) -> tuple[float, pd.DataFrame]:
    """(seconds, sacct's view of its jobs) of a whole run through the profile."""
    since = time.strftime("%Y-%m-%dT%H:%M:%S")
    started = time.perf_counter()
    done = on_cluster(project, cluster)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{what} failed on the cluster:\n{done.stderr[-4000:]}")
    return seconds, sacct(since)


def sacct(since: str) -> pd.DataFrame:
    """Each finished job step of ours: the rule (from the plugin's job comment), state,
    elapsed seconds, peak memory (MB) and the memory and time it asked for."""
    fields = "JobIDRaw,Comment%60,State,ElapsedRaw,MaxRSS,ReqMem,TimelimitRaw"
    done = subprocess.run(
        ["sacct", "-S", since, "-P", "-n", "-o", fields],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split("|") for line in done.stdout.splitlines() if line]
    jobs = {r[0]: r for r in rows if "." not in r[0] and r[1].startswith("rule_")}
    table = []
    for job_id, row in jobs.items():
        steps = [r for r in rows if r[0].startswith(f"{job_id}.")]
        peak = max((_megabytes(r[4]) for r in steps), default=0.0)
        table.append(
            {
                "job": job_id,
                "rule": row[1].removeprefix("rule_").split("_wildcards_")[0],
                "state": row[2],
                "elapsed_s": int(row[3] or 0),
                "max_rss_mb": peak,
                "requested_mb": _megabytes(row[5]),
                "limit_min": int(row[6]) if row[6].isdigit() else None,
            }
        )
    return pd.DataFrame(table)


def _megabytes(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)([KMGT]?)n?c?", value.strip())
    if not match:
        return 0.0
    scale = {"": 1 / 1024**2, "K": 1 / 1024, "M": 1, "G": 1024, "T": 1024**2}[match.group(2)]
    return float(match.group(1)) * scale


def _timeless(node: object) -> object:
    if isinstance(node, list):
        return [_timeless(item) for item in node]
    if not isinstance(node, dict):
        return node
    dated = any(str(v).endswith(DATED) for k, v in node.items() if k in ("path", "@id"))
    dropped = TIME_KEYS | ({"sha256", "bytes", "contentSize"} if dated else set())
    return {k: _timeless(v) for k, v in node.items() if k not in dropped}


def fingerprint(path: Path) -> str:
    """What must be identical between two runs: the bytes, but for a spreadsheet its cells, for
    the report all but its time, and for the manifest and crate all but times and the hashes
    of dated files."""
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        content = repr([[c.value for c in row] for sheet in book for row in sheet.iter_rows()])
        return hashlib.sha256(content.encode()).hexdigest()
    if path.parent.name == "provenance" and path.suffix == ".json":
        text = RUN_ID.sub("#run", path.read_text())
        content = json.dumps(_timeless(json.loads(text)), sort_keys=True)
        return hashlib.sha256(content.encode()).hexdigest()
    return hashlib.sha256(REPORT_TIME.sub(b"", path.read_bytes())).hexdigest()


def compare(local: Path, cluster: Path) -> list[str]:
    """The artifacts (logs and benchmark files aside) that differ between two results trees."""
    differ = []
    for path in sorted(p for p in local.rglob("*") if p.is_file()):
        relative = path.relative_to(local)
        if relative.parts[0] in SKIPPED:
            continue
        other = cluster / relative
        if not other.is_file() or fingerprint(path) != fingerprint(other):
            differ.append(str(relative))
    return differ


def embedded(work: Path, cluster: dict[str, str]) -> None:
    local, remote = copy_project(work / "local"), copy_project(work / "cluster")
    started = time.perf_counter()
    assert snakemake(local, dict(os.environ), "--cores", "2").returncode == 0
    local_s = time.perf_counter() - started
    cluster_s, jobs = measured_on_cluster(remote, cluster, "the embedded default")
    local_rules = sorted(set(jobs["rule"]) & set(LOCAL_RULES))
    print(f"\n== the embedded default: local {local_s:.1f} s, on the cluster {cluster_s:.1f} s ==")
    print(jobs.to_string(index=False))
    print(f"submitted to SLURM: {sorted(set(jobs['rule']))}")
    print(f"rules meant to stay local but submitted: {local_rules or 'none'}")
    differ = compare(local / "results", remote / "results")
    total = sum(
        1
        for p in (local / "results").rglob("*")
        if p.is_file() and p.relative_to(local / "results").parts[0] not in SKIPPED
    )
    print(f"artifacts that differ from the local run: {differ or 'none'} (of {total} files)")
    if differ or local_rules or not (jobs["state"] == "COMPLETED").all():
        sys.exit("the cluster run is not the local run")


def failures(work: Path, cluster: dict[str, str]) -> None:
    project = copy_project(work / "failing")
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())
    config["screening"]["completeness"] = "humans"
    (project / "humans.yaml").write_text(yaml.safe_dump({"screening": config["screening"]}))
    done = on_cluster(project, cluster, "--configfile", "humans.yaml")
    kept = (project / "results" / "qc" / "screen.gate.failed.json").is_file()
    message = (project / "results" / "logs" / "qc" / "screen.log").read_text()
    print("\n== a failing gate on the cluster ==")
    print(
        f"exit {done.returncode}; verdict kept: {kept}; "
        f"the job's log names the check: {'no_record_awaits_a_reviewer' in message}"
    )
    oom = copy_project(work / "oom")
    done = on_cluster(oom, cluster, "--set-resources", "screen_records:mem_mb=60", "--retries", "0")
    print("\n== a job over its memory request ==")
    said = [line.strip() for line in done.stderr.splitlines() if "SLURM status is" in line]
    print(f"exit {done.returncode}; Snakemake says: {said[:1]}")


def scale(work: Path, cluster: dict[str, str], n: int) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from scale import build_review

    project = work / f"scale_{n}"
    build_review(n, project)
    wall, jobs = measured_on_cluster(project, cluster, f"the {n}-record review")
    jobs["rss_share_of_request"] = (jobs["max_rss_mb"] / jobs["requested_mb"]).round(3)
    print(f"\n== a synthetic review of {n:,} records on the cluster: {wall:.1f} s ==")
    print(jobs.to_string(index=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, nargs="*", default=[], help="synthetic review sizes")
    parser.add_argument("--failures", action="store_true")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="prismaflow-slurm-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        cluster = start_cluster(work / "cluster-state")
        print(f"cluster up in {time.perf_counter() - started:.1f} s")
        try:
            embedded(work, cluster)
            if args.failures:
                failures(work, cluster)
            for n in args.scale:
                scale(work, cluster, n)
        finally:
            stop_cluster(work / "cluster-state")


if __name__ == "__main__":
    main()
