"""Good artifacts for every gate, built from the embedded snapshot by the stages' own code."""

from __future__ import annotations

import pandas as pd
import pytest

from prismaflow import catalog
from prismaflow.appraise.assessments import Sheets
from prismaflow.appraise.judgements import OVERALL
from prismaflow.appraise.stage import appraise, designs
from prismaflow.appraise.tools import TOOLS
from prismaflow.dedupe.stage import deduplicate
from prismaflow.extract.fields import field_specs
from prismaflow.extract.reviewers import ReviewerSheets
from prismaflow.extract.stage import extract
from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.quality.gate import gate_params as params_for
from prismaflow.screen.rules import protocol_rules
from prismaflow.screen.stage import screen
from prismaflow.search import snapshot, stage
from prismaflow.sheets import Verdict
from prismaflow.synthesise.certainty import Ratings, summary_of_findings
from prismaflow.synthesise.evidence import evidence_fields, evidence_table
from prismaflow.synthesise.groups import group_summary, pooled_estimates, study_effects
from prismaflow.synthesise.plan import Plan
from prismaflow.synthesise.prisma import prisma_counts
from prismaflow.synthesise.sensitivity import sensitivity_analyses
from prismaflow.synthesise.small_studies import small_study_effects
from prismaflow.synthesise.subgroups import subgroup_differences
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory, config):
    out = tmp_path_factory.mktemp("artifacts")
    root = ROOT / config["search"]["snapshot"]
    paths = {"source_records": [], "source_hits": []}
    logs = []
    for source in ("pubmed", "scopus"):
        queries = [{"id": q["id"], source: q[source]} for q in config["search"]["queries"]]
        results = snapshot.replay(root, source, queries)
        for name, table in (
            ("source_records", stage.source_records(results)),
            ("source_hits", stage.hits(results)),
        ):
            path = out / f"{source}.{name}.parquet"
            write_artifact(table, path, rule="test")
            paths[name].append(path)
        logs.append(stage.log_rows(results, mode="snapshot", window=None, timestamp="t"))
    paths["search_log"] = out / "search_log.parquet"
    write_artifact(pd.concat(logs, ignore_index=True), paths["search_log"], rule="test")
    links, records = deduplicate(
        [read_frame(p) for p in paths["source_records"]],
        year_tolerance=config["dedupe"]["year_tolerance"],
        min_title_length=config["dedupe"]["min_title_length"],
    )
    rules = protocol_rules(config["screening"]["rules"], config["search"]["window"])
    decisions = screen(records, [], rules, config["screening"]["reasons"], "machine")
    fields = field_specs(config["extraction"]["fields"])
    plan = Plan.from_config(config["synthesis"])
    no_sheets = ReviewerSheets([], [])
    studies, disagreements, machine = extract(
        records, decisions, config["extraction"], fields, no_sheets
    )
    frames = {
        "links": links,
        "records": records,
        "decisions": decisions,
        "studies": studies,
        "disagreements": disagreements,
        "sheet_problems": no_sheets.problems_frame(),
        "machine_values": machine,
        "prisma": prisma_counts(links, decisions, config["screening"]["reasons"]),
        "groups": group_summary(studies, plan),
        "evidence": evidence_table(
            studies, plan, evidence_fields(fields, config["synthesis"]["evidence_columns"])
        ),
    }
    frames["pooled"] = pooled_estimates(studies, frames["groups"], plan)
    frames["study_effects"] = study_effects(studies, frames["groups"], frames["pooled"], plan)
    frames["subgroups"] = subgroup_differences(frames["pooled"], plan)
    frames["sensitivity"] = sensitivity_analyses(studies, frames["groups"], plan, {})
    frames["small_studies"] = small_study_effects(studies, frames["groups"], plan)
    bias_sheets = agreeing_bias_sheets(studies)
    frames["risk_of_bias"] = appraise(studies, BIAS_PROTOCOL, bias_sheets)
    frames["bias_problems"] = bias_sheets.problems_frame()
    no_ratings = Ratings()
    frames["certainty"] = summary_of_findings(
        plan,
        frames["groups"],
        frames["pooled"],
        studies,
        frames["risk_of_bias"],
        no_ratings,
        ["randomised controlled trial"],
    )
    frames["certainty_problems"] = no_ratings.problems_frame()
    for name, frame in frames.items():
        paths[name] = out / f"{name}.parquet"
        write_artifact(frame, paths[name], rule="test")
    return paths


# A tool for each design the embedded default's studies have.
BIAS_PROTOCOL = {
    "tools": {
        "randomised controlled trial": "rob2",
        "non-randomised trial": "robins_i",
        "case report": "jbi_case_report",
        "case series": "jbi_case_series",
    },
    "reviewers": 2,
}


def agreeing_bias_sheets(studies: pd.DataFrame) -> Sheets:
    """Two reviewers who judge every domain alike (the least severe judgement), and the overall
    judgement of a checklist, which has no algorithm to give it."""
    sheets = Sheets()
    for record, design in designs(studies).items():
        tool = TOOLS[BIAS_PROTOCOL["tools"][design]]
        judged = [(d, tool.judgements[0]) for d in tool.domain_ids]
        if tool.proposed_overall(dict(judged)) is None:
            judged.append((OVERALL, tool.overall_judgements[0]))
        for domain, judgement in judged:
            for reviewer in ("ana", "ben"):
                sheets.judged[record, domain].append(Verdict(reviewer, judgement, None))
    return sheets


@pytest.fixture(scope="session")
def gate_params(config):
    """Each gate's parameters as the workflow's gate rules take them (quality.gate), for the
    embedded default with a risk-of-bias tool for each of its designs."""
    assessed = {**config, "risk_of_bias": BIAS_PROTOCOL}
    return {stage: params_for(stage, assessed) for stage in catalog.GATED}


def inputs_for(stage: str, paths: dict) -> dict:
    """A gate's named inputs as the workflow gives them: the artifacts the catalog says it
    checks, under their catalog names."""
    return {name: paths[name] for name in catalog.stage(stage).checked}
