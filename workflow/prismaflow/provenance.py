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


# What makes up the tool in its checkout: a review folder's own files (the protocol, reviewers'
# sheets, exports) are inputs with their own hashes, and editing them never marks the code dirty.
TOOL_PATHS = (":(top)workflow", ":(top)pyproject.toml", ":(top)requirements.lock")


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=PACKAGE_DIR, capture_output=True, text=True, timeout=10, check=True
    ).stdout.strip()


@functools.cache
def code_version() -> str:
    """The package version, with the commit of the checkout it runs from (and -dirty when the
    tool's own files differ from it); installed from a wheel, the version alone."""
    try:
        commit = _git("describe", "--always", "--abbrev=12")
        changed = _git("status", "--porcelain", "--", *TOOL_PATHS)
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+{commit}" + ("-dirty" if changed else "")
