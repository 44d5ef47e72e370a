"""Every job of a run forked from one warm process, instead of each paying its imports.

A job's own work here is small (the embedded review's screening takes a fraction of a second)
while starting Python and importing what it needs takes one to four seconds: Great
Expectations alone takes three, and a run has a gate after every stage. So a run starts one
process (the Snakefile's `onstart`) that imports the package and its libraries once; each job's
script hands itself to that process, which forks a child to run the very same script file,
with the job's working folder, environment, arguments, standard output and standard error.
Each job is still its own Snakemake job with its own log, outputs and exit code, so a failed
gate still fails its job, stops the DAG and leaves what it rejected.

Whenever the warm process cannot be reached (none started, a cluster node, a dry run, it is
still importing) the job simply runs in its own process: the warm process saves time and never
changes an outcome.

One warm process may serve many runs: a run started where `PRISMAFLOW_WARM_SOCKET` already
names a live one (a test session's, the app's) uses it and leaves it running. A warm process
runs only jobs whose package is the one it imported, from the same folder: a job that imports
prismaflow from elsewhere (an edited copy) is declined and runs alone, so a warm process can
never run stale code. `PRISMAFLOW_WARM=off` turns it off.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prismaflow.lifeline import alive

PACKAGE = str(Path(__file__).resolve().parent)  # the package a warm process runs jobs with

SOCKET_VARIABLE = "PRISMAFLOW_WARM_SOCKET"
CHILD_VARIABLE = "PRISMAFLOW_WARM_CHILD"
SWITCH_VARIABLE = "PRISMAFLOW_WARM"  # "off": every job runs in its own process
IDLE_SECONDS = 600  # a warm process nobody asks for this long has outlived its run
# Set inside a job a scheduler placed (SLURM, PBS/Torque, LSF, Grid Engine): such a job runs
# where it was placed, with the resources it was given, even if the node could reach us.
SCHEDULER_VARIABLES = ("SLURM_JOB_ID", "PBS_JOBID", "LSB_JOBID", "SGE_TASK_ID")


def job_modules() -> tuple[list[str], list[str]]:
    """What a warm process imports: the gates' suites first (Great Expectations is the
    slowest import and every stage waits on a gate), then every module the scripts run, then
    the libraries those modules import inside functions (a second or more per job otherwise)."""
    from prismaflow import catalog
    from prismaflow.codegraph import closure, libraries, module_name
    from prismaflow.installed import WORKFLOW_DIR

    scripts = WORKFLOW_DIR / "scripts"
    suites = [f"prismaflow.quality.{stage}" for stage in catalog.GATED]
    gates = closure([scripts / "gate.py"], suites)
    everything = closure(sorted(scripts.glob("*.py")), suites)
    first = [module_name(f) for f in gates if f.suffix == ".py"]
    rest = [module_name(f) for f in everything if f.suffix == ".py" and f not in gates]
    return first, rest + sorted(libraries(everything))


def delegate(script: str, wait: float = 0.0) -> None:
    """Run this job in a child of the run's warm process and exit with its exit code; return
    (and let the job run here) when there is none to ask. `script` is the file Snakemake runs
    (`__real_file__`: the script with its preamble); `wait` is how long to wait for a warm
    process that is still importing, worth it only where those imports cost more (gates)."""
    socket_path = os.environ.get(SOCKET_VARIABLE)
    placed = any(os.environ.get(name) for name in SCHEDULER_VARIABLES)
    switched_off = os.environ.get(SWITCH_VARIABLE) == "off"
    if os.environ.get(CHILD_VARIABLE) or not socket_path or placed or switched_off:
        return
    code = run_script(socket_path, script, os.getcwd(), dict(os.environ), sys.argv, wait)
    if code is not None:
        sys.exit(code)


def run_script(
    socket_path: str,
    script: str,
    cwd: str,
    env: dict[str, str],
    argv: Sequence[str] = (),
    wait: float = 0.0,
) -> int | None:
    """Run a script in a child of the warm process at `socket_path`, with this process's
    standard output and error; its exit code, or None when no warm process took it."""
    request = {
        "script": script,
        "cwd": cwd,
        "env": env,
        "argv": list(argv) or [script],
        "package": PACKAGE,
    }
    answer = _ask(socket_path, request, wait)
    return answer["code"] if answer is not None and "code" in answer else None


def _ask(socket_path: str, request: dict[str, Any], wait: float) -> dict[str, Any] | None:
    deadline = time.monotonic() + wait
    while not Path(socket_path).exists():
        if not Path(socket_path).parent.is_dir() or time.monotonic() >= deadline:
            return None
        time.sleep(0.05)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(socket_path)
            sys.stdout.flush()
            sys.stderr.flush()
            # The child writes to this job's own standard output and error.
            socket.send_fds(client, [json.dumps(request).encode() + b"\n"], [1, 2])
            with client.makefile("rb") as stream:
                line = stream.readline()
    except OSError:
        return None
    return json.loads(line) if line else None


def _run_child(connection: socket.socket) -> None:
    """In a forked child: become the job, run its script, report its exit code; decline a
    job whose package is not the one imported here."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # jobs run subprocesses (git, snakemake)
    message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 2)
    with connection.makefile("rb") as stream:
        rest = stream.readline() if not message.endswith(b"\n") else b""
    request = json.loads(message + rest)
    if request.get("probe"):
        connection.sendall(json.dumps({"package": PACKAGE}).encode() + b"\n")
        return
    if request.get("package") != PACKAGE:
        for fd in fds:
            os.close(fd)
        connection.sendall(json.dumps({"declined": PACKAGE}).encode() + b"\n")
        return
    for fd, target in zip(fds, (1, 2), strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"], **{CHILD_VARIABLE: "1"})
    sys.argv = request["argv"]
    code = 0
    try:
        runpy.run_path(request["script"], run_name="__main__")
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)  # what Python prints for sys.exit("message")
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    connection.sendall(json.dumps({"code": code}).encode() + b"\n")


