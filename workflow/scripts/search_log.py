"""Snakemake adapter for rule search_log: every source's log rows in one PRISMA-S search log."""

import pandas as pd

from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.runlog import logged_to
from prismaflow.search.stage import LOG_SCHEMA

with logged_to(snakemake.log[0], "search_log") as log:
    frame = pd.concat([read_frame(p) for p in snakemake.input.log_rows], ignore_index=True)
    write_artifact(
        frame,
        snakemake.output.log,
        rule="search_log",
        inputs=snakemake.input.log_rows,
        schema=LOG_SCHEMA,
    )
    log.info("%d queries logged", len(frame))
