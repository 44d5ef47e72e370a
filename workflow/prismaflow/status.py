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

from prismaflow import catalog, vocabulary
from prismaflow.errors import InputFileError
from prismaflow.extract.fields import field_specs
from prismaflow.parquet_io import read_frame
from prismaflow.synthesise.certainty import BY_MACHINE
from prismaflow.verify import verify_results
from prismaflow.vocabulary import AWAITING, CONFLICT


def scheduled_rules(
    directory: Path, *args: str, env: Mapping[str, str] | None = None
) -> dict[str, int]:
    """The rules a dry run would execute in this review folder, with their job counts."""
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", *args, "--quiet", "rules"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        env=env,
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
    """'passed', 'not run', 'FAILED: <checks>', or '-' for a stage without a gate."""
    if stage not in catalog.GATED:
        return "-"
    failure = catalog.gate_failure(stage, results)
    if failure.is_file():
        failed = json.loads(failure.read_text())
        return "FAILED: " + ", ".join(check["name"] for check in failed["failed"])
    return "passed" if catalog.gate_verdict(stage, results).is_file() else "not run"


def _read(results: Path, artifact: str) -> pd.DataFrame | None:
    """An artifact to count from; none if it is absent, or not as made (verify names it)."""
    path = catalog.under(results, artifact)
    try:
        return read_frame(path) if path.is_file() else None
    except InputFileError:
        return None


def pending(results: Path, fields: Mapping[str, Any]) -> dict[str, int]:
    """What awaits reviewers, from the last run's artifacts (absent artifacts count nothing)."""
    waiting: dict[str, int] = {}
    decisions = _read(results, "decisions")
    if decisions is not None:
        for phase in vocabulary.PHASES:
            waiting[f"{phase} records awaiting a reviewer"] = len(
                vocabulary.awaiting_person(decisions, phase)
            )
            at = vocabulary.in_phase(decisions, phase)
            waiting[f"{phase} decisions made by the model"] = int(
                (at["decided_by"] == vocabulary.BY_MODEL).sum()
            )
    conflicts = _read(results, "conflicts")
    if conflicts is not None:
        waiting["screening conflicts open"] = int((~conflicts["adjudicated"].astype(bool)).sum())
    studies = _read(results, "studies")
    if studies is not None:
        required = [spec.name for spec in field_specs(fields) if spec.required]
        waiting["required extraction values missing"] = int(studies[required].isna().sum().sum())
        by = [c for c in studies.columns if c.endswith("_by")]
        waiting["extracted values not checked by a reviewer"] = int(
            (studies[by] == "machine").sum().sum()
        )
    disagreements = _read(results, "disagreements")
    if disagreements is not None:
        waiting["extraction disagreements open"] = int(disagreements["resolved_by"].isna().sum())
    assessed = _read(results, "risk_of_bias")
    if assessed is not None:
        for state in (AWAITING, CONFLICT):
            waiting[f"risk-of-bias domains {state}"] = int((assessed["status"] == state).sum())
    certainty = _read(results, "certainty")
    if certainty is not None:
        waiting["GRADE ratings not confirmed by a reviewer"] = int(
            (certainty["decided_by"] == BY_MACHINE).sum()
        )
    return waiting


def status(directory: Path, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Snakemake's dry run says what is older than its inputs; `verify` says what is not as
    the workflow made it (edited by hand, cut short, stale), which no timestamp shows."""
    results = directory / "results"
    to_run = {catalog.stage_of_rule(rule) for rule in scheduled_rules(directory)}
    findings = verify_results(results) if results.is_dir() else []
    stages = [s.name for s in catalog.STAGES]
    untrusted = {catalog.stage_of_rule(f.rule) if f.rule else None for f in findings}
    if None in untrusted and findings:
        untrusted = set(stages)  # a file no rule can be named for: trust none
    return {
        "stages": [
            {
                "stage": stage,
                "up_to_date": stage not in to_run and stage not in untrusted,
                "gate": gate_state(results, stage),
            }
            for stage in stages
        ],
        "not_as_made": [str(f) for f in findings],
        "pending": pending(results, fields),
    }


def render(report: Mapping[str, Any]) -> str:
    lines = [f"{'stage':<12}{'up to date':<12}gate"]
    for stage in report["stages"]:
        lines.append(
            f"{stage['stage']:<12}{'yes' if stage['up_to_date'] else 'no':<12}{stage['gate']}"
        )
    if report["not_as_made"]:
        lines += ["", "Not as the workflow made it (prismaflow verify):"]
        lines += [f"  {finding}" for finding in report["not_as_made"]]
    lines += ["", "Waiting for people:"]
    lines += [f"  {name}: {count}" for name, count in report["pending"].items()]
    return "\n".join(lines)
