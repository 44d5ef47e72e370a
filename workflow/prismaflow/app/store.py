"""The app's sheets, written as the workflow reads them, and beside each a history of every
action: screening decisions (`config/decisions/<phase>/<reviewer>.csv`), the full texts
attached to records, extraction forms (`config/extraction/<reviewer>.csv`) and risk-of-bias
forms (`config/risk_of_bias/<reviewer>.csv`).

Each action is made under the sheet's lock: the history gains a row (flushed to disk), then the
sheet is rewritten whole to a temporary file that replaces it in one rename. A crash, a killed
server or two requests at once can therefore never leave a sheet half written or an action
applied twice; a crash between the two steps leaves one action in the history that the sheet
lacks, and the next action, or the app's next start, carries it into the sheet (`recover`). An
undo is a new history row; the sheet always holds the current row per key, which is what the
workflow reads. Rows and columns a reviewer wrote by hand are kept as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import fcntl
import io
import json
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prismaflow.appraise import assessments as bias_sheet
from prismaflow.catalog import (
    DECISION_HISTORY,
    DECISIONS,
    EXTRACTION,
    FULL_TEXT_FILES,
    FULL_TEXT_HISTORY,
    HISTORY,
    RISK_OF_BIAS,
)
from prismaflow.errors import InputFileError
from prismaflow.extract import reviewers as extraction_sheet
from prismaflow.screen import reviewers as screening_sheet

PUT, UNDO = "decide", "undo"
TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class Layout:
    """Where one kind of sheet and its history live (path templates in the review folder, of
    `{reviewer}` and `{phase}`) and what its rows hold."""

    sheet: str
    history: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    information: tuple[str, ...] = ()  # columns a sheet may also carry; kept as written
    stamped: bool = False  # whether the sheet has a timestamp column
    # An extraction form's columns are the protocol's, which may change between sessions, while
    # an append-only history cannot change its header: such a history keeps values as JSON.
    values_as_json: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key, *self.values, *((TIMESTAMP,) if self.stamped else ()))

    @property
    def history_columns(self) -> tuple[str, ...]:
        values = ("values",) if self.values_as_json else self.values
        return ("action", "id", *self.key, *values, TIMESTAMP)


# The columns are those the workflow's readers take (screen.reviewers, appraise.assessments,
# extract.reviewers): a sheet the app writes is one the workflow reads.
DECISION_LAYOUT = Layout(
    f"{DECISIONS}/{{phase}}/{{reviewer}}.csv",
    f"{DECISION_HISTORY}/{{phase}}/{{reviewer}}.csv",
    screening_sheet.COLUMNS[:1],
    screening_sheet.COLUMNS[1:-1],
    screening_sheet.INFORMATION,
    stamped=True,  # its last column, the timestamp
)
FULL_TEXT_LAYOUT = Layout(
    FULL_TEXT_FILES, FULL_TEXT_HISTORY, ("record",), ("file", "attached_by"), stamped=True
)
BIAS_LAYOUT = Layout(
    f"{RISK_OF_BIAS}/{{reviewer}}.csv",
    f"{RISK_OF_BIAS}/{HISTORY}/{{reviewer}}.csv",
    bias_sheet.COLUMNS[:2],
    bias_sheet.COLUMNS[2:],
    bias_sheet.INFORMATION_COLUMNS,
)


def extraction_layout(fields: Sequence[str]) -> Layout:
    return Layout(
        f"{EXTRACTION}/{{reviewer}}.csv",
        f"{EXTRACTION}/{HISTORY}/{{reviewer}}.csv",
        ("record_id",),
        tuple(fields),
        extraction_sheet.INFORMATION_COLUMNS,
        values_as_json=True,
    )


@dataclass(frozen=True)
class Action:
    """One acknowledged action: `id` is the client's, so a retried request is not applied twice."""

    kind: str
    id: str
    key: tuple[str, ...]
    values: Mapping[str, str] = field(default_factory=dict)
    timestamp: str = ""

    @property
    def record(self) -> str:
        return self.key[0]


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class SheetStore:
    """Every sheet of one layout in a review folder."""

    def __init__(self, folder: Path, layout: Layout) -> None:
        self.folder, self.layout = folder, layout
        self._locks: dict[Path, threading.Lock] = {}
        self._guard = threading.Lock()

    def sheet(self, **names: str) -> Path:
        return self.folder / self.layout.sheet.format(**names)

    def history_file(self, **names: str) -> Path:
        return self.folder / self.layout.history.format(**names)

    def rows(self, **names: str) -> list[dict[str, str]]:
        """The sheet's rows as written (blank cells as empty strings), its information columns
        too when a reviewer's sheet carries them."""
        path = self.sheet(**names)
        if not path.is_file():
            return []
        layout = self.layout
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.DictReader(stream)
            known = (*layout.columns, *layout.information)
            if reader.fieldnames and not set(reader.fieldnames) <= set(known):
                raise InputFileError(
                    path,
                    f"has columns the app does not write "
                    f"{sorted(set(reader.fieldnames) - set(known))}",
                    line=1,
                    fix=f"keep the columns {list(layout.columns)}",
                )
            kept = [c for c in known if c in (reader.fieldnames or ()) or c in layout.columns]
            return [{c: row.get(c) or "" for c in kept} for row in reader]

    def history(self, **names: str) -> list[Action]:
        path = self.history_file(**names)
        if not path.is_file():
            return []
        with path.open(encoding="utf-8", newline="") as stream:
            return [self._action(row) for row in csv.DictReader(stream)]

    def put(
        self, key: Sequence[str], values: Mapping[str, str], action_id: str | None = None, **names
    ) -> Action:
        """Set the row of `key` (replacing the one before it)."""
        given = {name: values.get(name) or "" for name in self.layout.values}
        action = Action(PUT, action_id or os.urandom(8).hex(), tuple(key), given, now())
        return self._apply(action, names)

    def undo(self, action_id: str | None = None, **names: str) -> Action | None:
        """Take back the last action still standing: its key goes back to its row before, or
        to none."""
        with self._locked(names):
            standing = _standing(self.history(**names))
            if not standing:
                return None
            action = Action(UNDO, action_id or os.urandom(8).hex(), standing[-1].key, {}, now())
            return self._apply(action, names, locked=True)

    def recover(self, **names: str) -> None:
        """Carry into the sheet the history's last action if the sheet was not rewritten after
        it (the server stopped between the two steps). A sheet saved later, by the app or by
        hand, is left as it is."""
        with self._locked(names):
            self._recover(names, self.history(**names))

    def _recover(self, names: Mapping[str, str], past: list[Action]) -> None:
        # File times are as coarse as the kernel's tick (milliseconds): a sheet written in the
        # tick its history gained a row may or may not hold that row. Carrying the last action
        # in again is harmless (it projects to the same rows), so only a sheet strictly newer
        # than its history is taken as it stands.
        history, sheet = self.history_file(**names), self.sheet(**names)
        if not past or (sheet.exists() and sheet.stat().st_mtime_ns > history.stat().st_mtime_ns):
            return
        current = self.rows(**names)
        rows = self._projected(current, past[:-1], past[-1])
        if rows != current:
            self._replace(sheet, rows)

    def _projected(
        self, current: list[dict[str, str]], past: list[Action], action: Action
    ) -> list[dict[str, str]]:
        """The sheet's rows (now `current`) once `action` is applied after `past`."""
        rows = [r for r in current if self._key(r) != action.key]
        if action.kind == UNDO:
            before = [a for a in _standing(past) if a.key == action.key][:-1]
            if before:
                rows.append(self._row(before[-1]))
        else:
            rows.append(self._row(action))
        return rows

    def _apply(self, action: Action, names: Mapping[str, str], locked: bool = False) -> Action:
        if not locked:
            with self._locked(names):
                return self._apply(action, names, locked=True)
        self._one_sheet_per_reviewer(names)
        past = self.history(**names)
        self._recover(names, past)
        if any(a.id == action.id for a in past):
            return next(a for a in past if a.id == action.id)  # a retried request
        rows = self._projected(self.rows(**names), past, action)
        self._append(self.history_file(**names), action)
        self._replace(self.sheet(**names), rows)
        return action

    def _one_sheet_per_reviewer(self, names: Mapping[str, str]) -> None:
        """The workflow refuses a reviewer with two sheets; the app must not make the second."""
        sheet = self.sheet(**names)
        twin = sheet.with_suffix(".xlsx")
        if twin.exists():
            raise InputFileError(
                twin,
                f"is this reviewer's sheet, and the app writes {sheet.name}",
                fix=f"save it as {sheet.name} (CSV UTF-8) to go on in the app, or keep it and "
                "fill it in the spreadsheet",
            )

    def _key(self, row: Mapping[str, str]) -> tuple[str, ...]:
        return tuple(row.get(c, "") for c in self.layout.key)

    def _row(self, action: Action) -> dict[str, str]:
        stamp = {TIMESTAMP: action.timestamp} if self.layout.stamped else {}
        return dict(zip(self.layout.key, action.key, strict=True)) | dict(action.values) | stamp

    def _action(self, row: Mapping[str, str]) -> Action:
        layout = self.layout
        if row["action"] == UNDO:
            values = {}
        elif layout.values_as_json:
            values = json.loads(row["values"] or "{}")
        else:
            values = {name: row.get(name) or "" for name in layout.values}
        key = tuple(row[c] for c in layout.key)
        return Action(row["action"], row["id"], key, values, row[TIMESTAMP])

    def _append(self, path: Path, action: Action) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists() or path.stat().st_size == 0
        values = (
            [json.dumps(dict(action.values), ensure_ascii=False)]
            if self.layout.values_as_json
            else [action.values.get(name, "") for name in self.layout.values]
        )
        with path.open("a", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            if new:
                writer.writerow(self.layout.history_columns)
            writer.writerow([action.kind, action.id, *action.key, *values, action.timestamp])
            stream.flush()
            os.fsync(stream.fileno())

    def _replace(self, path: Path, rows: list[dict[str, str]]) -> None:
        """The whole sheet, written beside it and renamed over it: never half written."""
        layout = self.layout
        buffer = io.StringIO()
        extra = [c for c in layout.information if any(c in row for row in rows)]
        writer = csv.DictWriter(
            buffer, fieldnames=[*layout.columns, *extra], lineterminator="\n", restval=""
        )
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

    @contextmanager
    def _locked(self, names: Mapping[str, str]) -> Iterator[None]:
        """One writer per sheet, across threads and across processes."""
        path = self.history_file(**names).with_suffix(".lock")
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


class DecisionStore(SheetStore):
    """Screening decisions, per phase and reviewer."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, DECISION_LAYOUT)

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
        values = {"decision": decision, "reason": reason or "", "note": note or ""}
        return self.put((record,), values, action_id, phase=phase, reviewer=reviewer)


def _standing(actions: list[Action]) -> list[Action]:
    """The actions not undone, in the order made (an undo takes back the latest one on its
    key)."""
    standing: list[Action] = []
    for action in actions:
        if action.kind == PUT:
            standing.append(action)
        else:
            latest = max(i for i, a in enumerate(standing) if a.key == action.key)
            del standing[latest]
    return standing
