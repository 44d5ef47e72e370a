"""Logging for Snakemake script adapters: everything, a failure's cause too, in the job's log.

Snakemake keeps logs of failed jobs, so the log is where a user finds out what went wrong. An
error the user can fix (a PrismaflowError: a file, a line, a key, what to do) is one message,
in the log and on the terminal, with no traceback to bury it; anything else is a bug, and keeps
its traceback with a line that says so.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from prismaflow.errors import PrismaflowError


@contextlib.contextmanager
def logged_to(path: str | Path, rule: str) -> Iterator[logging.Logger]:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logger = logging.getLogger(f"prismaflow.{rule}")
    try:
        yield logger
    except PrismaflowError as exc:
        logger.error("%s", exc)
        raise SystemExit(f"prismaflow: {exc}") from None
    except KeyboardInterrupt:  # Ctrl-C reaches every job: a stop asked for, not a fault
        logger.error("interrupted; run the workflow again to go on")
        raise SystemExit(130) from None
    except Exception:
        logger.exception("rule %s failed: this is a bug in prismaflow, please report it", rule)
        raise
    finally:
        root.removeHandler(handler)
        handler.close()
