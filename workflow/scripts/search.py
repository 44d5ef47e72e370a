"""Snakemake adapter for rule search_source: one database's search, replayed from the snapshot
or run live against its API."""

import os
from pathlib import Path

from prismaflow.parquet_io import write_artifact
from prismaflow.records import RECORD_SCHEMA
from prismaflow.runlog import logged_to
from prismaflow.search import snapshot, stage
from prismaflow.search.live.run import live_search
from prismaflow.search.stage import HITS_SCHEMA, LOG_SCHEMA

source = snakemake.wildcards.source
options = snakemake.params.source
with logged_to(snakemake.log[0], f"search_{source}") as log:
    queries, window = snakemake.params.queries, snakemake.params.window
    if options["mode"] == "live":
        cache = Path(snakemake.output.raw).parent / ".partial"
        results = live_search(source, queries, window, options, os.environ, cache)
        timestamp, logged_window = None, window
    else:
        snapshot_dir = Path(snakemake.params.snapshot)
        manifest = snapshot.load_manifest(snapshot_dir)
        results = snapshot.replay(snapshot_dir, source, queries, manifest)
        timestamp, logged_window = manifest["recorded_at"], None
    params = {"queries": queries, "source": options, "window": window}
    rule = f"search_source[{source}]"
    stage.store_raw(results, Path(snakemake.output.raw).parent)
    log_frame = stage.log_rows(
        results, mode=options["mode"], window=logged_window, timestamp=timestamp
    )
    for table, path, schema in (
        (stage.source_records(results), snakemake.output.records, RECORD_SCHEMA),
        (stage.hits(results), snakemake.output.hits, HITS_SCHEMA),
        (log_frame, snakemake.output.log_rows, LOG_SCHEMA),
    ):
        write_artifact(table, path, rule=rule, params=params, schema=schema)
    for result in results:
        log.info(
            "%s/%s: reported %d, retrieved %d, %d requests",
            source,
            result.query_id,
            result.reported,
            len(result.records),
            result.requests or len(result.responses),
        )
