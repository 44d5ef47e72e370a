"""A copy of a review project in another folder: for trying a protocol change, benchmarks and
integration tests, without touching the original's results."""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
PROJECT_PARTS = ("Snakefile", "workflow", "config", "resources", "envs", "profiles")


def copy_project(target: Path, source: Path = PROJECT_DIR) -> Path:
    """The workflow, protocol, snapshots, environment and cluster profiles, but no results."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        if (source / part).is_dir():
            shutil.copytree(
                source / part,
                target / part,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            shutil.copy2(source / part, target / part)
    return target
