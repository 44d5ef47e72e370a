"""Snakemake adapter for rule screen_records: rules, reviewers and the relevance model into
decisions, agreement, conflicts and the reviewers' worklist."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.errors import ConfigError
from prismaflow.identifiers import record_index, resolve_record
from prismaflow.jobs import write_tables
from prismaflow.parquet_io import read_frame
from prismaflow.published import read_artifact
from prismaflow.runlog import logged_to
from prismaflow.screen.agreement import agreement
from prismaflow.screen.carry import carried_decisions
from prismaflow.screen.reviewers import read_sheets
from prismaflow.screen.rules import protocol_rules
from prismaflow.screen.stage import conflicts, screen
from prismaflow.screen.worklist import worklist, write_worklist
from prismaflow.vocabulary import TITLE_ABSTRACT, in_phase

with logged_to(snakemake.log[0], snakemake.rule) as log:
    params = snakemake.params.screening
    records = read_frame(snakemake.input.records)
    links = read_frame(snakemake.input.links)
    index = record_index(records, links)
    sheets = read_sheets(snakemake.input.sheets, params["reasons"], index)
    seeds = [resolve_record(seed, index) for seed in params["seeds"]]
    unknown = [seed for seed, found in zip(params["seeds"], seeds, strict=True) if found is None]
    if unknown:
        raise ConfigError(f"screening.seeds: {unknown} name no record of the review")
    rules = protocol_rules(params["rules"], snakemake.params.window)
    release = snakemake.params.living["previous_release"]
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
        snakemake.params.review["question"],
        carried,
        params,
        seeds,
    )
    write_tables(
        snakemake,
        {
            "decisions": decisions,
            "agreement": agreement(sheets),
            "conflicts": conflicts(sheets, decisions),
        },
    )
    pending = worklist(decisions, records)
    write_worklist(pending, Path(snakemake.output.worklist), params["reasons"])
    for (phase, decision), n in decisions.groupby(["phase", "decision"]).size().items():
        log.info("%s %s: %d", phase, decision, n)
    log.info("%d records on the reviewers' worklist", len(pending))
    if release:
        log.info(
            "update of %s: %d records carry their published decisions",
            release,
            in_phase(decisions, TITLE_ABSTRACT)["previous_version"].notna().sum(),
        )
