"""Snakemake adapter for rule screen_records: rules, reviewers and the relevance model into
decisions, agreement, conflicts and the reviewers' worklist."""

from pathlib import Path

from prismaflow.identifiers import record_index
from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.release import read_artifact
from prismaflow.runlog import logged_to
from prismaflow.screen.agreement import AGREEMENT_SCHEMA, agreement
from prismaflow.screen.carry import carried_decisions
from prismaflow.screen.reviewers import read_sheets
from prismaflow.screen.rules import protocol_rules
from prismaflow.screen.stage import CONFLICTS_SCHEMA, DECISIONS_SCHEMA, conflicts, screen
from prismaflow.screen.worklist import worklist, write_worklist

with logged_to(snakemake.log[0], "screen") as log:
    params = snakemake.params.screening
    records = read_frame(snakemake.input.records)
    links = read_frame(snakemake.input.links)
    sheets = read_sheets(snakemake.input.sheets, params["reasons"], record_index(records, links))
    rules = protocol_rules(params["rules"], snakemake.params.window)
    release = snakemake.params.release
    carried = {}
    if release:
        version, published = read_artifact(release, "decisions")
        carried = carried_decisions(published, version)
    decisions = screen(
        records,
        sheets,
        rules,
        params["reasons"],
        params["completeness"],
        snakemake.params.question,
        carried,
    )
    slice_ = {"screening": params, "window": snakemake.params.window}
    inputs = [snakemake.input.records, *snakemake.input.sheets, *snakemake.input.previous]
    for frame, path, schema in (
        (decisions, snakemake.output.decisions, DECISIONS_SCHEMA),
        (agreement(sheets), snakemake.output.agreement, AGREEMENT_SCHEMA),
        (conflicts(sheets, decisions), snakemake.output.conflicts, CONFLICTS_SCHEMA),
    ):
        write_artifact(frame, path, rule="screen", params=slice_, inputs=inputs, schema=schema)
    pending = worklist(decisions, records)
    write_worklist(pending, Path(snakemake.output.worklist), params["reasons"])
    for (stage, decision), n in decisions.groupby(["stage", "decision"]).size().items():
        log.info("%s %s: %d", stage, decision, n)
    log.info("%d records on the reviewers' worklist", len(pending))
    if release:
        log.info(
            "update of %s: %d records carry their published decisions",
            release,
            decisions.loc[decisions["stage"] == "title_abstract", "previous_version"].notna().sum(),
        )
