"""Finished pages of an interrupted live search, kept so the next run fetches only the rest.

The ledger lives beside the stage's outputs, not among them: Snakemake deletes a failed job's
outputs, and the pages fetched before the failure are exactly what must survive. A ledger is
valid only for the same request and the same count reported by the database; if either
changed, the pages belong to another result set and are discarded.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from prismaflow.provenance import sha256_bytes


class Ledger:
    def __init__(self, folder: Path, stamp: str) -> None:
        self.folder = folder
        self.path = folder / "ledger.json"
        entries = json.loads(self.path.read_text()) if self.path.is_file() else {}
        if entries.get("stamp") != stamp:
            shutil.rmtree(folder, ignore_errors=True)
            entries = {"stamp": stamp, "pages": {}}
        self.entries = entries

    def get(self, name: str) -> bytes | None:
        entry = self.entries["pages"].get(name)
        if entry is None:
            return None
        data = (self.folder / name).read_bytes()
        return data if sha256_bytes(data) == entry else None

    def put(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(data)
        self.entries["pages"][name] = sha256_bytes(data)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.entries, indent=1))
        temporary.replace(self.path)
