"""Where a review stands: per stage, whether it is up to date and what its gate said, and
what waits for a person (undecided records, open conflicts, missing extraction values)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow.extract.fields import field_specs

# Each workflow rule belongs to one stage; a stage is up to date when none of its rules would run.
RULE_STAGES = {
    "search_source": "search",
    "search_file": "search",
    "search_log": "search",
    "gate_search": "search",
    "dedupe_records": "dedupe",
    "gate_dedupe": "dedupe",
    "screen_records": "screen",
    "gate_screen": "screen",
    "extract_studies": "extract",
    "gate_extract": "extract",
    "synthesise_review": "synthesise",
    "gate_synthesise": "synthesise",
    "report_review": "report",
    "provenance": "report",
}
STAGES = ("search", "dedupe", "screen", "extract", "synthesise", "report")


def scheduled_rules(directory: Path, *args: str) -> dict[str, int]:
    """The rules a dry run would execute in this review folder, with their job counts."""
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", *args, "--quiet", "rules"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"snakemake -n failed:\n{done.stderr[-2000:]}")
    table = done.stdout.split("Job stats:")[-1].splitlines() if "Job stats:" in done.stdout else []
    counts = {}
    for line in table:
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] not in ("total", "job"):
            counts[parts[0]] = int(parts[1])
    return counts


def gate_state(results: Path, stage: str) -> str:
    if stage == "report":
        return "-"
    if (results / "qc" / f"{stage}.gate.failed.json").is_file():
        failed = json.loads((results / "qc" / f"{stage}.gate.failed.json").read_text())
        return "FAILED: " + ", ".join(check["name"] for check in failed["failed"])
    return "passed" if (results / "qc" / f"{stage}.gate.json").is_file() else "not run"


def _read(results: Path, relative: str) -> pd.DataFrame | None:
    path = results / relative
    return pd.read_parquet(path) if path.is_file() else None


def pending(results: Path, fields: Mapping[str, Any]) -> dict[str, int]:
    """What awaits reviewers, from the last run's artifacts (absent artifacts count nothing)."""
    waiting: dict[str, int] = {}
    decisions = _read(results, "03_screen/decisions.parquet")
    if decisions is not None:
        for stage in ("title_abstract", "full_text"):
            at = decisions[decisions["stage"] == stage]
            waiting[f"{stage} records awaiting a reviewer"] = int(
                at["decision"].isin(["awaiting", "conflict", "maybe"]).sum()
            )
            waiting[f"{stage} decisions made by the model"] = int(
                (at["decided_by"] == "model").sum()
            )
    conflicts = _read(results, "03_screen/conflicts.parquet")
    if conflicts is not None:
        waiting["screening conflicts open"] = int((~conflicts["adjudicated"].astype(bool)).sum())
    studies = _read(results, "04_extract/studies.parquet")
    if studies is not None:
        required = [spec.name for spec in field_specs(fields) if spec.required]
        waiting["required extraction values missing"] = int(studies[required].isna().sum().sum())
        by = [c for c in studies.columns if c.endswith("_by")]
        waiting["extracted values not checked by a reviewer"] = int(
            (studies[by] == "machine").sum().sum()
        )
    disagreements = _read(results, "04_extract/disagreements.parquet")
    if disagreements is not None:
        waiting["extraction disagreements open"] = int(disagreements["resolved_by"].isna().sum())
    return waiting


def status(directory: Path, fields: Mapping[str, Any]) -> dict[str, Any]:
    results = directory / "results"
    to_run = {RULE_STAGES.get(rule) for rule in scheduled_rules(directory)}
    return {
        "stages": [
            {
                "stage": stage,
                "up_to_date": stage not in to_run,
                "gate": gate_state(results, stage),
            }
            for stage in STAGES
        ],
        "pending": pending(results, fields),
    }


def render(report: Mapping[str, Any]) -> str:
    lines = [f"{'stage':<12}{'up to date':<12}gate"]
    for stage in report["stages"]:
        lines.append(
            f"{stage['stage']:<12}{'yes' if stage['up_to_date'] else 'no':<12}{stage['gate']}"
        )
    lines += ["", "Waiting for people:"]
    lines += [f"  {name}: {count}" for name, count in report["pending"].items()]
    return "\n".join(lines)
