"""Snakemake adapter for rule search_file: import the reviewers' export files as records."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.jobs import write_tables
from prismaflow.runlog import logged_to
from prismaflow.search import stage
from prismaflow.search.files import import_exports

with logged_to(snakemake.log[0], snakemake.rule) as log:
    results = import_exports(snakemake.params.exports)
    stage.store_raw(results, Path(snakemake.output.raw_responses).parent)
    write_tables(
        snakemake,
        {
            "source_records": stage.source_records(results),
            "source_hits": stage.hits(results),
            "source_log": stage.log_rows(results, mode="file", window=None, timestamp=None),
        },
    )
    for result in results:
        log.info("%s: %d records (%s)", result.query_id, len(result.records), result.query)
        if not result.records:
            log.warning(
                "%s holds no records: a search that found nothing, or a wrong file", result.query_id
            )
        if result.controls_removed:
            log.info("%s: %d control characters removed", result.query_id, result.controls_removed)
