"""The one way a workflow script writes its tables: every input of its job goes into the lineage.

Scripts used to list by hand which inputs they had read, and some lists left files out (the
links a screening job reads, the sheets of a search). Taking the lineage from the job itself,
all of `snakemake.input` and the rule's own name, means a file a job was given cannot be
missing from the metadata, the manifest or a trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa

from prismaflow import catalog
from prismaflow.parquet_io import write_artifact
from prismaflow.provenance import params_sha256

CODE_INPUT = "code"  # the rule input that lists the package files its script runs


class Sealed(dict):
    """A part of the protocol given to a rule as a parameter. `snakemake --report` prints a
    reported rule's parameters into its page unescaped, and Snakemake keeps their repr to see a
    change: here the repr is the part's hash, so no protocol text reaches that page (a title
    holding markup cannot run there) and an edit is still seen. Scripts read it as a dict."""

    def __repr__(self) -> str:
        return f"<protocol part sha256:{params_sha256(dict(self))[:16]}>"

    __str__ = __repr__


class Job(Protocol):
    """What a script needs of the `snakemake` object Snakemake gives it."""

    rule: str
    input: Any
    output: Any
    params: Any
    wildcards: Any


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def named_inputs(job: Job) -> dict[str, list[str]]:
    """Every input of the job by its name; files given without a name are listed under ""."""
    named = {name: _as_list(value) for name, value in job.input.items()}
    listed = {path for paths in named.values() for path in paths}
    unnamed = [str(p) for p in job.input if str(p) not in listed]
    return {**named, **({"": unnamed} if unnamed else {})}


def write_tables(
    job: Job,
    tables: Mapping[str, pd.DataFrame | pa.Table],
    schemas: Mapping[str, pa.Schema] | None = None,
) -> None:
    """Write each named output with the catalog's schema (or one given, for tables whose
    columns the protocol defines) and the job's whole lineage."""
    inputs = named_inputs(job)
    code = inputs.pop(CODE_INPUT, [])
    for name, table in tables.items():
        write_artifact(
            table,
            job.output[name],
            rule=job.rule,
            wildcards=dict(job.wildcards.items()),
            params=dict(job.params.items()),
            inputs=inputs,
            code=code,
            schema=(schemas or {}).get(name) or catalog.schema(name),
        )
