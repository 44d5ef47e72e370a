"""Errors a user can cause, with messages meant for a person rather than a traceback.

Every stage raises one of these when its input is wrong; the Snakemake adapters let them
propagate so the job fails with the message, and the CLI prints the message and exits 2.
"""

from __future__ import annotations


class PrismaflowError(Exception):
    """Base class: something the user can fix (a file, a config key, a reviewer sheet)."""


class ConfigError(PrismaflowError):
    """The review protocol in config.yaml is invalid; the message names the key."""


class InputFileError(PrismaflowError):
    """An input file is malformed; the message names the file and, where known, the line."""

    def __init__(self, path: object, problem: str, line: int | None = None, fix: str = "") -> None:
        where = f"{path}" if line is None else f"{path}, line {line}"
        message = f"{where}: {problem}"
        if fix:
            message += f" ({fix})"
        super().__init__(message)
        self.path = str(path)
        self.line = line


class ReconciliationError(PrismaflowError):
    """Record counts do not add up: something would otherwise be silently lost."""


class GateFailedError(PrismaflowError):
    """A quality gate rejected an artifact; the message names expectations and record ids."""
