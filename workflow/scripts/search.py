"""Snakemake adapter for rule search_source: one database's search, replayed from the snapshot
or run live against its API."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


import os
from pathlib import Path

from prismaflow.jobs import write_tables
from prismaflow.runlog import logged_to
from prismaflow.search import snapshot, stage
from prismaflow.search.live.run import live_search

source = snakemake.wildcards.source
options = snakemake.params.source
with logged_to(snakemake.log[0], f"{snakemake.rule}[{source}]") as log:
    queries, window = snakemake.params.queries, snakemake.params.window
    if options["mode"] == "live":
        cache = Path(snakemake.output.raw_responses).parent / ".partial"
        results = live_search(source, queries, window, options, os.environ, cache)
        timestamp, logged_window = None, window
    else:
        snapshot_dir = Path(snakemake.params.snapshot)
        manifest = snapshot.load_manifest(snapshot_dir)
        results = snapshot.replay(snapshot_dir, source, queries, manifest)
        timestamp, logged_window = manifest["recorded_at"], None
    stage.store_raw(results, Path(snakemake.output.raw_responses).parent)
    log_rows = stage.log_rows(
        results, mode=options["mode"], window=logged_window, timestamp=timestamp
    )
    write_tables(
        snakemake,
        {
            "source_records": stage.source_records(results),
            "source_hits": stage.hits(results),
            "source_log": log_rows,
        },
    )
    for result in results:
        log.info(
            "%s/%s: reported %d, retrieved %d, %d requests",
            source,
            result.query_id,
            result.reported,
            len(result.records),
            result.requests or len(result.responses),
        )
