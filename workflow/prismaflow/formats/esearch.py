"""ESearch results: what PubMed says it found, and how it translated the query."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prismaflow.errors import InputFileError
from prismaflow.formats.xml_safety import parse_xml, text_of


@dataclass(frozen=True)
class ESearchResult:
    count: int
    ids: tuple[str, ...]
    query_translation: str | None
    webenv: str | None
    query_key: str | None


class ESearchRefused(InputFileError):
    """A complete ESearch reply that refuses the search (an <ERROR>, no count): `said` is
    PubMed's own words, such as "Empty term and query_key - nothing todo"."""

    def __init__(self, origin: str | Path, said: str) -> None:
        super().__init__(origin, f"ESearch result has no record count: {said}")
        self.said = said


def parse_esearch(data: bytes, origin: str | Path) -> ESearchResult:
    root = parse_xml(data, origin)
    errors = [text_of(e) for e in root.findall("./ErrorList/*")] + [
        text_of(e) for e in root.findall("./ERROR")
    ]
    count = text_of(root.find("./Count"))
    if count is None or not count.isdecimal():
        said = "; ".join(e for e in errors if e)
        if said:
            raise ESearchRefused(origin, said)
        raise InputFileError(origin, "ESearch result has no record count")
    return ESearchResult(
        count=int(count),
        ids=tuple(text_of(i) for i in root.findall("./IdList/Id")),
        query_translation=text_of(root.find("./QueryTranslation")),
        webenv=text_of(root.find("./WebEnv")),
        query_key=text_of(root.find("./QueryKey")),
    )
