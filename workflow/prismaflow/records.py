"""The canonical record schema, defined once and used by every stage.

Absent values are null, never "": a blank string would look like data to every later
stage (a blank DOI would link every DOI-less record to every other one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from prismaflow.hostile_text import without_controls

RECORD_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("query_id", pa.string()),
        pa.field("doi", pa.string()),
        pa.field("pmid", pa.string()),
        pa.field("pmcid", pa.string()),
        pa.field("scopus_eid", pa.string()),
        pa.field("title", pa.string()),
        pa.field("abstract", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("year", pa.int32()),
        pa.field("journal", pa.string()),
        pa.field("journal_abbrev", pa.string()),
        pa.field("volume", pa.string()),
        pa.field("issue", pa.string()),
        pa.field("pages", pa.string()),
        pa.field("language", pa.list_(pa.string())),
        pa.field("publication_types", pa.list_(pa.string())),
        pa.field("keywords", pa.list_(pa.string())),
        pa.field("mesh_terms", pa.list_(pa.string())),
        pa.field("raw_sha256", pa.string()),
        pa.field("retrieved_at", pa.timestamp("s", tz="UTC")),
    ]
)
RECORD_FIELDS = tuple(RECORD_SCHEMA.names)
# Fields that hold a list (authors, languages, types ...): a string there is refused, not
# split into its characters.
LISTED = frozenset(f.name for f in RECORD_SCHEMA if pa.types.is_list(f.type))


def record_id(source: str, source_id: str) -> str:
    """Stable across runs: the same database record always gets the same id."""
    return f"{source}:{source_id}"


def clean_value(value: Any) -> Any:
    """Blank strings and blank list items become null so that 'absent' has one spelling, and
    control characters are taken out (prismaflow.hostile_text)."""
    if isinstance(value, str):
        value = " ".join(without_controls(value)[0].split())
        return value or None
    if isinstance(value, (list, tuple)):
        items = [clean_value(v) for v in value]
        return [v for v in items if v is not None] or None
    return value


def control_characters(rows: Iterable[Mapping[str, Any]]) -> int:
    """How many control characters the rows' text holds (clean_value takes them out), for the
    import's report."""

    def count(value: Any) -> int:
        if isinstance(value, str):
            return without_controls(value)[1]
        if isinstance(value, (list, tuple)):
            return sum(count(v) for v in value)
        return 0

    return sum(count(v) for row in rows for v in row.values())


def present(value: Any) -> Any:
    """A value read back through pandas, with its NaN for 'missing' turned back into None."""
    return None if isinstance(value, float) and value != value else value


def records_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows (dicts with any subset of the schema's fields) as a table of the canonical schema."""
    rows = list(rows)
    unknown = {key for row in rows for key in row} - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not fields of the record schema: {sorted(unknown)}")
    for number, row in enumerate(rows, start=1):
        for name, value in row.items():
            listed = isinstance(value, (list, tuple))
            if value is not None and listed != (name in LISTED):
                shape = "a list" if name in LISTED else "one value"
                raise ValueError(
                    f"record number {number}: {name} must be {shape}, not {value!r} "
                    f"({row.get('record_id')})"
                )
    columns = {name: [clean_value(row.get(name)) for row in rows] for name in RECORD_FIELDS}
    # Arrow does not enforce nullable=False when building a table, so the schema's required
    # fields are checked here.
    for field in RECORD_SCHEMA:
        if not field.nullable and None in columns[field.name]:
            row = columns[field.name].index(None)
            raise ValueError(f"record number {row + 1} has no {field.name}: {rows[row]}")
    return pa.Table.from_pydict(columns, schema=RECORD_SCHEMA)


# The fields a reviewer checks an import by: a file whose DOIs or abstracts went missing shows.
REPORTED_FIELDS = (
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "abstract",
    "keywords",
    "language",
    "publication_types",
)


def fields_present(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many records hold each reported field (a list counts when it holds something)."""
    counts = dict.fromkeys(REPORTED_FIELDS, 0)
    for row in rows:
        for name in REPORTED_FIELDS:
            value = present(row.get(name))
            if value is not None and (not hasattr(value, "__len__") or len(value) > 0):
                counts[name] += 1
    return counts


def describe_fields(counts: Mapping[str, int], total: int) -> str:
    return ", ".join(f"{name} {n}/{total}" for name, n in counts.items())
