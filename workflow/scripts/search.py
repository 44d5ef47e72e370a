"""Snakemake adapter for rule search_source: replay one database's recorded search."""

from pathlib import Path

from prismaflow.parquet_io import write_artifact
from prismaflow.records import RECORD_SCHEMA
from prismaflow.runlog import logged_to
from prismaflow.search import snapshot, stage
from prismaflow.search.stage import HITS_SCHEMA, LOG_SCHEMA

source = snakemake.wildcards.source
with logged_to(snakemake.log[0], f"search_{source}") as log:
    snapshot_dir = Path(snakemake.params.snapshot)
    manifest = snapshot.load_manifest(snapshot_dir)
    results = snapshot.replay(snapshot_dir, source, snakemake.params.queries, manifest)
    params = {"queries": snakemake.params.queries, "source": snakemake.params.source}
    rule = f"search_source[{source}]"
    stage.store_raw(results, Path(snakemake.output.raw).parent)
    write_artifact(
        stage.source_records(results),
        snakemake.output.records,
        rule=rule,
        params=params,
        schema=RECORD_SCHEMA,
    )
    write_artifact(
        stage.hits(results), snakemake.output.hits, rule=rule, params=params, schema=HITS_SCHEMA
    )
    log_frame = stage.log_rows(
        results,
        mode=snakemake.params.source["mode"],
        window=None,
        timestamp=manifest["recorded_at"],
    )
    write_artifact(
        log_frame, snakemake.output.log_rows, rule=rule, params=params, schema=LOG_SCHEMA
    )
    for result in results:
        log.info(
            "%s/%s: reported %d, retrieved %d",
            source,
            result.query_id,
            result.reported,
            len(result.records),
        )
