"""Snakemake adapter for rule dedupe: link every searched record to its canonical record."""

from prismaflow.dedupe.merge import DEDUPED_SCHEMA, LINKS_SCHEMA
from prismaflow.dedupe.stage import deduplicate
from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], "dedupe") as log:
    frames = [read_frame(path) for path in snakemake.input.records]
    links, records = deduplicate(frames, **snakemake.params.dedupe)
    for path, frame, schema in (
        (snakemake.output.links, links, LINKS_SCHEMA),
        (snakemake.output.records, records, DEDUPED_SCHEMA),
    ):
        write_artifact(
            frame,
            path,
            rule="dedupe",
            params=snakemake.params.dedupe,
            inputs=snakemake.input.records,
            schema=schema,
        )
    log.info(
        "%d records in, %d canonical records, %d linked as duplicates",
        len(links),
        len(records),
        int((links["rule"] != "canonical").sum()),
    )
