"""The map of a review run: each stage, the rules that make it, the artifacts they write (with
their schema and report caption) and the gate that guards it.

Every other place that needs a stage list, an artifact path or a rule's stage reads it here:
the workflow's rules, `release`, `status`, `trace`, the CLI and the tests. A path written out
anywhere else would drift from the rule that writes it, and a trace or a release would then
read a file the workflow no longer makes.

Schemas are named as `module:ATTRIBUTE` and imported only when asked for, so this module stays
at the bottom of the package's layers and costs nothing to import in the Snakefile.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

RESULTS = "results"
PROTOCOL = "config/config.yaml"  # a review folder's protocol, relative to the folder
DECISIONS = "config/decisions"  # reviewers' sheets: <phase>/<reviewer>.csv
# What the app did, action by action (undo included), in a `history` folder beside the sheets
# it wrote (decisions: history/<phase>/<reviewer>.csv). An audit trail; the workflow reads the
# sheets, never this.
HISTORY = "history"
DECISION_HISTORY = f"{DECISIONS}/{HISTORY}"
EXTRACTION = "config/extraction"  # reviewers' extraction sheets: <reviewer>.csv
RISK_OF_BIAS = "config/risk_of_bias"  # reviewers' risk-of-bias sheets: <reviewer>.csv
# The full text attached to each record in the app (record, file under the protocol's
# screening.full_texts.folder), and its history.
FULL_TEXT_FILES = "config/full_texts.csv"
FULL_TEXT_HISTORY = f"config/{HISTORY}/full_texts.csv"
CERTAINTY = "config/certainty"  # reviewers' GRADE ratings: <reviewer>.csv


@dataclass(frozen=True)
class Artifact:
    """One file (or folder) a rule writes, by a name unique across the review."""

    name: str
    # relative to the review folder; may hold a {source} wildcard (one per searched database)
    # or an {analysis} one (one per planned analysis: synthesis.analyses[].id)
    path: str
    schema: str | None = None  # "module:ATTRIBUTE" of its Arrow schema, for Parquet tables
    caption: str | None = None  # workflow/report/<caption>.rst for `snakemake --report`
    directory: bool = False


@dataclass(frozen=True)
class Stage:
    """A pipeline step: its rules, in the order they run, and the artifacts they write."""

    name: str
    category: str  # the `snakemake --report` category
    rules: tuple[str, ...]
    artifacts: tuple[Artifact, ...]
    # The artifacts its gate checks, by name (its own, and earlier ones it reconciles with);
    # a stage with none has no gate.
    checked: tuple[str, ...] = ()

    @property
    def gated(self) -> bool:
        return bool(self.checked)

    @property
    def gate_rule(self) -> str | None:
        return f"gate_{self.name}" if self.gated else None


def _a(name: str, path: str, schema: str | None = None, caption: str | None = None) -> Artifact:
    return Artifact(name, f"{RESULTS}/{path}", schema, caption, directory=path.endswith("/"))


STAGES: tuple[Stage, ...] = (
    Stage(
        "search",
        "01 Search",
        ("search_source", "search_file", "search_log"),
        (
            _a("source_records", "01_search/{source}.parquet", "prismaflow.records:RECORD_SCHEMA"),
            _a(
                "source_hits",
                "01_search/{source}.hits.parquet",
                "prismaflow.search.stage:HITS_SCHEMA",
            ),
            _a(
                "source_log", "01_search/{source}.log.parquet", "prismaflow.search.stage:LOG_SCHEMA"
            ),
            _a("raw_responses", "01_search/raw/{source}/"),
            _a(
                "search_log",
                "01_search/search_log.parquet",
                "prismaflow.search.stage:LOG_SCHEMA",
                "search_log",
            ),
        ),
        checked=("source_records", "source_hits", "search_log"),
    ),
    Stage(
        "dedupe",
        "02 Dedupe",
        ("dedupe_records",),
        (
            _a("links", "02_dedupe/links.parquet", "prismaflow.dedupe.merge:LINKS_SCHEMA", "links"),
            _a("records", "02_dedupe/records.parquet", "prismaflow.dedupe.merge:DEDUPED_SCHEMA"),
        ),
        checked=("source_records", "links", "records"),
    ),
    Stage(
        "screen",
        "03 Screen",
        ("screen_records",),
        (
            _a(
                "decisions",
                "03_screen/decisions.parquet",
                "prismaflow.screen.stage:DECISIONS_SCHEMA",
                "decisions",
            ),
            _a(
                "agreement",
                "03_screen/agreement.parquet",
                "prismaflow.screen.agreement:AGREEMENT_SCHEMA",
            ),
            _a(
                "conflicts",
                "03_screen/conflicts.parquet",
                "prismaflow.screen.stage:CONFLICTS_SCHEMA",
            ),
            _a("worklist", "03_screen/worklist.xlsx", caption="worklist"),
        ),
        checked=("records", "decisions"),
    ),
    Stage(
        "extract",
        "04 Extract",
        ("extract_studies",),
        (
            # Its schema depends on the protocol's form: prismaflow.extract.stage.studies_schema.
            _a("studies", "04_extract/studies.parquet", caption="studies"),
            _a(
                "disagreements",
                "04_extract/disagreements.parquet",
                "prismaflow.extract.reviewers:DISAGREEMENTS_SCHEMA",
            ),
            _a(
                "sheet_problems",
                "04_extract/sheet_problems.parquet",
                "prismaflow.extract.reviewers:PROBLEMS_SCHEMA",
            ),
            _a(
                "machine_values",
                "04_extract/machine_values.parquet",
                "prismaflow.extract.stage:MACHINE_VALUES_SCHEMA",
            ),
            _a("extraction_sheet", "04_extract/extraction_sheet.xlsx", caption="extraction_sheet"),
        ),
        checked=("studies", "sheet_problems", "disagreements", "machine_values", "decisions"),
    ),
    Stage(
        "appraise",
        "05 Risk of bias",
        ("appraise_studies",),
        (
            _a(
                "risk_of_bias",
                "05_appraise/risk_of_bias.parquet",
                "prismaflow.appraise.assessments:RISK_OF_BIAS_SCHEMA",
                "risk_of_bias",
            ),
            _a(
                "bias_problems",
                "05_appraise/bias_problems.parquet",
                "prismaflow.appraise.assessments:BIAS_PROBLEMS_SCHEMA",
            ),
            _a("bias_sheet", "05_appraise/risk_of_bias_sheet.xlsx", caption="bias_sheet"),
            _a("traffic_light", "05_appraise/figures/traffic_light.png", caption="traffic_light"),
            _a("bias_summary", "05_appraise/figures/bias_summary.png", caption="bias_summary"),
        ),
        checked=("risk_of_bias", "bias_problems", "studies"),
    ),
    Stage(
        "synthesise",
        "06 Synthesis",
        ("synthesise_review",),
        (
            _a(
                "prisma",
                "06_synthesis/prisma.parquet",
                "prismaflow.synthesise.prisma:PRISMA_SCHEMA",
            ),
            _a(
                "groups",
                "06_synthesis/groups.parquet",
                "prismaflow.synthesise.groups:GROUPS_SCHEMA",
            ),
            _a(
                "pooled",
                "06_synthesis/pooled.parquet",
                "prismaflow.synthesise.groups:POOLED_SCHEMA",
            ),
            _a(
                "study_effects",
                "06_synthesis/study_effects.parquet",
                "prismaflow.synthesise.groups:STUDY_EFFECTS_SCHEMA",
            ),
            _a(
                "subgroups",
                "06_synthesis/subgroups.parquet",
                "prismaflow.synthesise.subgroups:SUBGROUPS_SCHEMA",
            ),
            _a(
                "sensitivity",
                "06_synthesis/sensitivity.parquet",
                "prismaflow.synthesise.sensitivity:SENSITIVITY_SCHEMA",
            ),
            _a(
                "small_studies",
                "06_synthesis/small_studies.parquet",
                "prismaflow.synthesise.small_studies:SMALL_STUDIES_SCHEMA",
            ),
            _a(
                "certainty",
                "06_synthesis/certainty.parquet",
                "prismaflow.synthesise.certainty:CERTAINTY_SCHEMA",
                "certainty",
            ),
            _a(
                "certainty_problems",
                "06_synthesis/certainty_problems.parquet",
                "prismaflow.synthesise.certainty:CERTAINTY_PROBLEMS_SCHEMA",
            ),
            _a("certainty_sheet", "06_synthesis/certainty_sheet.xlsx", caption="certainty_sheet"),
            # Its columns are the protocol's: prismaflow.synthesise.evidence.evidence_schema.
            _a("evidence", "06_synthesis/evidence.parquet"),
            _a("prisma_svg", "06_synthesis/prisma.svg", caption="prisma"),
            _a("prisma_png", "06_synthesis/prisma.png"),
            _a("forest", "06_synthesis/figures/forest_{analysis}.png", caption="forest"),
            _a("funnel", "06_synthesis/figures/funnel_{analysis}.png", caption="funnel"),
            _a("evidence_map", "06_synthesis/figures/evidence_map.png", caption="evidence_map"),
            _a(
                "per_year",
                "06_synthesis/figures/publications_per_year.png",
                caption="publications_per_year",
            ),
        ),
        checked=(
            "prisma",
            "groups",
            "pooled",
            "study_effects",
            "subgroups",
            "sensitivity",
            "small_studies",
            "evidence",
            "studies",
            "certainty",
            "certainty_problems",
        ),
    ),
    Stage(
        "report",
        "07 Report",
        ("report_review", "provenance"),
        (
            _a("review_html", "report/review.html", caption="review"),
            _a("manifest", "provenance/manifest.json"),
            _a("crate", "provenance/ro-crate-metadata.json"),
        ),
    ),
)
GATED: tuple[str, ...] = tuple(stage.name for stage in STAGES if stage.gated)
ARTIFACTS: dict[str, Artifact] = {a.name: a for stage in STAGES for a in stage.artifacts}
# What a living review's release carries over to its update, in the order it is frozen.
RELEASED: tuple[str, ...] = ("links", "decisions", "studies", "prisma")


def results_tree(width: int = 96) -> list[str]:
    """The results/ tree as comment lines, for the workflow's table of contents: each folder
    and the files and folders the catalog puts in it, then the gates' verdicts."""
    folders: dict[str, list[str]] = {}
    for entry in ARTIFACTS.values():
        top, _, rest = entry.path.removeprefix(f"{RESULTS}/").partition("/")
        folders.setdefault(f"{top}/", []).append(rest)
    folders["qc/"] = ["{stage}.gate.json (and .gate.failed.json)"]
    folders["logs/, benchmarks/"] = ["one file per job"]
    lines = [f"# {RESULTS}/"]
    for folder, names in folders.items():
        text = f"#   {folder} ".ljust(18) + names[0]
        for name in names[1:]:
            if len(f"{text}, {name}") > width:
                lines.append(f"{text},")
                text = "#".ljust(18) + name
            else:
                text = f"{text}, {name}"
        lines.append(text)
    return lines


