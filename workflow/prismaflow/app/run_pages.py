"""The workflow run from the app: one at a time, in the background, its state asked for by
the overview."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from flask import Blueprint, jsonify, redirect, url_for

from prismaflow.app.auth import signed_in
from prismaflow.installed import workflow_command


class WorkflowRun:
    """One workflow run at a time, in the background, started from the app."""

    def __init__(self, folder: Path, cores: int) -> None:
        self.folder, self.cores = folder, cores
        self.thread: threading.Thread | None = None
        self.returncode: int | None = None
        self.output = ""

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self.returncode, self.output = None, ""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        done = subprocess.run(
            workflow_command(self.folder, self.cores), capture_output=True, text=True, check=False
        )
        self.output = (done.stdout + done.stderr)[-4000:]
        self.returncode = done.returncode


def pages(runner: WorkflowRun) -> Blueprint:
    pages = Blueprint("workflow_run", __name__)

    @pages.post("/run")
    @signed_in
    def run():
        runner.start()
        return redirect(url_for("account.home"))

    @pages.get("/run")
    @signed_in
    def status():
        return jsonify({"running": runner.running, "returncode": runner.returncode})

    return pages
