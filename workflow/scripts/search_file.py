"""Snakemake adapter for rule search_file: import the reviewers' export files as records."""

from pathlib import Path

from prismaflow.parquet_io import write_artifact
from prismaflow.records import RECORD_SCHEMA
from prismaflow.runlog import logged_to
from prismaflow.search import stage
from prismaflow.search.files import import_exports
from prismaflow.search.stage import HITS_SCHEMA, LOG_SCHEMA

with logged_to(snakemake.log[0], "search_file") as log:
    exports = snakemake.params.exports
    results = import_exports(exports)
    params = {"exports": exports}
    inputs = list(snakemake.input.exports)
    stage.store_raw(results, Path(snakemake.output.raw).parent)
    for table, path, schema in (
        (stage.source_records(results), snakemake.output.records, RECORD_SCHEMA),
        (stage.hits(results), snakemake.output.hits, HITS_SCHEMA),
        (
            stage.log_rows(results, mode="file", window=None, timestamp=None),
            snakemake.output.log_rows,
            LOG_SCHEMA,
        ),
    ):
        write_artifact(table, path, rule="search_file", params=params, inputs=inputs, schema=schema)
    for result in results:
        log.info("%s: %d records (%s)", result.query_id, len(result.records), result.query)
