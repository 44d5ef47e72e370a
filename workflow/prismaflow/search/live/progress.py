"""Records retrieved of records reported, per query, on the terminal while a live search runs."""

from __future__ import annotations

import sys

from tqdm import tqdm


class Progress:
    """A progress bar that learns its total from the database's first answer; silent when
    stderr is not a terminal (Snakemake logs, CI)."""

    def __init__(self, label: str, enabled: bool | None = None) -> None:
        shown = sys.stderr.isatty() if enabled is None else enabled
        self.bar = tqdm(desc=label, unit=" records", file=sys.stderr, disable=not shown)

    def start(self, total: int) -> None:
        self.bar.total = total
        self.bar.refresh()

    def advance(self, records: int) -> None:
        self.bar.update(records)

    def close(self) -> None:
        self.bar.close()
