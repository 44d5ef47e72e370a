"""Snakemake adapter for rule appraise_studies: settle the reviewers' risk-of-bias sheets for
the included studies, draw the traffic-light and summary plots, write the sheet for the next
round."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.appraise.assessments import read_sheets
from prismaflow.appraise.figures import summary_plot, traffic_light
from prismaflow.appraise.stage import appraise, designs, write_bias_sheet
from prismaflow.extract.sheet import citation
from prismaflow.identifiers import record_index
from prismaflow.jobs import write_tables
from prismaflow.parquet_io import read_frame
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], snakemake.rule) as log:
    protocol = snakemake.params.risk_of_bias
    studies = read_frame(snakemake.input.studies)
    index = record_index(read_frame(snakemake.input.records), read_frame(snakemake.input.links))
    sheets = read_sheets(snakemake.input.sheets, designs(studies), protocol["tools"], index)
    assessed = appraise(studies, protocol, sheets)
    write_tables(snakemake, {"risk_of_bias": assessed, "bias_problems": sheets.problems_frame()})
    citations = {row["record_id"]: citation(row) for _, row in studies.iterrows()}
    out = snakemake.output
    write_bias_sheet(studies, protocol["tools"], citations, Path(out.bias_sheet))
    for figure, path in (
        (traffic_light(assessed, citations), out.traffic_light),
        (summary_plot(assessed), out.bias_summary),
    ):
        figure.savefig(path, dpi=150)
    log.info(
        "%d studies assessed with %s; %d domains settled of %d; %d problems in sheets",
        assessed["record_id"].nunique(),
        sorted(set(assessed["tool"])),
        (assessed["status"] == "settled").sum(),
        len(assessed),
        len(sheets.problems),
    )
