"""The README's "Your own review" tutorial, run word for word in a temporary folder: from
`prismaflow init` to a report that shows the second embedded review's own form and outcome, and
its pooled risk ratio as metafor publishes it for dat.bcg."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prismaflow import catalog
from prismaflow.parquet_io import read_frame
from tests.conftest import ROOT

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_tutorial")]


def tutorial_commands() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- tutorial -->\n```bash\n(.*?)```", readme, re.DOTALL)
    assert found, "the README's tutorial block is missing"
    return found.group(1)


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory):
    """The checkout's parts the tutorial names (the virtualenv, the example), and its run."""
    work = tmp_path_factory.mktemp("tutorial")
    shutil.copytree(ROOT / "examples", work / "examples")
    (work / ".venv" / "bin").mkdir(parents=True)
    activate = f'export PATH="{Path(sys.executable).parent}:$PATH"\n'
    (work / ".venv" / "bin" / "activate").write_text(activate)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", tutorial_commands()],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return work / "my-review", done.stdout


def test_the_first_run_stops_at_screening_and_says_what_waits(tutorial):
    _, out = tutorial
    assert "config/config.yaml: valid (sources file; queries none; analyses tuberculosis: " in out
    assert "screen      no          FAILED: no_record_awaits_a_reviewer" in out
    assert "title_abstract records awaiting a reviewer: 16" in out


def test_the_report_shows_the_reviews_own_form_and_outcome(tutorial):
    review, _ = tutorial
    report = (review / catalog.path("review_html")).read_text(encoding="utf-8")
    own_words = ("tb_vaccinated", "allocation", "risk ratio", "tuberculosis", "BCG vaccination")
    assert "<dt>Comparator</dt><dd>no vaccination</dd>" in report  # the protocol's PICO
    for own in own_words:
        assert own in report, own
    for foreign in ("n_responders", "condition group", "responders", "ruxolitinib"):
        assert foreign not in report, foreign
    findings = report[report.index('id="findings-table"') :]
    assert "tuberculosis, BCG vaccine vs no vaccination (all studies)" in findings
    assert "<strong>very low</strong>" in findings


def test_the_pooled_risk_ratio_is_metafors(tutorial):
    """metafor: rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) gives
    exp(-0.7145) = 0.4894 [0.3441, 0.6962], tau² 0.3132, I² 92.22 %."""
    review, _ = tutorial
    pooled = read_frame(review / catalog.path("pooled")).set_index("method")
    reml = pooled.loc["REML"]
    assert reml["studies"] == 13 and reml["measure"] == "risk_ratio"
    assert (reml["estimate"], reml["ci_low"], reml["ci_high"]) == pytest.approx(
        (0.4894, 0.3441, 0.6962), abs=5e-5
    )
    assert (reml["tau2"], reml["i2"]) == pytest.approx((0.3132, 0.9222), abs=5e-5)
    import docx

    characteristics, results, findings, *_ = docx.Document(
        review / "results/report/tables.docx"
    ).tables
    assert len(characteristics.rows) == 1 + 13
    assert results.rows[1].cells[3].text.startswith("REML 0.49 [0.34, 0.70], prediction")
    # GRADE, as the machine proposes it: the form has no design field, so the evidence starts
    # low; risk of bias is not assessed (serious) and I² is 92 % (very serious).
    sof = read_frame(review / catalog.path("certainty")).set_index("domain")
    assert sof.loc["inconsistency", "proposed"] == "very serious"
    assert (
        sof.loc["risk_of_bias", "proposed_because"]
        == "risk of bias not assessed for 13 of 13 studies"
    )
    assert sof.loc["certainty", ["rating", "effect", "absolute"]].tolist() == [
        "very low",
        "risk ratio REML 0.49 [0.34, 0.70]",
        "5 fewer per 1,000 (from 6 fewer to 3 fewer)",  # against 9 per 1,000 unvaccinated
    ]
    assert findings.rows[1].cells[-1].text == "very low"


def test_the_flow_accounts_for_every_record(tutorial):
    review, out = tutorial
    prisma = read_frame(review / catalog.path("prisma"))
    keys = prisma["box"] + ":" + prisma["reason"].fillna("")
    counts = dict(zip(keys, prisma["count"], strict=True))
    assert counts["duplicates_removed:"] == 2 and counts["included:"] == 13
    # The two later reports of included trials are reports of included studies, not exclusions.
    assert counts["included_reports:"] == 15 and counts["reports_excluded:"] == 0
    assert "BCG and vole bacillus vaccines" in out  # the trace of one trial


def test_the_results_record_the_review_files_as_inputs_not_as_code(tutorial):
    review, _ = tutorial
    manifest = json.loads((review / catalog.path("manifest")).read_text(encoding="utf-8"))
    inputs = {entry["path"] for entry in manifest["inputs"]}
    assert {catalog.PROTOCOL, "exports/trial_reports.ris"} <= inputs
    assert "config/decisions/title_abstract/adjudication.csv" in inputs
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"])


def test_pointing_an_export_at_another_file_reruns_its_import_and_all_after(tutorial, tmp_path):
    """A file-valued key (#18, item 2): an export's path names the search's input."""
    review, _ = tutorial
    shutil.copy(review / "exports" / "trial_reports.ris", review / "exports" / "renamed.ris")
    protocol = (review / catalog.PROTOCOL).read_text(encoding="utf-8")
    overlay = tmp_path / "renamed.yaml"
    overlay.write_text(
        protocol.replace("exports/trial_reports.ris", "exports/renamed.ris"), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def planned(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "snakemake", "-n", *args],
            cwd=review,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert "Nothing to be done" in planned()
    moved = planned("--configfile", str(overlay))
    for rule in ("search_file", "dedupe_records", "screen_records", "report_review"):
        assert rule in moved, rule
