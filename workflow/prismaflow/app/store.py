"""The screening app's decisions, written as the workflow reads them: one sheet per reviewer and
phase (`config/decisions/<phase>/<reviewer>.csv`), and beside it a history of every action.

Each action is made under the sheet's lock: the history gains a row (flushed to disk), then the
sheet is rewritten whole to a temporary file that replaces it in one rename. A crash, a killed
server or two requests at once can therefore never leave a sheet half written or a decision
twice; a crash between the two steps leaves one action in the history that the sheet lacks,
and the next action, or the app's next start, carries it into the sheet (`recover`). An undo is
a new history row; the sheet always holds each reviewer's current decision per record, which is
what the workflow counts. Rows a reviewer wrote by hand are kept as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from prismaflow.catalog import DECISION_HISTORY, DECISIONS
from prismaflow.errors import InputFileError
from prismaflow.screen.reviewers import COLUMNS, INFORMATION

HISTORY_COLUMNS = ("action", "id", "record", "decision", "reason", "note", "timestamp")
DECIDE, UNDO = "decide", "undo"


@dataclass(frozen=True)
class Action:
    """One acknowledged action: `id` is the client's, so a retried request is not applied twice."""

    kind: str
    id: str
    record: str
    decision: str | None
    reason: str | None
    note: str | None
    timestamp: str


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class DecisionStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()

    def sheet(self, phase: str, reviewer: str) -> Path:
        return self.folder / DECISIONS / phase / f"{reviewer}.csv"

    def history_file(self, phase: str, reviewer: str) -> Path:
        return self.folder / DECISION_HISTORY / phase / f"{reviewer}.csv"

    def rows(self, phase: str, reviewer: str) -> list[dict[str, str]]:
        """The sheet's rows as written (blank cells as empty strings), the worklist's columns
        too when the sheet began as a filled worklist."""
        path = self.sheet(phase, reviewer)
        if not path.is_file():
            return []
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            known = (*COLUMNS, *INFORMATION)
            if reader.fieldnames and not set(reader.fieldnames) <= set(known):
                raise InputFileError(
                    path,
                    f"has columns the app does not write "
                    f"{sorted(set(reader.fieldnames) - set(COLUMNS))}",
                    line=1,
                    fix=f"keep the columns {list(COLUMNS)}",
                )
            kept = [c for c in known if c in (reader.fieldnames or ()) or c in COLUMNS]
            return [{c: row.get(c) or "" for c in kept} for row in reader]

    def history(self, phase: str, reviewer: str) -> list[Action]:
        path = self.history_file(phase, reviewer)
        if not path.is_file():
            return []
        with path.open(encoding="utf-8", newline="") as stream:
            return [
                Action(
                    row["action"],
                    row["id"],
                    row["record"],
                    row["decision"] or None,
                    row["reason"] or None,
                    row["note"] or None,
                    row["timestamp"],
                )
                for row in csv.DictReader(stream)
            ]

    def decide(
        self,
        phase: str,
        reviewer: str,
        record: str,
        decision: str,
        reason: str | None = None,
        note: str | None = None,
        action_id: str | None = None,
    ) -> Action:
        """Record a decision (replacing the reviewer's earlier one on the record)."""
        action = Action(
            DECIDE, action_id or os.urandom(8).hex(), record, decision, reason, note, now()
        )
        return self._apply(phase, reviewer, action)

    def undo(self, phase: str, reviewer: str, action_id: str | None = None) -> Action | None:
        """Take back the reviewer's last decision still standing: the record goes back to its
        decision before, or to none."""
        with self._locked(phase, reviewer):
            standing = _standing(self.history(phase, reviewer))
            if not standing:
                return None
            record = standing[-1].record
            action = Action(UNDO, action_id or os.urandom(8).hex(), record, None, None, None, now())
            return self._apply(phase, reviewer, action, locked=True)

    def recover(self, phase: str, reviewer: str) -> None:
        """Carry into the sheet the history's last action if the sheet was not rewritten after
        it (the server stopped between the two steps). A sheet saved later, by the app or by
        hand, is left as it is."""
        with self._locked(phase, reviewer):
            self._recover(phase, reviewer, self.history(phase, reviewer))

    def _recover(self, phase: str, reviewer: str, past: list[Action]) -> None:
        history, sheet = self.history_file(phase, reviewer), self.sheet(phase, reviewer)
        if not past or (sheet.exists() and sheet.stat().st_mtime_ns >= history.stat().st_mtime_ns):
            return
        _replace(sheet, self._projected(phase, reviewer, past[:-1], past[-1]))

    def _projected(
        self, phase: str, reviewer: str, past: list[Action], action: Action
    ) -> list[dict[str, str]]:
        """The sheet's rows once `action` is applied after `past`."""
        rows = [r for r in self.rows(phase, reviewer) if r["record"] != action.record]
        if action.kind == UNDO:
            before = [a for a in _standing(past) if a.record == action.record][:-1]
            if before:
                rows.append(_sheet_row(before[-1]))
        else:
            rows.append(_sheet_row(action))
        return rows

    def _apply(self, phase: str, reviewer: str, action: Action, locked: bool = False) -> Action:
        if not locked:
            with self._locked(phase, reviewer):
                return self._apply(phase, reviewer, action, locked=True)
        past = self.history(phase, reviewer)
        self._recover(phase, reviewer, past)
        if any(a.id == action.id for a in past):
            return next(a for a in past if a.id == action.id)  # a retried request
        rows = self._projected(phase, reviewer, past, action)
        _append(self.history_file(phase, reviewer), action)
        _replace(self.sheet(phase, reviewer), rows)
        return action

    @contextmanager
    def _locked(self, phase: str, reviewer: str) -> Iterator[None]:
        """One writer per sheet, across threads and across processes."""
        path = self.history_file(phase, reviewer).with_suffix(".lock")
        with self._guard:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)


def _standing(actions: list[Action]) -> list[Action]:
    """The decisions not undone, in the order made (an undo takes back the latest one on its
    record)."""
    standing: list[Action] = []
    for action in actions:
        if action.kind == DECIDE:
            standing.append(action)
        else:
            latest = max(i for i, a in enumerate(standing) if a.record == action.record)
            del standing[latest]
    return standing


def _sheet_row(action: Action) -> dict[str, str]:
    return {
        "record": action.record,
        "decision": action.decision or "",
        "reason": action.reason or "",
        "note": action.note or "",
        "timestamp": action.timestamp,
    }


def _append(path: Path, action: Action) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        if new:
            writer.writerow(HISTORY_COLUMNS)
        writer.writerow(
            [
                action.kind,
                action.id,
                action.record,
                action.decision or "",
                action.reason or "",
                action.note or "",
                action.timestamp,
            ]
        )
        stream.flush()
        os.fsync(stream.fileno())


def _replace(path: Path, rows: list[dict[str, str]]) -> None:
    """The whole sheet, written beside it and renamed over it: never half written."""
    buffer = io.StringIO()
    columns = [*COLUMNS, *(c for c in INFORMATION if any(c in row for row in rows))]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with temporary.open("w", encoding="utf-8", newline="") as stream:
        stream.write(buffer.getvalue())
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
