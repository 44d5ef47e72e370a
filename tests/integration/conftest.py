"""The workflow run for real, in a subprocess, on a temporary copy of the project."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from prismaflow import catalog, status, warm
from prismaflow.cli import main
from prismaflow.parquet_io import read_frame
from tests.conftest import FINISHED_RUN
from tests.matrix import inprocess


def own_code(directory: Path, env: dict | None = None) -> dict:
    """The environment in which a review copy runs its own copy of the package, so that an
    edit to a module there is the code that runs, and the code its rules declare. Only the
    tests of code edits need it: every other run uses the installed package, as a user's
    review folder does, and so shares the session's warm process."""
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
        env=env,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


def prismaflow(directory: Path, *args: str) -> subprocess.CompletedProcess:
    """The `prismaflow` command, run in a review folder: in this process (its exit code and
    what it printed), but `run`, whose Snakemake writes to the terminal itself."""
    if args[:1] == ("run",):
        return subprocess.run(
            [sys.executable, "-m", "prismaflow.cli", *args],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    os.chdir(directory)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["prismaflow", *args], code, out.getvalue(), err.getvalue())


def scheduled_rules(directory: Path, *args: str, env: dict | None = None) -> dict[str, int]:
    """The rules a dry run would execute in a review folder: Snakemake's dry run, in this
    process (a review on its own copy of the package, `env`, in a process of its own)."""
    if env is not None:
        return status.scheduled_rules(directory, *args, env=env)
    return inprocess.scheduled(directory, *args)


def scheduled_with(run: Path, relative: str, text: str, tmp_path: Path) -> dict[str, int]:
    """The rules a dry run would execute if this file were added to (a copy of) the run."""
    changed = copy_of(run, tmp_path, "with_" + Path(relative).stem)
    (changed / relative).write_text(text, encoding="utf-8")
    return scheduled_rules(changed)


def read(run: Path, artifact: str, **wildcards: str) -> pd.DataFrame:
    """An artifact of a run, by its catalog name."""
    return read_frame(catalog.under(run / "results", artifact, **wildcards))


def copy_of(finished_run: Path, tmp_path: Path, name: str) -> Path:
    """A finished run (results and Snakemake's records too) to change without touching it."""
    shutil.copytree(finished_run, tmp_path / name, symlinks=True)
    return tmp_path / name


@pytest.fixture(scope="session", autouse=True)
def shared_warm_process(worker_id):
    """One warm process for every run of this test process (prismaflow.warm): each run would
    otherwise start its own and import the package's libraries again. Runs of an edited copy
    of the package are declined by it and start their own."""
    os.environ.pop(warm.SOCKET_VARIABLE, None)
    socket_path = warm.start(*warm.job_modules(), idle=3600)
    yield socket_path
    warm.stop(socket_path)


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory, worker_id) -> Path:
    """One complete run of the embedded default, made once per test session in the
    background (tests/conftest.py) and shared by every worker: tests read it, or change a
    copy of it."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder all xdist workers' temporary folders share
    status_file = shared / f"{FINISHED_RUN}.status"
    deadline = time.monotonic() + 900
    while not status_file.is_file() or not status_file.read_text().strip():
        assert time.monotonic() < deadline, "the shared run of the embedded default never ended"
        time.sleep(0.2)
    if status_file.read_text().strip() != "0":
        log = (shared / f"{FINISHED_RUN}.log").read_text()[-4000:]
        raise AssertionError(f"the shared run of the embedded default failed:\n{log}")
    return shared / FINISHED_RUN
