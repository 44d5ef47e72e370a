"""Snakemake adapter for rule extract_studies: pre-fill the protocol's fields for included
studies, apply the reviewers' extraction sheets, write the sheet for the next round."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.extract.fields import field_specs
from prismaflow.extract.reviewers import read_sheets
from prismaflow.extract.sheet import write_extraction_sheet
from prismaflow.extract.stage import extract, studies_schema
from prismaflow.identifiers import record_index
from prismaflow.jobs import write_tables
from prismaflow.parquet_io import read_frame
from prismaflow.published import read_artifact
from prismaflow.runlog import logged_to
from prismaflow.vocabulary import included_ids

with logged_to(snakemake.log[0], snakemake.rule) as log:
    params = snakemake.params.extraction
    fields = field_specs(params["fields"])
    records = read_frame(snakemake.input.records)
    decisions = read_frame(snakemake.input.decisions)
    index = record_index(records, read_frame(snakemake.input.links))
    sheets = read_sheets(snakemake.input.sheets, fields, index, set(included_ids(decisions)))
    release = snakemake.params.living["previous_release"]
    previous = read_artifact(release, "studies") if release else None
    studies, disagreements, machine = extract(records, decisions, params, fields, sheets, previous)
    write_tables(
        snakemake,
        {
            "studies": studies,
            "disagreements": disagreements,
            "sheet_problems": sheets.problems_frame(),
            "machine_values": machine,
        },
        schemas={"studies": studies_schema(fields)},
    )
    write_extraction_sheet(studies, fields, Path(snakemake.output.extraction_sheet))
    log.info("%d included studies, %d reviewer sheets", len(studies), len(snakemake.input.sheets))
    for spec in fields:
        by = studies[f"{spec.name}_by"].value_counts().to_dict()
        log.info("%s filled for %d: %s", spec.name, studies[spec.name].notna().sum(), by)
    log.info("%d problems in sheets, %d disagreements", len(sheets.problems), len(disagreements))
    if release:
        log.info(
            "update of %s: %d studies carry its extraction, %d are new",
            release,
            studies["previous_version"].notna().sum(),
            studies["previous_version"].isna().sum(),
        )
