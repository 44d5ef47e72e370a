"""Snakemake adapter for rule search_log: every source's log rows in one PRISMA-S search log."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


import pandas as pd

from prismaflow.jobs import write_tables
from prismaflow.parquet_io import read_frame
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], snakemake.rule) as log:
    frame = pd.concat([read_frame(p) for p in snakemake.input.source_log], ignore_index=True)
    write_tables(snakemake, {"search_log": frame})
    log.info("%d queries logged", len(frame))
