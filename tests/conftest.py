"""Shared paths and helpers for all test layers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
# ../shared sits beside a developer's and CI's checkout, not beside a user's clone.
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or a skip that says why the test cannot run here."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: third-party data lives in ../shared beside the checkout")
    return path


@pytest.fixture(scope="session")
def config():
    from prismaflow.config import load_yaml, validate_config

    return validate_config(load_yaml(ROOT / "config" / "config.yaml"))


# The finished run of the embedded default that integration tests share
# (tests/integration/conftest.py: finished_run), started in the background when the session
# starts, so that the workers run the tests that do not need it meanwhile.
FINISHED_RUN = "finished_run"


def pytest_sessionstart(session) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller started it
    chosen = [str(arg) for arg in session.config.args] or ["tests"]
    if not any("integration" in arg or arg.rstrip("/") in ("tests", ".") for arg in chosen):
        return
    from prismaflow.sandbox import copy_project

    shared = session.config._tmp_path_factory.getbasetemp()  # the workers' folders' parent
    folder = copy_project(shared / FINISHED_RUN)
    with open(shared / f"{FINISHED_RUN}.log", "w") as log:
        subprocess.Popen(
            f'"{sys.executable}" -m snakemake --cores 2; echo $? > ../{FINISHED_RUN}.status',
            shell=True,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def pytest_collection_modifyitems(items) -> None:
    """Tests that need the shared run go last: the workers run the others while it is made.
    Among them, those that run a copy of it again go first, and those that only read it fill
    the end, so that no worker is left alone with a long test."""

    def order(item) -> tuple[bool, bool]:
        fixtures = getattr(item, "fixturenames", ())
        return "finished_run" in fixtures, "tmp_path" not in fixtures

    items.sort(key=order)