def stage(name: str) -> Stage:
    for candidate in STAGES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no stage {name!r}; stages are {[s.name for s in STAGES]}")


def stage_of_artifact(name: str) -> Stage:
    return next(s for s in STAGES if any(a.name == name for a in s.artifacts))


def stage_of_rule(rule: str) -> str | None:
    """The stage a workflow rule belongs to (its gate included), or None for a target rule."""
    for candidate in STAGES:
        if rule in candidate.rules or rule == candidate.gate_rule:
            return candidate.name
    return None


def path(name: str, **wildcards: str) -> str:
    """An artifact's path relative to the review folder, wildcards filled in if given."""
    template = ARTIFACTS[name].path.rstrip("/")
    return template.format(**wildcards) if wildcards else template


def under(results: str | Path, name: str, **wildcards: str) -> Path:
    """An artifact's path in a results tree that may live elsewhere (a copy, a test's)."""
    return Path(results) / path(name, **wildcards).removeprefix(RESULTS + "/")


def schema(name: str) -> pa.Schema | None:
    """The Arrow schema an artifact is written with, imported on demand."""
    reference = ARTIFACTS[name].schema
    if reference is None:
        return None
    module, attribute = reference.split(":")
    return getattr(importlib.import_module(module), attribute)


def gate_verdict(stage_name: str, results: str | Path = RESULTS) -> Path:
    """A passed gate's verdict; the next stage takes it as input, so a failure stops the DAG."""
    return Path(results) / "qc" / f"{stage_name}.gate.json"


def gate_failure(stage_name: str, results: str | Path = RESULTS) -> Path:
    """A failed gate's verdict: Snakemake deletes a failed job's outputs, so it lives apart."""
    return Path(results) / "qc" / f"{stage_name}.gate.failed.json"


def log_file(stage_name: str, job: str) -> str:
    return f"{RESULTS}/logs/{stage_name}/{job}.log"


def benchmark_file(stage_name: str, job: str) -> str:
    return f"{RESULTS}/benchmarks/{stage_name}/{job}.tsv"
