"""What an interrupted live search already did, kept so the next run fetches only the rest and
counts every request the search cost.

The ledger lives beside the stage's outputs, not among them: Snakemake deletes a failed job's
outputs, and the pages fetched before the failure are exactly what must survive. Its pages
belong to one result set: they are dropped when the request or the count the database reports
changed (`begin`), and a part's pages are dropped when the database's own proof of what the
part holds (PubMed's id list of a date window, Scopus's first page of the whole query) differs
from the one recorded with them (`prove`). The count of requests survives either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prismaflow.provenance import sha256_bytes


class Ledger:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / "ledger.json"
        self.entries: dict[str, Any] = (
            json.loads(self.path.read_text()) if self.path.is_file() else {}
        )
        self.entries.setdefault("requests", 0)
        self.reused = False  # whether a page of an earlier run was taken

    @property
    def earlier_requests(self) -> int:
        return int(self.entries["requests"])

    def begin(self, stamp: str) -> None:
        """Keep what was fetched only if it was fetched for this request and result count."""
        if self.entries.get("stamp") != stamp:
            self._drop(lambda _: True)
            self.entries.update(stamp=stamp, pages={}, proofs={}, plan=None)

    def plan(self) -> Any:
        return self.entries.get("plan")

    def save_plan(self, plan: Any) -> None:
        self.entries["plan"] = plan
        self._save()

    def prove(self, part: str, proof: str, prefix: str) -> None:
        """Keep the pages named `prefix`* only if `proof` equals the one they were fetched under."""
        if self.entries["proofs"].get(part) != proof:
            self.drop(prefix)
            self.entries["proofs"][part] = proof
            self._save()

    def drop(self, prefix: str) -> None:
        """Forget the pages named `prefix`*: they no longer belong to the result set."""
        self._drop(lambda name: name.startswith(prefix))
        self._save()

    def get(self, name: str) -> bytes | None:
        entry = self.entries["pages"].get(name)
        if entry is None or not (self.folder / name).is_file():
            return None
        data = (self.folder / name).read_bytes()
        if sha256_bytes(data) != entry:
            return None
        self.reused = True
        return data

    def put(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(data)
        self.entries["pages"][name] = sha256_bytes(data)
        self._save()

    def forget(self) -> None:
        """Drop every page (the result set proved different), keeping the request count."""
        self._drop(lambda _: True)
        self.entries.update(proofs={}, plan=None)
        self.reused = False
        self._save()

    def spend(self, requests: int) -> None:
        self.entries["requests"] = self.earlier_requests + requests
        self._save()

    def _drop(self, which) -> None:
        pages = self.entries.get("pages", {})
        for name in [n for n in pages if which(n)]:
            (self.folder / name).unlink(missing_ok=True)
            del pages[name]

    def _save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.entries, indent=1))
        temporary.replace(self.path)
