"""The run manifest: every artifact of the review with its sha256, the rule that made it, the
hashes of what it was made from and of its parameters, and the software that ran, so that any
number in the report can be checked against the exact files behind it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from prismaflow.parquet_io import lineage
from prismaflow.provenance import code_version, params_sha256, sha256_file

# The stack whose versions decide the results (pyproject.toml pins them all).
PACKAGES = (
    "prismaflow",
    "snakemake",
    "biopython",
    "pandas",
    "pyarrow",
    "great-expectations",
    "scikit-learn",
    "rapidfuzz",
    "statsmodels",
    "rispy",
    "bibtexparser",
)


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def artifact_entry(path: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": str(path),
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "modified": dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(),
    }
    if path.suffix == ".parquet":
        entry.update(lineage(path))
    return entry


def build_manifest(
    artifacts: Sequence[str | Path],
    config: Mapping[str, Any],
    modes: Mapping[str, str],
    inputs: Sequence[str | Path] = (),
) -> dict[str, Any]:
    """`inputs` are the review folder's own files (protocol, reviewers' sheets, exports,
    recorded searches): recorded by hash beside the tool's code version, never in it."""
    version = code_version()
    return {
        "code_version": version,
        "dirty": version.endswith("-dirty"),
        "config_sha256": params_sha256(config),
        "inputs": [{"path": str(p), "sha256": sha256_file(p)} for p in sorted(map(str, inputs))],
        "search_modes": dict(modes),
        "packages": _versions(),
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "artifacts": [artifact_entry(Path(p)) for p in sorted(map(str, artifacts))],
    }


def verify(manifest: Mapping[str, Any], root: Path = Path()) -> list[str]:
    """Artifacts and review files whose file no longer has the recorded sha256 (or is gone)."""
    stale = []
    for entry in [*manifest["artifacts"], *manifest.get("inputs", [])]:
        path = root / entry["path"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            stale.append(entry["path"])
    return stale
