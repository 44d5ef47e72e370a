"""`prismaflow init`: a new review folder, with the shape of every prismaflow review: a
Snakefile that runs the installed workflow, a commented protocol to fill in, empty folders for
the exports and for reviewers' decision and extraction files, a README for the team."""

from __future__ import annotations

import shutil
from pathlib import Path

from prismaflow.catalog import CERTAINTY, DECISIONS, EXTRACTION, PROTOCOL, RISK_OF_BIAS
from prismaflow.errors import InputFileError
from prismaflow.vocabulary import PHASES

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
# scaffold file -> where it goes in the review folder
FILES = {
    "Snakefile": "Snakefile",
    "config.yaml": PROTOCOL,
    "README.md": "README.md",
    "gitignore": ".gitignore",
}
FOLDERS = [
    *(f"{DECISIONS}/{phase}" for phase in PHASES),
    EXTRACTION,
    RISK_OF_BIAS,
    CERTAINTY,
    "exports",
]


def create_review(folder: Path) -> list[Path]:
    """The files and folders written; a folder that already holds files is left alone, so an
    existing review is never overwritten."""
    if folder.exists() and any(folder.iterdir()):
        raise InputFileError(
            folder, "the folder is not empty", fix="choose a new folder, or an empty one"
        )
    written = []
    for source, target in FILES.items():
        path = folder / target
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCAFFOLD / source, path)
        written.append(path)
    for name in FOLDERS:
        keep = folder / name / ".gitkeep"
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.touch()
        written.append(keep)
    return written
