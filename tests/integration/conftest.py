"""The workflow run for real, in a subprocess, on a temporary copy of the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from prismaflow import catalog, status
from prismaflow.parquet_io import read_frame
from prismaflow.sandbox import copy_project


def own_code(directory: Path, env: dict | None = None) -> dict:
    """The environment in which a review copy runs its own copy of the package, so that an
    edit to a module there is the code that runs, and the code its rules declare."""
    return {**(env or os.environ), "PYTHONPATH": str(directory / "workflow")}


def snakemake(
    directory: Path, *args: str, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=own_code(directory, env),
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def prismaflow(directory: Path, *args: str) -> subprocess.CompletedProcess:
    """The `prismaflow` command, run in a review folder."""
    return subprocess.run(
        [sys.executable, "-m", "prismaflow.cli", *args],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
        env=own_code(directory),
    )


def scheduled_rules(directory: Path, *args: str) -> dict[str, int]:
    """The rules a dry run would execute in a review copy running its own code."""
    return status.scheduled_rules(directory, *args, env=own_code(directory))


def scheduled_with(run: Path, relative: str, text: str) -> dict[str, int]:
    """The rules a dry run would execute if this file were added to the review folder."""
    path = run / relative
    path.write_text(text, encoding="utf-8")
    try:
        return scheduled_rules(run)
    finally:
        path.unlink()


def read(run: Path, artifact: str, **wildcards: str) -> pd.DataFrame:
    """An artifact of a run, by its catalog name."""
    return read_frame(catalog.under(run / "results", artifact, **wildcards))


def copy_of(finished_run: Path, tmp_path: Path, name: str) -> Path:
    """A finished run (results and Snakemake's records too) to change without touching it."""
    shutil.copytree(finished_run, tmp_path / name, symlinks=True)
    return tmp_path / name


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory) -> Path:
    """One complete run of the embedded default, shared by the read-only tests."""
    directory = copy_project(tmp_path_factory.mktemp("review"))
    snakemake(directory)
    return directory
