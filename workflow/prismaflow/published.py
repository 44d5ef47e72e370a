"""A published version of a living review, read back as the baseline its update builds on.

An update must not re-decide what the published version decided, nor lose track of what it
counted. So a release keeps the artifacts that carry over (`catalog.RELEASED`), each with its
sha256: they are evidence of what was published, and an edited release is refused rather
than silently built on. Stage jobs read releases through this module alone; freezing one
(`prismaflow.release`) needs the gates' verdicts and lives higher up.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow.errors import InputFileError
from prismaflow.parquet_io import read_frame
from prismaflow.provenance import sha256_file

MANIFEST = "release.json"


def artifact_path(release: str | Path, name: str) -> Path:
    """Where a release keeps an artifact: flat, under the artifact's own name."""
    return Path(release) / f"{name}.parquet"


def release_inputs(release: str | Path | None, *names: str) -> list[str]:
    """The files of a release an update's rule reads: the manifest that vouches for them, and
    the artifacts themselves; a new review (no release) reads none."""
    if not release:
        return []
    return [str(Path(release) / MANIFEST), *(str(artifact_path(release, n)) for n in names)]


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
    return manifest["name"], read_frame(artifact_path(release, name))
