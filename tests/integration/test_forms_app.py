"""Full text, extraction and risk of bias in the app (`prismaflow serve`), driven in headless
Chromium over a copy of the finished embedded default: a reviewer attaches a PDF and excludes
another record at full text, two reviewers extract one study and disagree on one field, the
adjudicator settles it, the workflow runs from the app, and the files, the artifacts, the
report and the trace change as they should; then a risk-of-bias form, compared and settled."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from prismaflow import catalog
from prismaflow.appraise.assessments import read_sheets, settle
from prismaflow.identifiers import record_index
from prismaflow.parquet_io import read_frame
from tests.integration.app_server import run_from_the_app, start_server, stop_server
from tests.integration.browser import QUIET, installed_chromium
from tests.integration.conftest import prismaflow

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_forms_app")]
# The smallest PDF a viewer opens: one empty page.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def review(finished_run, tmp_path_factory):
    directory = tmp_path_factory.mktemp("forms") / "review"
    shutil.copytree(finished_run, directory, ignore=shutil.ignore_patterns(".snakemake"))
    return directory


def _study_and_field(review: Path) -> tuple[str, str, str, dict]:
    """An included study with a number the machine read from its abstract: the field two
    reviewers will disagree on."""
    protocol = yaml.safe_load((review / catalog.PROTOCOL).read_text())
    fields = protocol["extraction"]["fields"]
    machine = read_frame(review / catalog.path("machine_values"))
    numeric = machine[
        machine["field"].map(lambda f: fields[f]["type"] == "number")
        & machine["source"].str.startswith("abstract[")
    ].iloc[0]
    return numeric["record_id"], numeric["field"], numeric["value"], protocol


def test_full_text_extraction_and_adjudication_in_the_browser(review, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = installed_chromium()
    study, field, machine_value, protocol = _study_and_field(review)
    corrected = f"{float(machine_value) / 2:g}"
    reasons = protocol["screening"]["reasons"]
    reason = next(code for code, spec in reasons.items() if spec["phase"] == "full_text")
    at_full_text = read_frame(review / catalog.path("decisions")).query("phase == 'full_text'")
    attach_to, exclude = [r for r in at_full_text["record_id"] if r != study][:2]
    excluded_before = read_frame(review / catalog.path("prisma")).query("reason == @reason")
    report_before = (review / "results" / "report" / "review.html").read_text()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(PDF)
    outside = tmp_path / "outside.pdf"
    outside.write_bytes(PDF)
    (review / "full_texts").mkdir()
    (review / "full_texts" / "leak.pdf").symlink_to(outside)

    process, url, tokens = start_server(review, "ana,ben,adjudication")
    requests_outside, dialogs, viewer = [], [], []
    try:
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(chromium), args=QUIET)

            def reviewer(name):
                page = browser.new_context().new_page()
                page.on("request", lambda r: _sort(r.url, url, requests_outside, viewer))
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(f"{url}/login?token={tokens[name]}")
                return page

            def click(page, selector):
                with page.expect_navigation():
                    page.click(selector)

            # Full text: a PDF uploaded beside the record, another record excluded.
            ana = reviewer("ana")
            ana.goto(f"{url}/full-text/{attach_to}")
            assert ana.inner_text("#attached") == "No full text attached."
            ana.set_input_files("#pdf", str(pdf))
            click(ana, "#attach-button")
            assert ana.inner_text("#attached").startswith(f"full_texts/{_safe(attach_to)}.pdf")
            served = ana.request.get(url + ana.get_attribute("#pdf-frame", "src"))
            assert served.status == 200 and served.body() == PDF
            assert served.headers["content-type"] == "application/pdf"
            for hostile in ("../config/config.yaml", "/etc/passwd", "leak.pdf"):
                ana.goto(f"{url}/full-text/{attach_to}")
                ana.fill("#path", hostile)
                with ana.expect_navigation() as refused:
                    ana.click("#attach-button")
                assert refused.value.status == 400
                assert "is not under the full-text folder full_texts/" in ana.inner_text("#message")
            ana.goto(f"{url}/full-text/{exclude}")
            click(ana, f"#exclude-{reason}")
            row = ana.locator(f"#full-texts tr[data-record='{exclude}']").inner_text()
            assert reason in row

            # A full-text conflict goes to the adjudicator beside the title/abstract ones.
            ana.goto(f"{url}/full-text/{attach_to}")
            click(ana, "#include")
            ben = reviewer("ben")
            ben.goto(f"{url}/full-text/{attach_to}")
            assert ben.locator("#own").count() == 0  # blind to ana
            click(ben, f"#exclude-{reason}")
            judge = reviewer("adjudication")
            judge.goto(f"{url}/adjudicate")
            conflict = judge.locator("section.conflict[data-phase='full_text']")
            assert conflict.count() == 1 and conflict.get_attribute("data-record") == attach_to
            said = conflict.locator("li.decision").all_inner_texts()
            assert said == ["ana: include", f"ben: exclude ({reason})"]
            with judge.expect_navigation():
                conflict.locator("button.settle-include").click()
            assert judge.locator("section.conflict[data-phase='full_text']").count() == 0

            # Extraction: the machine's value with its words marked; a typo is refused.
            ana.goto(f"{url}/extract/{study}")
            cell = ana.locator(f"tr[data-field='{field}']")
            assert cell.locator(".machine-value").inner_text() == machine_value
            marked = cell.locator(f".source mark[data-field='{field}']").inner_text()
            assert marked and marked in ana.inner_text("#text-abstract")
            assert ana.locator(f"#text-abstract mark[data-field='{field}']").count() == 1
            assert ana.input_value(f"#field-{field}") == machine_value
            ana.fill(f"#field-{field}", "a dozen")
            click(ana, "#save")
            assert "is not a number" in cell.locator(".problem").inner_text()
            assert not (review / catalog.EXTRACTION / "ana.csv").exists()
            ana.fill(f"#field-{field}", corrected)
            click(ana, "#save")

            ben.goto(f"{url}/extract/{study}")
            assert ben.input_value(f"#field-{field}") == machine_value  # blind to ana
            click(ben, "#save")  # confirms every machine value
            assert ben.goto(f"{url}/extract/settle").status == 403

            judge.goto(f"{url}/extract/settle")
            open_ = judge.locator("section.disagreement")
            assert open_.count() == 1
            assert open_.get_attribute("data-item") == field
            assert open_.locator(".values").inner_text() == (
                f"ana={corrected}; ben={machine_value}"
            )
            open_.locator(".settle-value").fill(corrected)
            click(judge, "button.settle")
            assert judge.inner_text("#no-disagreements") == "No open disagreements."

            assert run_from_the_app(judge, url) == 0
            judge.goto(url)
            saved = [row.split("\t") for row in judge.locator("#forms tbody tr").all_inner_texts()]
            assert saved == [["adjudication", "1", "0"], ["ana", "1", "0"], ["ben", "1", "0"]]
            browser.close()
    finally:
        stop_server(process)
    assert requests_outside == [] and dialogs == []
    assert viewer, "Chromium's PDF viewer never opened the framed full text"

    # Every action is a file the workflow read.
    attached = rows(review / catalog.FULL_TEXT_FILES)
    assert [(r["record"], r["attached_by"]) for r in attached] == [(attach_to, "ana")]
    assert (review / "full_texts" / attached[0]["file"]).read_bytes() == PDF
    extraction = review / catalog.EXTRACTION
    assert rows(extraction / "ana.csv")[0][field] == corrected
    assert rows(extraction / "ben.csv")[0][field] == machine_value
    assert rows(extraction / "adjudication.csv")[0][field] == corrected
    history = rows(extraction / catalog.HISTORY / "ana.csv")
    assert [(h["action"], h["record_id"]) for h in history] == [("decide", study)]
    assert json.loads(history[0]["values"])[field] == corrected

    disagreements = read_frame(review / catalog.path("disagreements"))
    assert disagreements[["record_id", "field", "values", "resolved_by", "resolved_value"]].to_dict(
        "records"
    ) == [
        {
            "record_id": study,
            "field": field,
            "values": f"ana={corrected}; ben={machine_value}",
            "resolved_by": "adjudication",
            "resolved_value": corrected,
        }
    ]
    studies = read_frame(review / catalog.path("studies")).set_index("record_id")
    assert studies.loc[study, field] == float(corrected)
    assert studies.loc[study, f"{field}_by"] == "adjudication"
    evidence = read_frame(review / catalog.path("evidence")).set_index("record_id")
    assert evidence.loc[study, field] == float(corrected)
    assert list(evidence.loc[study, "machine_fields"]) == []  # every value now a reviewer's
    assert exclude not in set(studies.index) and exclude not in set(evidence.index)
    full_text = read_frame(review / catalog.path("decisions")).query("phase == 'full_text'")
    settled = full_text.set_index("record_id").loc[attach_to]
    assert (settled["decision"], settled["decided_by"]) == ("include", "adjudication")

    excluded = read_frame(review / catalog.path("prisma")).query("reason == @reason")
    assert excluded["count"].sum() == excluded_before["count"].sum() + 1
    report = (review / "results" / "report" / "review.html").read_text()
    assert machine_studies(report) == machine_studies(report_before) - 2  # one reviewed, one out

    traced = prismaflow(review, "trace", study)
    assert traced.returncode == 0, traced.stderr
    line = next(x for x in traced.stdout.splitlines() if x.strip().startswith(f"{field} ="))
    assert f"= {float(corrected)!r} [adjudication:" in line
    assert f"the machine read {machine_value!r} from abstract[" in line


# Answers that give D1 'low' and D5 'high'; D2 to D4 judged without signalling questions.
ANSWERED = {"1.1": "y", "1.2": "py", "1.3": "n", "5.1": "y", "5.2": "py", "5.3": "n"} | {
    f"D{i}": "low" for i in range(2, 5)
}


def _sort(requested: str, app: str, outside: list[str], viewer: list[str]) -> None:
    """The app's own requests pass; Chromium's PDF viewer (a built-in extension) drawing the
    framed full text is noted; anything else left the machine."""
    if requested.startswith(app):
        return
    builtin = requested.startswith(("chrome-extension://", "chrome://"))
    (viewer if builtin else outside).append(requested)


def machine_studies(report: str) -> int:
    """The report's count of studies holding values the machine pre-filled."""
    return int(re.search(r"extracted values in\s+(\d+) studies", report).group(1))


