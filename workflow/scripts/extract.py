"""Snakemake adapter for rule extract: pre-fill the protocol's fields for included studies."""

from prismaflow.extract.stage import STUDIES_SCHEMA, extract
from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], "extract") as log:
    studies = extract(
        read_frame(snakemake.input.records),
        read_frame(snakemake.input.decisions),
        snakemake.params.extraction,
    )
    write_artifact(
        studies,
        snakemake.output.studies,
        rule="extract",
        params=snakemake.params.extraction,
        inputs=[snakemake.input.records, snakemake.input.decisions],
        schema=STUDIES_SCHEMA,
    )
    log.info(
        "%d included studies; condition group filled for %d, design for %d",
        len(studies),
        studies["condition_group"].notna().sum(),
        studies["study_design"].notna().sum(),
    )
