"""Parquet artifacts that carry their own lineage in key-value metadata.

The lineage says which rule wrote a table and from what: every input file by the rule's
name for it, with its sha256, the hash of the parameters, and the hash of the package code
the rule ran. The manifest and `prismaflow trace` read it back through `lineage()`, so the
two cannot tell different stories about one file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from prismaflow.provenance import code_sha256, code_version, params_sha256, sha256_file

META_PREFIX = "prismaflow."


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
    }
    metadata = dict(table.schema.metadata or {})
    metadata.update({(META_PREFIX + k).encode(): v.encode() for k, v in provenance.items()})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(metadata), path)


def read_frame(path: str | Path) -> pd.DataFrame:
    """A table as a frame, read by path: pandas' own reader hands pyarrow an open file, and
    Arrow's thread pool can then abort the interpreter at exit ("terminate called without an
    active exception", apache/arrow#34314, #50482), which `prismaflow status` did."""
    return pq.read_table(str(path)).to_pandas()


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
