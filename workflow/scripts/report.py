"""Snakemake adapter for rule report_review: the self-contained HTML report."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.jobs import CODE_INPUT
from prismaflow.parquet_io import read_frame
from prismaflow.report.build import Artifacts, render_report, report_context
from prismaflow.runlog import logged_to


def paths(value) -> list[str]:
    """A named input's files: one path, or a list of them (one per analysis)."""
    return [value] if isinstance(value, str) else list(value)


with logged_to(snakemake.log[0], snakemake.rule) as log:
    given = snakemake.input
    artifacts = Artifacts(
        **{
            name: read_frame(given[name])
            for name in (
                "search_log",
                "records",
                "prisma",
                "decisions",
                "agreement",
                "studies",
                "evidence",
                "groups",
                "pooled",
                "subgroups",
                "sensitivity",
                "small_studies",
                "risk_of_bias",
                "certainty",
            )
        },
        prisma_svg=Path(given.prisma_svg),
        figures={
            name: Path(given[name])
            for name in ("evidence_map", "per_year", "traffic_light", "bias_summary")
        },
        analysis_figures={
            analysis["id"]: {"forest": Path(forest), "funnel": Path(funnel)}
            for analysis, forest, funnel in zip(
                snakemake.params.config["synthesis"]["analyses"],
                paths(given.forest),
                paths(given.funnel),
                strict=True,
            )
        },
        files={
            Path(path).name if name in ("forest", "funnel") else name: Path(path)
            for name, value in given.items()
            if name != CODE_INPUT
            for path in paths(value)
        },
    )
    context = report_context(snakemake.params.config, artifacts)
    html = render_report(context)
    Path(snakemake.output.review_html).parent.mkdir(parents=True, exist_ok=True)
    Path(snakemake.output.review_html).write_text(html, encoding="utf-8")
    log.info("report: %d bytes; machine-made: %s", len(html), context["machine"])
