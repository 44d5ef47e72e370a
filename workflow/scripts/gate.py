"""Snakemake adapter for the gate rules: check a stage's artifacts, write its verdict."""

from pathlib import Path

from prismaflow.quality.gate import run_gate, verdict, write_verdict
from prismaflow.runlog import logged_to

stage = snakemake.params.stage
with logged_to(snakemake.log[0], snakemake.rule) as log:
    report = verdict(stage, run_gate(stage, dict(snakemake.input.items()), snakemake.params.gate))
    log.info(
        "gate %s: %s (%d checks)",
        stage,
        "passed" if report["success"] else "FAILED",
        report["expectations_run"],
    )
    write_verdict(report, Path(snakemake.output.verdict))
