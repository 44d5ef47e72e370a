"""Logging for Snakemake script adapters: everything, a failure's traceback too, in the job's log.

Snakemake keeps logs of failed jobs, so the log is where a user finds out what went wrong;
a PrismaflowError's message is also what the job prints.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path


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
    except Exception:
        logger.exception("rule %s failed", rule)
        raise
    finally:
        root.removeHandler(handler)
        handler.close()
