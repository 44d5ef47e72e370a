"""Snakemake adapter for rule report_review: the self-contained HTML report."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


from pathlib import Path

from prismaflow.jobs import CODE_INPUT
from prismaflow.parquet_io import read_frame
from prismaflow.report.build import Artifacts, render_report, report_context
from prismaflow.runlog import logged_to

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
                "risk_of_bias",
                "certainty",
            )
        },
        prisma_svg=Path(given.prisma_svg),
        figures={
            name: Path(given[name])
            for name in ("forest", "evidence_map", "per_year", "traffic_light", "bias_summary")
        },
        files={name: Path(path) for name, path in given.items() if name != CODE_INPUT},
    )
    context = report_context(snakemake.params.config, artifacts)
    html = render_report(context)
    Path(snakemake.output.review_html).parent.mkdir(parents=True, exist_ok=True)
    Path(snakemake.output.review_html).write_text(html, encoding="utf-8")
    log.info("report: %d bytes; machine-made: %s", len(html), context["machine"])
