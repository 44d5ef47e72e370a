"""Where the workflow prismaflow runs lives: beside the package in a checkout (workflow/), inside
it when installed from a wheel. A review folder names neither; it asks this module."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# A wheel carries the workflow as package data (pyproject.toml maps workflow/ to
# prismaflow/workflow); a checkout or an editable install runs workflow/ itself.
WORKFLOW_DIR = (
    PACKAGE_DIR / "workflow" if (PACKAGE_DIR / "workflow").is_dir() else PACKAGE_DIR.parent
)
SNAKEFILE = WORKFLOW_DIR / "Snakefile"


def workflow_command(folder: Path, cores: int, extra: Sequence[str] = ()) -> list[str]:
    """Snakemake over a review folder: on the folder's own Snakefile, or else on the workflow
    prismaflow is installed with."""
    own = folder / "Snakefile"
    snakefile = own.resolve() if own.is_file() else SNAKEFILE
    return [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(snakefile),
        "--directory",
        str(folder),
        "--cores",
        str(cores),
        *extra,
    ]
