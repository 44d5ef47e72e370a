"""Snakemake adapter for rule screen: protocol rules and reviewers' sheets into decisions."""

from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.runlog import logged_to
from prismaflow.screen.reviewers import read_sheets, record_index
from prismaflow.screen.rules import protocol_rules
from prismaflow.screen.stage import DECISIONS_SCHEMA, screen

with logged_to(snakemake.log[0], "screen") as log:
    params = snakemake.params.screening
    records = read_frame(snakemake.input.records)
    links = read_frame(snakemake.input.links)
    sheets = read_sheets(snakemake.input.sheets, params["reasons"], record_index(records, links))
    rules = protocol_rules(params["rules"], snakemake.params.window)
    decisions = screen(records, sheets, rules, params["reasons"], params["completeness"])
    write_artifact(
        decisions,
        snakemake.output.decisions,
        rule="screen",
        params={"screening": params, "window": snakemake.params.window},
        inputs=[snakemake.input.records, *snakemake.input.sheets],
        schema=DECISIONS_SCHEMA,
    )
    for (stage, decision), n in decisions.groupby(["stage", "decision"]).size().items():
        log.info("%s %s: %d", stage, decision, n)
