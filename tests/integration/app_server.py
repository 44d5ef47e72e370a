"""`prismaflow serve` started for a test, as a reviewer team would start it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path


def start_server(directory: Path, reviewers: str) -> tuple[subprocess.Popen, str, dict[str, str]]:
    """`prismaflow serve` on a free port; its address and each reviewer's token."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prismaflow.cli",
            "serve",
            str(directory),
            "--port",
            "0",
            "--reviewers",
            reviewers,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url, tokens = None, {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(tokens) < reviewers.count(",") + 1:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the app did not start: {process.stderr.read()[-2000:]}")
        if found := re.match(r"prismaflow serve: (\S+)", line):
            url = found.group(1)
        elif found := re.match(r"\s+(\w+): \S+token=(\S+)", line):
            tokens[found.group(1)] = found.group(2)
    return process, url, tokens


def run_from_the_app(page, url: str) -> int:
    """Press the overview's run button, wait for the workflow to finish, and give its exit
    status."""
    page.goto(url)
    with page.expect_navigation():
        page.click("#run")
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = page.request.get(f"{url}/run").json()
        if not state["running"] and state["returncode"] is not None:
            return state["returncode"]
        time.sleep(0.5)
    raise AssertionError("the workflow started from the app did not finish in 240 s")
