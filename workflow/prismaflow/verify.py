"""`prismaflow verify`: a results tree (and a frozen release) checked against what made it.

Every Parquet table must hold the content its rule wrote, and every input its lineage names
must still be the file it was made from; every gate's verdict names the hash of each artifact
it checked; the run manifest and the RO-Crate name the hash of every file. A table changed by
hand, a file cut short, or an artifact older than its inputs is named with what to do; nothing
here trusts a file's modification time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from prismaflow import catalog
from prismaflow.errors import InputFileError
from prismaflow.manifest import verify as manifest_stale
from prismaflow.parquet_io import lineage, read_table, rebuild
from prismaflow.provenance import sha256_file
from prismaflow.published import read_release


@dataclass(frozen=True)
class Finding:
    path: str
    problem: str
    rule: str | None = None  # the rule whose output this is, where known

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def _tables(results: Path) -> list[Finding]:
    findings = []
    folder = results.parent
    for table in sorted(results.rglob("*.parquet")):
        shown = table.relative_to(folder)
        try:
            read_table(table)
        except InputFileError as exc:
            findings.append(Finding(str(shown), str(exc).split(": ", 1)[1]))
            continue
        made = lineage(table)
        for entry in made.get("inputs", []):
            source = folder / entry["path"]
            if not source.is_file():
                problem = f"made from {entry['path']}, which is gone"
            elif sha256_file(source) != entry["sha256"]:
                problem = f"out of date: made from another version of {entry['path']}"
            else:
                continue
            problem += f"; {rebuild(shown)}"
            findings.append(Finding(str(shown), problem, made.get("rule")))
    return findings


def _gates(results: Path) -> list[Finding]:
    findings = []
    for stage in catalog.GATED:
        verdict_file = catalog.gate_verdict(stage, results)
        if not verdict_file.is_file():
            continue
        checked = json.loads(verdict_file.read_text(encoding="utf-8")).get("checked", {})
        for path, digest in checked.items():
            file = results.parent / path
            if not file.is_file() or sha256_file(file) != digest:
                findings.append(
                    Finding(
                        path,
                        f"not the file the {stage} gate checked; {rebuild(path)}",
                        f"gate_{stage}",
                    )
                )
    return findings


def crate_path(crate_dir: Path, entity_id: str) -> Path:
    """The file a crate entity names: relative to the crate, or by its file: URI."""
    if entity_id.startswith("file:"):
        return Path(url2pathname(urlparse(entity_id).path))
    return (crate_dir / entity_id).resolve()


def _recorded(results: Path) -> list[Finding]:
    """The manifest's and the crate's hashes of every file they name."""
    findings = []
    folder = results.parent
    manifest_file = catalog.under(results, "manifest")
    if manifest_file.is_file():
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        findings += [
            Finding(path, "differs from the run manifest", "provenance")
            for path in manifest_stale(manifest, folder)
        ]
    crate_file = catalog.under(results, "crate")
    if crate_file.is_file():
        graph = json.loads(crate_file.read_text(encoding="utf-8"))["@graph"]
        for entity in graph:
            if "sha256" not in entity:
                continue
            file = crate_path(crate_file.parent, entity["@id"])
            if not file.is_file() or sha256_file(file) != entity["sha256"]:
                shown = os.path.relpath(file, folder.resolve())
                findings.append(Finding(shown, "differs from the RO-Crate", "provenance"))
    return findings


def verify_results(results: Path) -> list[Finding]:
    """Everything in a results tree that is not as the workflow made it; empty if all is."""
    found = [*_tables(results), *_gates(results), *_recorded(results)]
    unique = {(f.path, f.problem): f for f in found}
    return list(unique.values())


def verify_release(release: Path) -> list[Finding]:
    try:
        read_release(release)
    except InputFileError as exc:
        return [Finding(str(release), str(exc))]
    return []
