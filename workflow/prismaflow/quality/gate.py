"""A stage's gate: run its suite and invariants, write the verdict, stop the DAG on failure."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from prismaflow import catalog
from prismaflow.config import query_ids
from prismaflow.errors import GateFailedError
from prismaflow.provenance import code_version, sha256_file
from prismaflow.quality.checks import Check


def gate_params(stage: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """What a stage's gate needs of the protocol besides the artifacts: the one place the
    workflow's gate rules and the tests take it from."""
    sources = sorted(config["search"]["sources"])
    return {
        "search": lambda: {
            "sources": sources,
            "queries": {source: query_ids(config, source) for source in sources},
        },
        "dedupe": dict,
        "screen": lambda: {
            "reasons": config["screening"]["reasons"],
            "completeness": config["screening"]["completeness"],
        },
        "extract": lambda: {
            "fields": config["extraction"]["fields"],
            "analyses": config["synthesis"]["analyses"],
        },
        "appraise": lambda: {"tools": config["risk_of_bias"]["tools"]},
        "synthesise": lambda: {"analyses": config["synthesis"]["analyses"]},
    }[stage]()


def run_gate(stage: str, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    """All checks of a stage: prismaflow.quality.<stage>.checks(inputs, params)."""
    if stage not in catalog.GATED:
        raise ValueError(f"no gate for stage {stage!r}; gates exist for {catalog.GATED}")
    module = importlib.import_module(f"prismaflow.quality.{stage}")
    return module.checks(inputs, params)


def checked_hashes(inputs: Mapping[str, Any]) -> dict[str, str]:
    """The sha256 of every file a gate checked: a later edit to one is then caught
    (`prismaflow verify`), whatever its modification time says."""
    paths = [
        p for value in inputs.values() for p in (value if isinstance(value, list) else [value])
    ]
    return {str(path): sha256_file(path) for path in sorted(map(str, paths))}


def verdict(
    stage: str, checks: Sequence[Check], checked: Mapping[str, str] | None = None
) -> dict[str, Any]:
    failed = [c for c in checks if not c.success]
    return {
        "stage": stage,
        "success": not failed,
        "code_version": code_version(),
        "expectations_run": len(checks),
        "checks": [c.to_json() for c in checks],
        "failed": [c.to_json() for c in failed],
        "checked": dict(checked or {}),
    }


def failure_message(report: Mapping[str, Any]) -> str:
    lines = [
        f"gate '{report['stage']}' failed {len(report['failed'])} of "
        f"{report['expectations_run']} checks:"
    ]
    for check in report["failed"]:
        ids = check["unexpected_ids"]
        shown = f"; records: {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}" if ids else ""
        lines.append(
            f"  - {check['artifact']}: {check['name']} {check['kwargs'] or ''}"
            f" {check['statistics'] or ''}{shown}"
        )
    return "\n".join(lines)


def write_verdict(report: Mapping[str, Any], output: Path) -> None:
    """On success write the gate file; on failure write <stage>.gate.failed.json beside it
    (Snakemake deletes a failed job's outputs, so the verdict must live elsewhere) and raise."""
    failed_path = catalog.gate_failure(report["stage"], output.parent.parent)
    output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, default=str) + "\n"
    if report["success"]:
        failed_path.unlink(missing_ok=True)
        output.write_text(text, encoding="utf-8")
        return
    failed_path.write_text(text, encoding="utf-8")
    raise GateFailedError(failure_message(report) + f"\n(full verdict: {failed_path})")
