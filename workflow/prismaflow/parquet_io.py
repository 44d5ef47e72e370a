"""Parquet artifacts that carry their own lineage in key-value metadata.

The lineage says which rule wrote a table and from what: every input file by the rule's
name for it, with its sha256, the hash of the parameters, and the hash of the package code
the rule ran. The manifest and `prismaflow trace` read it back through `lineage()`, so the
two cannot tell different stories about one file.

It also records the hash of the table's content as written. Every reader compares the content
it finds with it, so a table changed by hand (its schema and metadata kept) or cut short is
named, with the rule that rebuilds it, and never believed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from prismaflow.errors import InputFileError
from prismaflow.provenance import code_sha256, code_version, params_sha256, sha256_file

META_PREFIX = "prismaflow."
CONTENT_KEY = (META_PREFIX + "content_sha256").encode()


def content_sha256(table: pa.Table) -> str:
    """A hash of a table's column names and values, as Python reads them: Arrow's own buffers
    differ between a table and the same table read back (the bytes under a null, the name
    Parquet gives a list's items), its values do not. About 0.5 s for 100,000 rows."""
    digest = hashlib.sha256()
    for name in table.column_names:
        values = table[name].to_pylist()
        digest.update(json.dumps([name, values], default=str, ensure_ascii=False).encode())
    return digest.hexdigest()


def write_artifact(
    table: pa.Table | pd.DataFrame,
    path: str | Path,
    *,
    rule: str,
    params: Any = None,
    inputs: Mapping[str, Sequence[str | Path]] | None = None,
    code: Sequence[str | Path] = (),
    wildcards: Mapping[str, str] | None = None,
    schema: pa.Schema | None = None,
) -> None:
    """Write a table with its lineage attached (see the module's docstring)."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, schema=schema, preserve_index=False)
    elif schema is not None:
        table = table.cast(schema)
    recorded = [
        {"name": name, "path": str(p), "sha256": sha256_file(p)}
        for name, paths in sorted((inputs or {}).items())
        for p in paths
    ]
    provenance = {
        "rule": rule,
        "wildcards": json.dumps(dict(wildcards or {}), sort_keys=True),
        "code_version": code_version(),
        "code_sha256": code_sha256(code),
        "params_sha256": params_sha256(params),
        "inputs": json.dumps(recorded, sort_keys=True),
        "content_sha256": content_sha256(table),
    }
    metadata = dict(table.schema.metadata or {})
    metadata.update({(META_PREFIX + k).encode(): v.encode() for k, v in provenance.items()})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(metadata), path)


def rebuild(path: str | Path) -> str:
    """How to rebuild one artifact and everything made from it. Snakemake's --forcerun takes a
    file as well as a rule, and runs the rule that writes it even when the file is gone; a
    deleted intermediate file alone would not be rebuilt while what was made from it exists."""
    return f"rebuild it: snakemake --cores 2 --forcerun {path}"


def read_table(path: str | Path) -> pa.Table:
    """A table whose content is what its rule wrote, or an error naming the file and how to
    rebuild it: a damaged or truncated file, or one whose content was changed afterwards."""
    try:
        table = pq.read_table(str(path))
    except FileNotFoundError:
        raise
    except (pa.ArrowException, OSError) as exc:
        problem = f"not a readable Parquet table (damaged or cut short: {exc})"
        raise InputFileError(path, problem, fix=rebuild(path)) from None
    metadata = table.schema.metadata or {}
    recorded = metadata.get(CONTENT_KEY)
    if recorded is not None and content_sha256(table) != recorded.decode():
        rule = metadata.get((META_PREFIX + "rule").encode(), b"").decode() or None
        raise InputFileError(
            path,
            f"its content is not what rule {rule or '?'} wrote (changed by hand or damaged "
            "since); prismaflow never reads it as it is",
            fix=rebuild(path),
        )
    return table


def read_frame(path: str | Path) -> pd.DataFrame:
    """A table as a frame, read by path (see read_table): pandas' own reader hands pyarrow an
    open file, and Arrow's thread pool can then abort the interpreter at exit ("terminate
    called without an active exception", apache/arrow#34314, #50482)."""
    return read_table(path).to_pandas()


def lineage(path: str | Path) -> dict[str, Any]:
    """What an artifact records of its making: rule, wildcards, versions, hashes, inputs."""
    raw = pq.read_schema(path).metadata or {}
    found = {
        k.decode()[len(META_PREFIX) :]: v.decode()
        for k, v in raw.items()
        if k.decode().startswith(META_PREFIX)
    }
    for key in ("inputs", "wildcards"):
        if key in found:
            found[key] = json.loads(found[key])
    return found
