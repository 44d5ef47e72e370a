"""Gate jobs without the cost of starting Great Expectations five times a run.

Importing GX takes about three seconds (its expectation catalogue pulls in scipy.stats and
altair), while checking a review's artifacts takes a fraction of one; with a gate after each
stage, that import was most of a cold run and most of the wait after a reviewer's edit. So a
run starts one gate server (the Snakefile's `onstart`), which imports GX once and then forks
a child for every gate job that asks. Each gate is still its own Snakemake job with its own
log and verdict, and a child runs exactly the code a job would run in its own process (`check`),
so a failed gate still fails its job, stops the DAG and leaves the artifacts it rejected.

Whenever the server cannot be reached (none started, a cluster node, a stale socket) the job
runs the same `check` in its own process: the server saves time, never changes an outcome.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from prismaflow import catalog
from prismaflow.errors import GateFailedError, PrismaflowError
from prismaflow.runlog import logged_to

SOCKET_VARIABLE = "PRISMAFLOW_GATE_SOCKET"
IDLE_SECONDS = 600  # a server nobody asks for this long has outlived its run
CONNECT_SECONDS = 15  # how long a gate waits for a server that is still importing GX


@dataclass(frozen=True)
class GateJob:
    """What one gate job checks, where it logs, and where its verdict goes."""

    rule: str
    stage: str
    inputs: Mapping[str, Any]
    params: Mapping[str, Any]
    verdict: str
    log: str
    cwd: str


def check(job: GateJob) -> None:
    """Run the stage's suite and invariants and write the verdict; raise GateFailedError if
    any check failed. The same function runs in a forked child or in the job's own process."""
    import great_expectations  # noqa: F401  (already imported in a server's child)

    from prismaflow.quality.gate import run_gate, verdict, write_verdict

    with logged_to(job.log, job.rule) as log:
        _quiet_gx()
        report = verdict(job.stage, run_gate(job.stage, job.inputs, job.params))
        log.info(
            "gate %s: %s (%d checks)",
            job.stage,
            "passed" if report["success"] else "FAILED",
            report["expectations_run"],
        )
        write_verdict(report, Path(job.verdict))


def _quiet_gx() -> None:
    """GX's own INFO chatter (a third of a gate's log) hides the verdict; keep its warnings.
    Some of its modules set their loggers' levels themselves, so each is set, not just the
    parent."""
    names = [n for n in logging.root.manager.loggerDict if n.startswith("great_expectations")]
    for name in ["great_expectations", *names]:
        logging.getLogger(name).setLevel(logging.WARNING)


def run(job: GateJob, socket_path: str | None = None) -> None:
    """Check through the run's gate server if one answers, else in this process."""
    socket_path = socket_path or os.environ.get(SOCKET_VARIABLE)
    answer = _ask(socket_path, job) if socket_path else None
    if answer is None:
        check(job)
    elif not answer["ok"]:
        error = GateFailedError if answer["kind"] == "gate" else PrismaflowError
        raise (error if answer["kind"] != "bug" else RuntimeError)(answer["message"])


def _ask(socket_path: str, job: GateJob) -> dict[str, Any] | None:
    """The server's answer, or None when no server is there to ask."""
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(socket_path)
            break
        except (FileNotFoundError, ConnectionRefusedError, OSError):
            client.close()
            # The socket file appears once the server listens; before that it is importing.
            if not Path(socket_path).parent.is_dir() or time.monotonic() > deadline:
                return None
            time.sleep(0.05)
    with client, client.makefile("rwb") as stream:
        stream.write(json.dumps(asdict(job)).encode() + b"\n")
        stream.flush()
        line = stream.readline()
    return json.loads(line) if line else None


def _answer(job: GateJob) -> dict[str, Any]:
    try:
        os.chdir(job.cwd)
        check(job)
        return {"ok": True}
    except GateFailedError as exc:
        return {"ok": False, "kind": "gate", "message": str(exc)}
    except PrismaflowError as exc:
        return {"ok": False, "kind": "input", "message": str(exc)}
    except Exception:
        return {"ok": False, "kind": "bug", "message": traceback.format_exc()}


def serve(socket_path: str, parent: int, idle: float = IDLE_SECONDS) -> None:
    """Import GX and the suites once, then fork a child per gate job until the run ends: the
    socket is removed, the process that started the server is gone, or nobody asked for
    `idle` seconds."""
    import importlib

    import great_expectations  # noqa: F401  (the import this server exists to pay once)

    for stage in catalog.GATED:
        importlib.import_module(f"prismaflow.quality.{stage}")
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = f"{socket_path}.{os.getpid()}"
    listener.bind(staging)
    listener.listen(16)
    os.rename(staging, socket_path)  # appears only once it accepts
    last = time.monotonic()
    with listener:
        while Path(socket_path).exists() and _alive(parent) and time.monotonic() - last < idle:
            if not select.select([listener], [], [], 1.0)[0]:
                continue
            connection, _ = listener.accept()
            last = time.monotonic()
            if os.fork() == 0:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the gate may run git
                listener.close()
                with connection, connection.makefile("rwb") as stream:
                    job = GateJob(**json.loads(stream.readline()))
                    stream.write(json.dumps(_answer(job)).encode() + b"\n")
                os._exit(0)
            connection.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start() -> str:
    """Start a gate server for this run in the background; the socket's path, which gate
    jobs find in the environment. The socket lives in a short temporary folder (a Unix
    socket path has about 100 characters at most)."""
    path = str(Path(tempfile.mkdtemp(prefix="prismaflow-gates-")) / "gates.sock")
    subprocess.Popen(
        [sys.executable, "-m", "prismaflow.quality.warm", path, str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.environ[SOCKET_VARIABLE] = path
    return path


def stop(socket_path: str | None = None) -> None:
    """End the run's server: it stops once its socket is gone (running gates finish)."""
    socket_path = socket_path or os.environ.pop(SOCKET_VARIABLE, None)
    if socket_path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)
        with contextlib.suppress(OSError):
            Path(socket_path).parent.rmdir()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
