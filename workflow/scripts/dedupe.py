"""Snakemake adapter for rule dedupe_records: link every searched record to its canonical record."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.dedupe.overrides import read_overrides
from prismaflow.dedupe.stage import deduplicate
from prismaflow.jobs import write_tables
from prismaflow.parquet_io import read_frame
from prismaflow.published import read_artifact
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], snakemake.rule) as log:
    params = snakemake.params.dedupe
    overrides = [o for path in snakemake.input.overrides for o in read_overrides(Path(path))]
    release = snakemake.params.living["previous_release"]
    previous = read_artifact(release, "links")[1] if release else None
    links, records = deduplicate(
        [read_frame(path) for path in snakemake.input.source_records],
        year_tolerance=params["year_tolerance"],
        min_title_length=params["min_title_length"],
        overrides=overrides,
        previous=previous,
    )
    write_tables(snakemake, {"links": links, "records": records})
    log.info(
        "%d records in, %d canonical records, %d linked as duplicates, %d overrides",
        len(links),
        len(records),
        int((links["rule"] != "canonical").sum()),
        len(overrides),
    )
    if previous is not None:
        earlier = set(previous["record_id"])
        log.info(
            "update of %s: %d records new, %d already in it, %d of its records not found again",
            release,
            (~links["record_id"].isin(earlier)).sum(),
            links["record_id"].isin(earlier).sum(),
            len(earlier - set(links["record_id"])),
        )
