"""Parquet artifacts that carry their own provenance in key-value metadata."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from prismaflow.provenance import code_version, params_sha256, sha256_file

META_PREFIX = "prismaflow."


def write_artifact(
    table: pa.Table | pd.DataFrame,
    path: str | Path,
    *,
    rule: str,
    params: Any = None,
    inputs: Sequence[str | Path] = (),
    schema: pa.Schema | None = None,
) -> None:
    """Write a table with the rule, code version, parameter hash and input hashes attached."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, schema=schema, preserve_index=False)
    elif schema is not None:
        table = table.cast(schema)
    metadata = dict(table.schema.metadata or {})
    provenance = {
        "rule": rule,
        "code_version": code_version(),
        "params_sha256": params_sha256(params),
        "inputs_sha256": json.dumps({str(p): sha256_file(p) for p in inputs}, sort_keys=True),
    }
    metadata.update({(META_PREFIX + k).encode(): v.encode() for k, v in provenance.items()})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.replace_schema_metadata(metadata), path)


def read_frame(path: str | Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def artifact_metadata(path: str | Path) -> Mapping[str, str]:
    """The provenance keys of an artifact, without the prefix."""
    raw = pq.read_schema(path).metadata or {}
    return {
        k.decode()[len(META_PREFIX) :]: v.decode()
        for k, v in raw.items()
        if k.decode().startswith(META_PREFIX)
    }
