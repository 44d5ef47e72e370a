"""Snakemake adapter for rule synthesise_review: PRISMA counts and diagram, evidence table,
per-group summaries with the protocol's pooled outcome, and the figures."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.extract.fields import field_specs
from prismaflow.jobs import write_tables
from prismaflow.parquet_io import read_frame
from prismaflow.plotting import plt
from prismaflow.published import read_artifact
from prismaflow.runlog import logged_to
from prismaflow.synthesise.certainty import (
    read_ratings,
    summary_of_findings,
    write_certainty_sheet,
)
from prismaflow.synthesise.evidence import evidence_fields, evidence_schema, evidence_table
from prismaflow.synthesise.figures import evidence_map, forest_plot, publications_per_year
from prismaflow.synthesise.groups import group_summary, pooled_estimates
from prismaflow.synthesise.plan import Plan
from prismaflow.synthesise.prisma import prisma_counts
from prismaflow.synthesise.prisma_diagram import save_prisma

with logged_to(snakemake.log[0], snakemake.rule) as log:
    out, params = snakemake.output, snakemake.params
    studies = read_frame(snakemake.input.studies)
    release = params.living["previous_release"]
    previous = read_artifact(release, "decisions")[1] if release else None
    counts = prisma_counts(
        read_frame(snakemake.input.links),
        read_frame(snakemake.input.decisions),
        params.reasons,
        previous,
        {e["id"]: e["database"] for e in params.exports["file"].get("exports", [])},
    )
    shown = evidence_fields(field_specs(params.fields), params.synthesis["evidence_columns"])
    plan = Plan.from_config(params.synthesis)
    summary = group_summary(studies, plan)
    pooled = pooled_estimates(studies, summary, plan)
    ratings = read_ratings(snakemake.input.ratings, list(summary.loc[summary["pooled"], "group"]))
    sof = summary_of_findings(
        plan,
        summary,
        pooled,
        studies,
        read_frame(snakemake.input.risk_of_bias),
        ratings,
        params.certainty["randomised"],
    )
    write_tables(
        snakemake,
        {
            "prisma": counts,
            "groups": summary,
            "pooled": pooled,
            "certainty": sof,
            "certainty_problems": ratings.problems_frame(),
            "evidence": evidence_table(studies, plan, shown),
        },
        schemas={"evidence": evidence_schema(shown)},
    )
    save_prisma(counts, out.prisma_svg, out.prisma_png)
    write_certainty_sheet(sof, Path(out.certainty_sheet))
    for figure, path in (
        (forest_plot(studies, summary, pooled, plan), out.forest),
        (evidence_map(studies, plan), out.evidence_map),
        (publications_per_year(studies), out.per_year),
    ):
        figure.savefig(path, dpi=150)
    plt.close("all")
    for row in counts.itertuples():
        log.info("PRISMA %s %s: %d", row.box, row.reason or row.source or "", row.count)
    for row in pooled.itertuples():
        log.info(
            "%s %s %s: %.3f [%.3f, %.3f] k=%d",
            row.group,
            row.method,
            row.measure,
            row.estimate,
            row.ci_low,
            row.ci_high,
            row.studies,
        )
