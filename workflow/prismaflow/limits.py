"""How much one input may hold before prismaflow refuses it, rather than run out of memory or
die in a library's traceback: the longest line of a text export or sheet, the largest cell of a
CSV, the decompressed size of a workbook. Each limit can be raised from the environment, and
the error that names the file and line says how."""

from __future__ import annotations

import csv
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from prismaflow.errors import InputFileError

T = TypeVar("T")


@dataclass(frozen=True)
class Limit:
    variable: str  # the environment variable that raises it
    default: int
    unit: str

    @property
    def value(self) -> int:
        return int(os.environ.get(self.variable, self.default))

    def exceeded(self, origin: str | Path, what: str, line: int | None = None) -> InputFileError:
        return InputFileError(
            origin,
            f"{what} is over {self.value:,} {self.unit}, more than any export holds",
            line=line,
            fix=f"if the file is right, raise the limit: {self.variable}={self.value * 10}",
        )


LINE = Limit("PRISMAFLOW_MAX_LINE_CHARS", 4_000_000, "characters")
CELL = Limit("PRISMAFLOW_MAX_CELL_CHARS", 1_000_000, "characters")
WORKBOOK = Limit("PRISMAFLOW_MAX_XLSX_BYTES", 512 * 1024 * 1024, "bytes decompressed")


def check_lines(text: str, origin: str | Path) -> None:
    """Refuse a text whose longest line is over the limit, naming that line."""
    limit, start, line = LINE.value, 0, 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if end - start > limit:
            raise LINE.exceeded(origin, "a line", line)
        start, line = end + 1, line + 1


def csv_rows(reader: Iterator[T], origin: str | Path, line: Callable[[], int]) -> Iterator[T]:
    """A csv reader's rows, with the csv module's cell limit (128 KB) raised to prismaflow's so
    that a long abstract reads, and its errors as prismaflow's, naming the file and line."""
    csv.field_size_limit(CELL.value)
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            at = line() + 1  # the reader counts only the lines it finished
            if "field larger than field limit" in str(exc):
                raise CELL.exceeded(origin, "a cell", at) from None
            raise InputFileError(
                origin, f"is not valid CSV ({exc})", line=at, fix="save it as CSV again"
            ) from None


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts decompress to more than the limit (a zip bomb) before
    openpyxl inflates them."""
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: the workbook reader says so
    if inflated > WORKBOOK.value:
        raise WORKBOOK.exceeded(path, f"the workbook ({inflated:,} bytes decompressed)")
