# prismaflow: a PRISMA 2020 systematic review as a Snakemake workflow.
#
# results/
#   01_search/    {source}.parquet, {source}.hits.parquet, search_log.parquet, raw/{source}/{query}/
#   02_dedupe/    records.parquet (canonical records), links.parquet (every record -> canonical)
#   03_screen/    decisions.parquet (title/abstract and full-text decisions with reasons)
#   04_extract/   studies.parquet (one row per included study, each value with its source)
#   05_synthesis/ prisma.parquet (PRISMA 2020 counts), prisma.svg/.png (the diagram),
#                 evidence.parquet (one row per study), groups.parquet and pooled.parquet
#                 (per condition group, pooled proportions), figures/ (forest, evidence map, years)
#   report/       review.html (the review report, one self-contained file)
#   provenance/   manifest.json (every artifact: sha256, rule, input and parameter hashes, versions)
#                 ro-crate-metadata.json (the run as a Workflow Run RO-Crate)
#   qc/           {stage}.gate.json (each stage's quality verdict; the next stage needs it)
#   logs/, benchmarks/  one file per job
#
# Each stage reads the previous stage's gated Parquet. Targets: `snakemake` (everything) or one
# stage and what it needs: `snakemake search|dedupe|screen|extract|synthesise|review_report`.
# `snakemake --report report.html` collects the figures and report with their captions.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


# One process imports the package and its libraries for the whole run and forks each job from
# it (prismaflow.warm); a job that cannot reach it runs in its own process, with the same result.
onstart:
    warm.start(*warm_modules())


onsuccess:
    warm.stop()


onerror:
    warm.stop()


wildcard_constraints:
    source="|".join(DATABASES),


include: "workflow/rules/search.smk"
include: "workflow/rules/dedupe.smk"
include: "workflow/rules/screen.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/synthesise.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/qc.smk"


# On a cluster (profiles/slurm) these stay on the submitting machine: live searches need the
# internet, which compute nodes often lack, and the rest take less time than a queue wait.
localrules:
    all,
    review_report,
    search_source,
    search_file,
    search_log,
    report_review,
    provenance,


rule all:
    default_target: True
    input:
        rules.report_review.output.review_html,
        rules.provenance.output.manifest,
        rules.provenance.output.crate,


# One target per stage (`snakemake dedupe`): the stage and what it needs, up to its gate.
for target in catalog.GATED:

    rule:
        name:
            target
        input:
            gate_verdict(target),
        localrule: True


rule review_report:
    input:
        rules.report_review.output.review_html,
