"""Hashes and code versions that tie every artifact to what made it."""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prismaflow import __version__

PACKAGE_DIR = Path(__file__).resolve().parent


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def params_sha256(params: Any) -> str:
    """Hash of a parameter slice, independent of key order, so equal slices hash equal."""
    canonical = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return sha256_bytes(canonical.encode("utf-8"))


def code_sha256(files: Sequence[str | Path]) -> str:
    """One hash of the package files a rule ran, by their names inside the package, so the
    same code hashes the same wherever the package or the review folder lies."""
    return params_sha256({_package_name(f): sha256_file(f) for f in files})


def _package_name(file: str | Path) -> str:
    path = Path(file).resolve()
    return str(path.relative_to(PACKAGE_DIR)) if path.is_relative_to(PACKAGE_DIR) else path.name


@functools.cache
def code_version() -> str:
    """`git describe` (with -dirty) of the checkout the package runs from, else its version."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            cwd=PACKAGE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = ""
    return f"{__version__}+{described}" if described else __version__
