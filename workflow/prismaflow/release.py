"""Freezing a finished review as the published version a living update builds on.

Only a run whose every gate passed can be released: an update built on a failed stage would
inherit its errors as settled decisions. What a release holds is `catalog.RELEASED`; reading
it back is `prismaflow.published`.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prismaflow import catalog
from prismaflow.errors import InputFileError
from prismaflow.provenance import code_version, sha256_file
from prismaflow.published import MANIFEST, artifact_path
from prismaflow.status import gate_state


def freeze_release(
    results: Path, dest: Path, *, name: str, window: Mapping[str, Any]
) -> dict[str, Any]:
    """Copy a finished run's carried-over artifacts into `dest` with a manifest naming them."""
    for stage in catalog.GATED:
        state = gate_state(results, stage)
        if state != "passed":
            raise InputFileError(
                catalog.gate_verdict(stage, results),
                f"the {stage} gate has {state.lower()}, so the run is not a finished review",
                fix="run the review to the end (make review) before releasing it",
            )
    if dest.exists() and any(dest.iterdir()):
        raise InputFileError(dest, "already holds files", fix="releases are never overwritten")
    dest.mkdir(parents=True, exist_ok=True)
    files = {}
    for artifact in catalog.RELEASED:
        target = artifact_path(dest, artifact)
        shutil.copyfile(catalog.under(results, artifact), target)
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