def serve(
    socket_path: str,
    parent: int,
    first: Sequence[str],
    rest: Sequence[str],
    idle: float = IDLE_SECONDS,
) -> None:
    """Import `first` (what the most jobs wait for), listen, and import `rest` between
    requests; fork a child per job until the run ends: the socket is removed, the process that
    started this one is gone, or nobody asked for `idle` seconds."""
    for module in first:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staging = f"{socket_path}.{os.getpid()}"
    listener.bind(staging)
    listener.listen(16)
    os.rename(staging, socket_path)  # appears only once it accepts
    pending, last = list(rest), time.monotonic()
    with listener:
        while Path(socket_path).exists() and alive(parent) and time.monotonic() - last < idle:
            if not select.select([listener], [], [], 0 if pending else 1.0)[0]:
                if pending:
                    with contextlib.suppress(Exception):  # a child imports what failed here
                        importlib.import_module(pending.pop(0))
                continue
            connection, _ = listener.accept()
            last = time.monotonic()
            # What is imported stays out of the children's garbage collections: they would
            # touch, and so copy, every page of it (the copy-on-write that makes a fork cheap).
            gc.freeze()
            if os.fork() == 0:
                listener.close()
                try:
                    _run_child(connection)
                finally:
                    os._exit(0)
            connection.close()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)


_started: list[str] = []  # the warm processes this process started, and only these it stops


def start(
    first: Sequence[str], rest: Sequence[str], parent: int | None = None, idle: float | None = None
) -> str | None:
    """Start the run's warm process in the background and tell jobs where it listens (the
    environment Snakemake passes on), unless one is already there to share. The socket lives
    in a short temporary folder: a Unix socket's path has about 100 characters at most.
    `parent` is the process whose end ends it (this one by default)."""
    if os.environ.get(SWITCH_VARIABLE) == "off":
        return None
    shared = os.environ.get(SOCKET_VARIABLE)
    if shared and serves_this_package(shared):
        return None
    path = str(Path(tempfile.mkdtemp(prefix="prismaflow-warm-")) / "jobs.sock")
    modules = [",".join(first), ",".join(rest)]
    owner = str(parent or os.getpid())
    subprocess.Popen(
        [sys.executable, "-m", "prismaflow.warm", path, owner, *modules, str(idle or IDLE_SECONDS)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.environ[SOCKET_VARIABLE] = path
    _started.append(path)
    return path


def serves_this_package(socket_path: str) -> bool:
    """Whether a warm process listens there and runs jobs with this very package."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(5)
            probe.connect(socket_path)
            probe.sendall(json.dumps({"probe": True}).encode() + b"\n")
            with probe.makefile("rb") as stream:
                line = stream.readline()
    except OSError:
        return False
    return bool(line) and json.loads(line).get("package") == PACKAGE


def stop(socket_path: str | None = None) -> None:
    """End a warm process this process started (or the one named): it stops once its socket
    is gone (running jobs finish). A shared one, started by someone else, runs on."""
    if socket_path is None:
        if not _started:
            return
        socket_path = _started.pop()
        if os.environ.get(SOCKET_VARIABLE) == socket_path:
            del os.environ[SOCKET_VARIABLE]
    if socket_path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(socket_path)
        with contextlib.suppress(OSError):
            Path(socket_path).parent.rmdir()


if __name__ == "__main__":
    _, where, parent, first, rest, idle = sys.argv
    serve(
        where,
        int(parent),
        [m for m in first.split(",") if m],
        [m for m in rest.split(",") if m],
        float(idle),
    )
