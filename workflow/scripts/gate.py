"""Snakemake adapter for the gate rules: check a stage's artifacts, write its verdict."""

from prismaflow.warm import delegate

# Importing Great Expectations takes longer than waiting for the run's warm process to have.
delegate(__real_file__, wait=15)

from pathlib import Path

from prismaflow.jobs import CODE_INPUT
from prismaflow.quality.gate import checked_hashes, run_gate, verdict, write_verdict
from prismaflow.runlog import logged_to

stage = snakemake.params.stage
with logged_to(snakemake.log[0], snakemake.rule) as log:
    inputs = {name: value for name, value in snakemake.input.items() if name != CODE_INPUT}
    checks = run_gate(stage, inputs, snakemake.params.gate)
    report = verdict(stage, checks, checked_hashes(inputs))
    log.info(
        "gate %s: %s (%d checks)",
        stage,
        "passed" if report["success"] else "FAILED",
        report["expectations_run"],
    )
    write_verdict(report, Path(snakemake.output.verdict))
