"""Snakemake adapter for rule synthesise: PRISMA counts and per-group summaries."""

from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.runlog import logged_to
from prismaflow.synthesise.groups import GROUPS_SCHEMA, group_summary
from prismaflow.synthesise.prisma import PRISMA_SCHEMA, prisma_counts

with logged_to(snakemake.log[0], "synthesise") as log:
    inputs = [snakemake.input.links, snakemake.input.decisions, snakemake.input.studies]
    counts = prisma_counts(
        read_frame(snakemake.input.links),
        read_frame(snakemake.input.decisions),
        snakemake.params.reasons,
    )
    groups = group_summary(read_frame(snakemake.input.studies), snakemake.params.groups)
    write_artifact(
        counts,
        snakemake.output.prisma,
        rule="synthesise",
        params=snakemake.params.reasons,
        inputs=inputs,
        schema=PRISMA_SCHEMA,
    )
    write_artifact(
        groups,
        snakemake.output.groups,
        rule="synthesise",
        params=snakemake.params.groups,
        inputs=inputs,
        schema=GROUPS_SCHEMA,
    )
    for row in counts.itertuples():
        log.info("PRISMA %s %s: %d", row.box, row.reason or row.source or "", row.count)
