"""Every protocol the schema allows, run end to end: the matrix of small reviews
(tests/matrix), each from its export files, recorded or live searches and reviewers' sheets
through the workflow to its report, then `prismaflow verify` and `prismaflow export-docx`, its
PRISMA counts checked against those worked out from its spec and every pooled estimate and
subgroup test against metafor's on the same studies.

The reviews run their workflow's jobs in-process (tests/matrix/inprocess.py), which gives the
tables Snakemake's own run gives (the last test)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import docx
import pandas as pd
import pytest

from prismaflow import catalog
from prismaflow.cli import main
from prismaflow.new_review import create_review
from prismaflow.parquet_io import read_frame
from prismaflow.sandbox import copy_project
from tests.live_server import FakeDatabases
from tests.matrix import inprocess
from tests.matrix.build import TOOL_OF, Expected, Review
from tests.matrix.design import design
from tests.reference.cases import expected

pytestmark = pytest.mark.integration
SPECS = design()
METAFOR = expected()
KEYS = {"SCOPUS_API_KEY": "matrix-scopus-key", "NCBI_EMAIL": "matrix@example.org"}
CLOSE = {"rel": 2e-5, "abs": 1e-7}


@pytest.fixture(scope="module")
def server():
    databases = FakeDatabases(0, 0, scopus_key=KEYS["SCOPUS_API_KEY"]).start()
    yield databases
    databases.shutdown()


def environment(server: FakeDatabases) -> dict[str, str]:
    return {**os.environ, **KEYS, "NCBI_EUTILS_URL": server.url, "SCOPUS_API_URL": server.url}


def made_review(spec, folder: Path, server: FakeDatabases, run) -> Expected:
    """The review's folder, run to its report (a living review's published version first,
    then released, then its update); what the run must give."""
    create_review(folder)
    env = environment(server)
    versions = [1, 2] if spec.values["living"] == "on" else [2]
    for version in versions:
        review = Review(spec, folder, version=version)
        made = review.write()
        if spec.values["sources"] == "live":
            review.serve(server)
        run(folder, env)
        if version == 1:
            assert main(["release", str(folder / "releases" / "v1"), *paths_of(folder)]) == 0
    return made


def paths_of(folder: Path) -> list[str]:
    return ["--config", str(folder / catalog.PROTOCOL), "--results", str(folder / "results")]


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_a_review_of_the_matrix_runs_to_its_report_verify_and_tables(spec, server, tmp_path):
    folder = tmp_path / spec.name
    made = made_review(spec, folder, server, inprocess.run)
    results = folder / "results"
    assert main(["verify", "--results", str(results)]) == 0
    out = results / "report" / "tables.docx"
    assert main(["export-docx", *paths_of(folder), "--out", str(out)]) == 0

    studies = read_frame(catalog.under(results, "studies"))
    assert len(studies) == made.included
    counts = read_frame(catalog.under(results, "prisma"))
    if spec.values["living"] == "off":  # an update's diagram counts the new records only
        boxes = counts.groupby("box")["count"].sum()
        for box, count in made.prisma.items():
            assert boxes[box] == count, box
        identified = counts[counts["box"] == "identified"].set_index("source")["count"]
        assert identified.to_dict() == made.identified

    pooled = read_frame(catalog.under(results, "pooled"))
    primary = pooled[pooled["primary"]].set_index(["analysis", "group"])
    subgroups = read_frame(catalog.under(results, "subgroups")).set_index("analysis")
    pooled_cases = [c for c in made.cases if c["kind"] == "pool"]
    assert len(primary) == len(pooled_cases)  # pooled exactly where the spec says
    for case in made.cases:
        row = (
            primary.loc[(case["analysis"], case["group"])]
            if case["kind"] == "pool"
            else subgroups.loc[case["analysis"]]
        )
        for name, value in METAFOR[case["id"]].items():
            assert row[name] == pytest.approx(value, **CLOSE), (case["id"], name)

    html = (results / "report" / "review.html").read_text(encoding="utf-8")
    analyses = Review(spec, folder).analyses
    for planned in analyses:
        assert f'id="analysis-{planned.id}"' in html and f'id="figure-forest-{planned.id}"' in html
    text = re.sub(r"data:[^\"']+", "", html)  # the figures, as data URIs
    assert not re.search(r"\b(nan|inf)\b", text, re.IGNORECASE)
    if pooled_cases:  # one summary-of-findings row per pooled analysis and group
        findings = html[html.index('id="findings-table"') :]
        assert findings[: findings.index("</table>")].count("<tr>") - 1 == len(pooled_cases)
    # The manuscript's tables: characteristics, one table of results per analysis, one per
    # risk-of-bias tool in use, the summary of findings where anything was pooled, exclusions.
    tools = len(set(TOOL_OF.values())) if spec.values["risk_of_bias"] == "every_tool" else 0
    expected_tables = 1 + len(analyses) + tools + (1 if pooled_cases else 0) + 1
    assert len(docx.Document(out).tables) == expected_tables


def test_the_workflow_run_in_process_gives_the_tables_snakemake_gives(finished_run, tmp_path):
    """The in-process runner is the workflow: on the embedded default, the same jobs give the
    tables Snakemake's run gave (but for the times its searches recorded)."""
    folder = copy_project(tmp_path / "review")
    inprocess.run(folder, dict(os.environ))
    tables = sorted(
        p.relative_to(finished_run) for p in (finished_run / "results").rglob("*.parquet")
    )
    assert len(tables) > 20
    for table in tables:
        made, ran = (read_frame(f / table) for f in (folder, finished_run))
        times = [c for c in made.columns if c in ("retrieved_at", "started_at", "finished_at")]
        pd.testing.assert_frame_equal(made.drop(columns=times), ran.drop(columns=times))
