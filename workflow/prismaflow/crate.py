"""The run as a Workflow Run RO-Crate (results/provenance/ro-crate-metadata.json): the workflow,
the inputs it read, the artifacts it made (with their sha256), its parameters and the software
that ran, in the form research-object tools read.

The crate's root is results/provenance/; the files it describes are referred to by paths
relative to it (../02_dedupe/records.parquet, ../../config/config.yaml), so the run is
described where it lies instead of being copied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rocrate.rocrate import ROCrate

PROFILES = (
    "https://w3id.org/ro/wfrun/process/0.5",
    "https://w3id.org/ro/wfrun/workflow/0.5",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
)


def _relative(path: str | Path, crate_dir: Path) -> str:
    """A project path as seen from the crate's folder (results/provenance -> ../../<path>)."""
    depth = len(crate_dir.parts)
    return "/".join([".."] * depth + [Path(path).as_posix()])


def _located(path: str | Path, crate_dir: Path) -> dict[str, str]:
    """Where the crate names a file: relative to it, or by its file: URI for a file outside
    the review folder (an export under outside_folders)."""
    if Path(path).is_absolute():
        return {"source": Path(path).as_uri()}
    return {"dest_path": _relative(path, crate_dir)}


def build_crate(
    manifest: Mapping[str, Any],
    inputs: Sequence[str | Path],
    crate_dir: Path,
    snakefile: str = "Snakefile",
) -> dict[str, Any]:
    """The crate's JSON-LD; `crate_dir` is where it will be written, relative to the project."""
    crate = ROCrate()
    crate.name = "prismaflow review run"
    crate.root_dataset["conformsTo"] = [{"@id": profile} for profile in PROFILES]
    workflow = crate.add_workflow(
        dest_path=_relative(snakefile, crate_dir),
        main=True,
        lang="snakemake",
        properties={"name": "prismaflow", "version": manifest["code_version"]},
    )
    hashes = {entry["path"]: entry["sha256"] for entry in manifest.get("inputs", [])}
    read = [
        crate.add_file(
            **_located(path, crate_dir),
            properties={
                "name": Path(path).name,
                **({"sha256": hashes[str(path)]} if str(path) in hashes else {}),
            },
        )
        for path in inputs
    ]
    made = [
        crate.add_file(
            dest_path=_relative(entry["path"], crate_dir),
            properties={
                "name": Path(entry["path"]).name,
                "sha256": entry["sha256"],
                "contentSize": entry["bytes"],
                **({"description": f"made by rule {entry['rule']}"} if "rule" in entry else {}),
            },
        )
        for entry in manifest["artifacts"]
    ]
    parameters = [
        crate.add_jsonld(
            {"@id": f"#param-{name}", "@type": "PropertyValue", "name": name, "value": value}
        )
        for name, value in [
            ("config_sha256", manifest["config_sha256"]),
            *((f"search_mode_{source}", mode) for source, mode in manifest["search_modes"].items()),
        ]
    ]
    software = [
        crate.add_jsonld(
            {
                "@id": f"#software-{name}",
                "@type": "SoftwareApplication",
                "name": name,
                "softwareVersion": version,
            }
        )
        for name, version in manifest["packages"].items()
    ]
    crate.add_action(
        workflow,
        object=[*read, *parameters],
        result=made,
        properties={
            "name": "prismaflow run",
            "endTime": manifest["created"],
            "instrument": {"@id": workflow.id},
        },
    )
    workflow["softwareRequirements"] = [{"@id": s.id} for s in software]
    return crate.metadata.generate()


def write_crate(metadata: Mapping[str, Any], crate_dir: Path) -> Path:
    crate_dir.mkdir(parents=True, exist_ok=True)
    path = crate_dir / "ro-crate-metadata.json"
    path.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    return path
