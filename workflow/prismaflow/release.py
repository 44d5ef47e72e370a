"""A published version of a living review, frozen as the baseline its update builds on.

An update must not re-decide what the published version decided, nor lose track of what it
counted. So a release keeps the artifacts that carry over (links, decisions, extracted studies)
and the PRISMA counts it reported, each with its sha256: they are evidence of what was
published, and an edited release is refused rather than silently built on.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow.errors import InputFileError
from prismaflow.provenance import code_version, sha256_file
from prismaflow.quality.gate import STAGES
from prismaflow.status import gate_state

MANIFEST = "release.json"
# What an update reads from its baseline, by name, and where a run writes it under results/.
ARTIFACTS = {
    "links": "02_dedupe/links.parquet",
    "decisions": "03_screen/decisions.parquet",
    "studies": "04_extract/studies.parquet",
    "prisma": "05_synthesis/prisma.parquet",
}


def artifact_path(release: str | Path, name: str) -> Path:
    """Where a release keeps an artifact: flat, under the artifact's own name."""
    return Path(release) / f"{name}.parquet"


def freeze_release(
    results: Path, dest: Path, *, name: str, window: Mapping[str, Any]
) -> dict[str, Any]:
    """Copy a finished run's carried-over artifacts into `dest` with a manifest naming them.

    Only a run whose every gate passed can be released: an update built on a failed stage
    would inherit its errors as settled decisions.
    """
    for stage in STAGES:
        state = gate_state(results, stage)
        if state != "passed":
            raise InputFileError(
                results / "qc" / f"{stage}.gate.json",
                f"the {stage} gate has {state.lower()}, so the run is not a finished review",
                fix="run the review to the end (make review) before releasing it",
            )
    if dest.exists() and any(dest.iterdir()):
        raise InputFileError(dest, "already holds files", fix="releases are never overwritten")
    dest.mkdir(parents=True, exist_ok=True)
    files = {}
    for artifact, relative in ARTIFACTS.items():
        target = artifact_path(dest, artifact)
        shutil.copyfile(results / relative, target)
        files[artifact] = {"file": target.name, "sha256": sha256_file(target)}
    manifest = {
        "name": name,
        "released_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "search_window": dict(window),
        "code_version": code_version(),
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_release(release: str | Path) -> dict[str, Any]:
    """The release's manifest, after checking every file it names against its hash."""
    folder = Path(release)
    path = folder / MANIFEST
    if not path.is_file():
        raise InputFileError(
            path, "no release manifest here", fix="freeze one with `prismaflow release DEST`"
        )
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for artifact, entry in manifest["files"].items():
        digest = sha256_file(artifact_path(folder, artifact))
        if digest != entry["sha256"]:
            raise InputFileError(
                artifact_path(folder, artifact),
                f"sha256 {digest[:12]}… differs from the release manifest's "
                f"{entry['sha256'][:12]}…",
                fix="a release is what was published and must not be edited; "
                "change the current review instead",
            )
    return manifest


def read_artifact(release: str | Path, name: str) -> tuple[str, pd.DataFrame]:
    """(release name, artifact) from a verified release."""
    manifest = read_release(release)
    return manifest["name"], pd.read_parquet(artifact_path(release, name))
