"""`prismaflow serve` started for a test, as a reviewer team would start it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path


def start_server(directory: Path, reviewers: str) -> tuple[subprocess.Popen, str, dict[str, str]]:
    """`prismaflow serve` on a free port; its address and each reviewer's token. Its output goes
    to a file beside the folder: a pipe nobody reads would fill and stop the server."""
    log = directory.parent / f"serve-{time.monotonic_ns()}.log"
    with log.open("w") as output:
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
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # each line in the file as printed
        )
    url, tokens = None, {}
    deadline = time.monotonic() + 60
    while len(tokens) < reviewers.count(",") + 1:
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the app did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
        text = log.read_text()
        if found := re.search(r"^prismaflow serve: (\S+) ", text, re.MULTILINE):
            url = found.group(1)
        tokens = dict(re.findall(r"^\s+(\w+): \S+token=(\S+)\n", text, re.MULTILINE))
    return process, url, tokens


def stop_server(process: subprocess.Popen) -> None:
    """Ctrl-C, as a reviewer stops it; a server that does not stop is killed, not left behind,
    and the test fails."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError("prismaflow serve did not stop on Ctrl-C (SIGINT) in 20 s") from None


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
