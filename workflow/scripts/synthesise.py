"""Snakemake adapter for rule synthesise_review: PRISMA counts and diagram, evidence table,
per analysis and group the summaries, pooled estimates, study effects, subgroup differences,
sensitivity analyses and small-study effects, the certainty of evidence, and the figures."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.appraise.judgements import OVERALL
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
from prismaflow.synthesise.figures import (
    evidence_map,
    forest_plot,
    funnel_plot,
    publications_per_year,
)
from prismaflow.synthesise.groups import group_summary, pooled_estimates, study_effects
from prismaflow.synthesise.plan import Plan
from prismaflow.synthesise.prisma import prisma_counts
from prismaflow.synthesise.prisma_diagram import save_prisma
from prismaflow.synthesise.sensitivity import sensitivity_analyses
from prismaflow.synthesise.small_studies import small_study_effects
from prismaflow.synthesise.subgroups import subgroup_differences

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
    effects = study_effects(studies, summary, pooled, plan)
    small = small_study_effects(studies, summary, plan)
    bias = read_frame(snakemake.input.risk_of_bias)
    overall = bias[bias["domain"] == OVERALL].set_index("record_id")["judgement"].to_dict()
    pooled_keys = list(
        summary.loc[summary["pooled"], ["analysis", "group"]].itertuples(index=False)
    )
    ratings = read_ratings(snakemake.input.ratings, [tuple(k) for k in pooled_keys])
    sof = summary_of_findings(
        plan, summary, pooled, studies, bias, ratings, params.certainty["randomised"]
    )
    write_tables(
        snakemake,
        {
            "prisma": counts,
            "groups": summary,
            "pooled": pooled,
            "study_effects": effects,
            "subgroups": subgroup_differences(pooled, plan),
            "sensitivity": sensitivity_analyses(studies, summary, plan, overall),
            "small_studies": small,
            "certainty": sof,
            "certainty_problems": ratings.problems_frame(),
            "evidence": evidence_table(studies, plan, shown),
        },
        schemas={"evidence": evidence_schema(shown)},
    )
    save_prisma(counts, out.prisma_svg, out.prisma_png)
    write_certainty_sheet(sof, Path(out.certainty_sheet))
    drawn = [(evidence_map(studies, plan), out.evidence_map)]
    drawn.append((publications_per_year(studies), out.per_year))
    forests, funnels = ([o] if isinstance(o, str) else list(o) for o in (out.forest, out.funnel))
    for analysis, forest, funnel in zip(plan.analyses, forests, funnels, strict=True):
        drawn.append((forest_plot(studies, summary, pooled, effects, analysis), forest))
        drawn.append((funnel_plot(pooled, effects, small, analysis), funnel))
    for figure, path in drawn:
        figure.savefig(path, dpi=150, bbox_inches="tight")
        plt.close(figure)
    for row in counts.itertuples():
        log.info("PRISMA %s %s: %d", row.box, row.reason or row.source or "", row.count)
    for row in pooled.itertuples():
        log.info(
            "%s %s %s %s: %.3f [%.3f, %.3f] k=%d",
            row.analysis,
            row.group,
            row.method,
            row.measure,
            row.estimate,
            row.ci_low,
            row.ci_high,
            row.studies,
        )
