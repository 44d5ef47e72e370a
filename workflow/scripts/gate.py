"""Snakemake adapter for the gate rules: check a stage's artifacts, write its verdict (through
the run's warm gate server when there is one: prismaflow.quality.warm)."""

import os

from prismaflow.jobs import CODE_INPUT
from prismaflow.quality.warm import GateJob, run


def _plain(value):
    return [str(v) for v in value] if isinstance(value, list) else str(value)


run(
    GateJob(
        rule=snakemake.rule,
        stage=snakemake.params.stage,
        inputs={k: _plain(v) for k, v in snakemake.input.items() if k != CODE_INPUT},
        params=snakemake.params.gate,
        verdict=str(snakemake.output.verdict),
        log=str(snakemake.log[0]),
        cwd=os.getcwd(),
    )
)
