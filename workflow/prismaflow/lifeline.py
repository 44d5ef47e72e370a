"""Whether the Snakemake run that started a job is still there.

A job whose Snakemake was killed (SIGKILL, a closed terminal, a node lost) keeps running on
its own: nobody waits for its outputs, yet a live search would go on spending the database's
quota. The run records its process id in the environment its jobs inherit (the Snakefile's
`onstart`), and long-running jobs ask between requests whether that process still lives.
"""

from __future__ import annotations

import os
from pathlib import Path

RUN_VARIABLE = "PRISMAFLOW_RUN_PID"


def claim() -> None:
    """Called by the Snakemake process that runs the workflow: its jobs belong to it."""
    os.environ[RUN_VARIABLE] = str(os.getpid())


def run_alive() -> bool:
    """False once the run that started this job has gone; True when no run claimed it (a
    job started by hand or by a test belongs to whoever started it)."""
    owner = os.environ.get(RUN_VARIABLE, "")
    return alive(int(owner)) if owner.isdecimal() else True


def alive(pid: int) -> bool:
    """Whether a process lives: a killed one its parent has not yet reaped (a zombie) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): the signal test is all there is
    return state != "Z"