def _safe(record_id: str) -> str:
    return record_id.replace(":", "_")


def test_risk_of_bias_forms_are_compared_and_settled(review, tmp_path):
    """Two reviewers judge one study with the protocol's tool; the algorithm's overall is
    changed only with a reason; the adjudicator settles their one disagreement; the sheets
    read back through the workflow's own reader and settlement."""
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = installed_chromium()
    directory = tmp_path / "review"
    shutil.copytree(review, directory, symlinks=True)
    studies = read_frame(directory / catalog.path("studies"))
    study, design = studies[["record_id", "study_design"]].iloc[0]
    protocol_path = directory / catalog.PROTOCOL
    protocol = yaml.safe_load(protocol_path.read_text())
    protocol["risk_of_bias"] = {"tools": {design: "rob2"}, "reviewers": 2}
    protocol_path.write_text(yaml.safe_dump(protocol, sort_keys=False))

    process, url, tokens = start_server(directory, "ana,ben,adjudication")
    try:
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(chromium), args=QUIET)

            def reviewer(name):
                page = browser.new_context().new_page()
                page.goto(f"{url}/login?token={tokens[name]}")
                return page

            def click(page, selector):
                with page.expect_navigation():
                    page.click(selector)

            def judge_domains(page, values):
                """Answers and judgements by form id; domains not named keep 'as your
                answers give'."""
                page.goto(f"{url}/appraise/{study}")
                for domain, value in values.items():
                    page.select_option(f"[id='judgement-{domain}']", value)

            ana = reviewer("ana")
            ana.goto(f"{url}/appraise")
            assert "RoB 2" in ana.inner_text(f"tr[data-record='{study}']")
            judge_domains(ana, ANSWERED | {"D5": "low", "overall": "high"})
            click(ana, "#save")
            assert "gives 'high' from the signalling answers" in ana.inner_text("#problem-D5")
            assert "gives 'low' from the domains" in ana.inner_text("#overall-problem")
            assert not (directory / catalog.RISK_OF_BIAS / "ana.csv").exists()
            ana.fill("#support-D5", "the outcome was prespecified in the registry")
            ana.fill("#support-overall", "several domains are close to some concerns")
            click(ana, "#save")
            assert ana.inner_text("#from-answers-D1") == "Your answers give low."
            assert "gives low" in ana.inner_text("#proposed")

            ben = reviewer("ben")
            judge_domains(ben, ANSWERED | {"D2": "some concerns", "D5": "low"})
            ben.fill("#support-D5", "registry entry before enrolment")
            click(ben, "#save")
            assert ben.locator("#problems").count() == 0
            assert "gives some concerns" in ben.inner_text("#proposed")

            adjudicator = reviewer("adjudication")
            adjudicator.goto(f"{url}/appraise/settle")
            conflict = adjudicator.locator("section.disagreement")
            assert conflict.count() == 1 and conflict.get_attribute("data-item") == "D2"
            assert conflict.locator(".values").inner_text() == "ana=low; ben=some concerns"
            conflict.locator(".settle-value").select_option("low")
            conflict.locator(".settle-support").fill("allocation concealed (methods)")
            click(adjudicator, "button.settle")
            assert adjudicator.inner_text("#no-disagreements") == "No open disagreements."
            browser.close()
    finally:
        stop_server(process)

    folder = directory / catalog.RISK_OF_BIAS
    records = read_frame(directory / catalog.path("records"))
    index = record_index(records, read_frame(directory / catalog.path("links")))
    sheets = read_sheets(
        sorted(str(p) for p in folder.glob("*.csv")), {study: design}, {design: "rob2"}, index
    )
    assert sheets.problems == []
    assessed = settle({study: design}, {design: "rob2"}, sheets, 2).set_index("domain")
    assert assessed.loc["D2", "decided_by"] == "adjudication"
    assert tuple(assessed.loc["D1", ["judgement", "decided_by"]]) == ("low", "ana+ben")
    assert assessed.loc["D5", "support"] == (
        "ana: the outcome was prespecified in the registry; ben: registry entry before enrolment"
    )
    assert assessed.loc["overall", "proposed"] == "low"
    assert assessed.loc["overall", "reviewers"] == "ana=high"
    history = rows(folder / catalog.HISTORY / "ana.csv")  # the refused save left no trace
    assert [(h["domain"], h["judgement"]) for h in history] == [
        ("1.1", "y"),
        ("1.2", "py"),
        ("1.3", "n"),
        ("5.1", "y"),
        ("5.2", "py"),
        ("5.3", "n"),
        ("D1", "low"),  # as the answers give
        *((f"D{i}", "low") for i in range(2, 6)),
        ("overall", "high"),
    ]
