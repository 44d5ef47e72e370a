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
