"""The full texts reviewers attach to records: files under the folder the protocol names
(`screening.full_texts.folder`), listed record by record in `config/full_texts.csv`.

A reviewer uploads a PDF (saved under the folder by the record's id) or points to a file
already there. Either way the path must resolve, symbolic links followed, inside the folder:
the app neither saves nor serves anything else, so a crafted path ("../config/…", an absolute
path, a link leading out) is refused with the folder named.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from prismaflow.app.store import FULL_TEXT_LAYOUT, Action, SheetStore
from prismaflow.errors import InputFileError

PDF_MAGIC = b"%PDF-"
MAX_BYTES = 200 * 1024 * 1024  # a scanned book chapter is well under this
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FullText:
    record: str
    file: str  # relative to the full-text folder
    path: Path | None  # None when the file is no longer there (or the sheet points outside)
    attached_by: str
    timestamp: str
    problem: str | None = None


class FullTexts:
    def __init__(self, review_folder: Path, folder: str) -> None:
        self.root = (review_folder / folder).resolve()
        self.named = folder
        self.store = SheetStore(review_folder, FULL_TEXT_LAYOUT)

    def confined(self, relative: str) -> Path:
        """The file a reviewer names, if it is under the folder and is a PDF."""
        place = (self.root / relative.strip()).resolve()
        if not place.is_relative_to(self.root) or place == self.root:
            raise InputFileError(
                relative,
                f"is not under the full-text folder {self.named}/",
                fix=f"put the file in {self.named}/ and give its path there",
            )
        if not place.is_file():
            raise InputFileError(
                f"{self.named}/{relative}", "does not exist", fix="check the file's name"
            )
        with place.open("rb") as stream:
            if stream.read(len(PDF_MAGIC)) != PDF_MAGIC:
                raise InputFileError(
                    f"{self.named}/{relative}", "is not a PDF", fix="attach the report as a PDF"
                )
        return place

    def point(self, record: str, relative: str, reviewer: str, action_id: str | None) -> Action:
        place = self.confined(relative)
        return self._attach(record, place, reviewer, action_id)

    def upload(
        self, record: str, name: str, content: bytes, reviewer: str, action_id: str | None
    ) -> Action:
        """Save an uploaded PDF as `<record id>.pdf` (or `<record id>-<name>` when its name
        says more), written beside and renamed, then attach it."""
        if not content.startswith(PDF_MAGIC):
            raise InputFileError(name or "the upload", "is not a PDF", fix="upload the PDF")
        if len(content) > MAX_BYTES:
            raise InputFileError(name, f"is larger than {MAX_BYTES // 2**20} MB")
        stem = _UNSAFE.sub("_", record).strip("._") or "record"
        place = self.root / f"{stem}.pdf"
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = place.with_name(f".{place.name}.{os.getpid()}.tmp")
        temporary.write_bytes(content)
        os.replace(temporary, place)
        return self._attach(record, place, reviewer, action_id)

    def _attach(self, record: str, place: Path, reviewer: str, action_id: str | None) -> Action:
        relative = str(place.relative_to(self.root))
        values = {"file": relative, "attached_by": reviewer}
        return self.store.put((record,), values, action_id)

    def attached(self) -> dict[str, FullText]:
        """Record -> its full text; a file moved away since (or a hand-edited row pointing
        outside the folder) comes with the problem, for the page to say, and no path."""
        found = {}
        for row in self.store.rows():
            place, problem = None, None
            try:
                place = self.confined(row["file"])
            except InputFileError as error:
                problem = str(error)
            found[row["record"]] = FullText(
                row["record"], row["file"], place, row["attached_by"], row["timestamp"], problem
            )
        return found
