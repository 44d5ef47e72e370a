"""The screening app (`prismaflow serve`) driven in headless Chromium by two reviewers and an
adjudicator over a copy of the finished embedded default, and hammered by two reviewers at
once through its HTTP interface while the server is killed."""

from __future__ import annotations

import csv
import re
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from prismaflow import catalog
from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.screen.reviewers import read_sheet
from tests.integration.app_server import run_from_the_app, start_server, stop_server
from tests.integration.browser import QUIET, installed_chromium

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_screening_app")]
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script> & "quoted"'
TA = "title_abstract"


def sheet_rows(directory: Path, *parts: str) -> list[dict[str, str]]:
    with (directory.joinpath(*parts)).open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def review(finished_run, tmp_path_factory):
    """A copy of the finished review that asks two reviewers for every record, with one
    record's title made hostile."""
    directory = tmp_path_factory.mktemp("app") / "review"
    shutil.copytree(finished_run, directory, ignore=shutil.ignore_patterns(".snakemake"))
    protocol = directory / catalog.PROTOCOL
    protocol.write_text(
        protocol.read_text().replace(
            "screening:\n", "screening:\n  double_screening: {share: 1}\n", 1
        )
    )
    decisions = read_frame(directory / catalog.path("decisions")).query("phase == @TA")
    hostile = decisions.loc[decisions["decided_by"] != "rule", "record_id"].iloc[-1]
    records_path = directory / catalog.path("records")
    records = read_frame(records_path)
    at = records["record_id"] == hostile
    records.loc[at, "title"] = f"{HOSTILE} " + records.loc[at, "title"]
    write_artifact(records, records_path, rule="dedupe_records")
    return directory, hostile


def test_two_reviewers_screen_blind_and_an_adjudicator_settles_their_conflict(review):
    review, hostile_id = review
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = installed_chromium()
    process, url, tokens = start_server(review, "ana,ben,adjudication")
    outside, dialogs = [], []
    try:
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(chromium), args=QUIET)

            def reviewer(name):
                page = browser.new_context().new_page()
                page.on("request", lambda r: r.url.startswith(url) or outside.append(r.url))
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(f"{url}/login?token={tokens[name]}")
                assert page.inner_text("#me") == name
                return page

            def shown(page):
                return page.get_attribute("#record", "data-record")

            def press(page, key):
                with page.expect_navigation():
                    page.keyboard.press(key)

            def click(page, selector):
                """A click that submits a form: done once the next page has loaded."""
                with page.expect_navigation():
                    page.click(selector)

            ana = reviewer("ana")
            ana.goto(f"{url}/screen")
            first = shown(ana)
            press(ana, "i")  # include, by keyboard
            second = shown(ana)
            assert second != first
            click(ana, "#exclude-off_topic")
            third = shown(ana)
            press(ana, "m")
            assert shown(ana) != third
            press(ana, "u")  # undo brings the last record back, undecided
            assert shown(ana) == third and ana.locator("#own").count() == 0
            click(ana, "#maybe")

            ben = reviewer("ben")
            for record, choose in ((first, "#include"), (second, "#include"), (third, "#maybe")):
                ben.goto(f"{url}/screen?record={record}")
                assert not re.search(r"\bana\b", ben.content())  # blind: no word of ana's
                assert ben.locator("#own").count() == 0
                click(ben, choose)
            assert ben.goto(f"{url}/adjudicate").status == 403

            hostile = ben.goto(f"{url}/screen?record={hostile_id}")
            assert hostile.status == 200 and "<script>alert(2)</script>" in ben.inner_text("#title")
            assert ben.locator("#title script, #title img").count() == 0

            stranger = browser.new_context().new_page()
            assert stranger.goto(f"{url}/login?token=not-a-token").status == 403
            assert stranger.goto(f"{url}/screen").url.endswith("/login")

            judge = reviewer("adjudication")
            judge.goto(f"{url}/adjudicate")
            conflicts = judge.locator("section.conflict")
            assert conflicts.count() == 1 and conflicts.get_attribute("data-record") == second
            said = judge.locator("li.decision").all_inner_texts()
            assert said == ["ana: exclude (off_topic)", "ben: include"]
            judge.select_option("select.settle-reason", "off_topic")
            click(judge, "button.settle-exclude")
            assert judge.inner_text("#no-conflicts") == "No open conflicts."

            judge.goto(url)
            excluded_before = _prisma_count(judge, "Records excluded")
            assert run_from_the_app(judge, url) == 0
            judge.goto(url)
            assert _prisma_count(judge, "Records excluded") == excluded_before + 1
            assert judge.inner_text("#conflicts") == "Open conflicts: 0."
            browser.close()
    finally:
        stop_server(process)
    assert outside == [] and dialogs == []

    sheets = {
        name: sheet_rows(review, catalog.DECISIONS, TA, f"{name}.csv")
        for name in ("ana", "ben", "adjudication")
    }
    assert [(r["record"], r["decision"], r["reason"]) for r in sheets["ana"]] == [
        (first, "include", ""),
        (second, "exclude", "off_topic"),
        (third, "maybe", ""),
    ]
    assert [r["decision"] for r in sheets["ben"]] == ["include", "include", "maybe"]
    assert [(r["record"], r["decision"]) for r in sheets["adjudication"]] == [(second, "exclude")]
    history = sheet_rows(review, catalog.DECISION_HISTORY, TA, "ana.csv")
    assert [(h["action"], h["record"]) for h in history] == [
        ("decide", first),
        ("decide", second),
        ("decide", third),
        ("undo", third),
        ("decide", third),
    ]

    pair = read_frame(review / catalog.path("agreement")).query("phase == @TA").iloc[0]
    assert (pair["reviewer_a"], pair["reviewer_b"], pair["overlap"]) == ("ana", "ben", 3)
    assert (pair["conflicts"], pair["conflicts_open"]) == (1, 0)
    decisions = read_frame(review / catalog.path("decisions")).query("phase == @TA")
    settled = decisions.set_index("record_id")
    assert settled.loc[second, "decided_by"] == "adjudication"
    assert settled.loc[first, "decided_by"] == "ana+ben"
    report = (review / "results" / "report" / "review.html").read_text()
    assert "<td>title_abstract</td><td>ana / ben</td>" in report


def _prisma_count(page, label: str) -> int:
    rows = page.locator("#prisma tr").all_inner_texts()
    return next(int(row.split("\t")[-1]) for row in rows if row.startswith(label))


def test_two_reviewers_deciding_at_once_lose_nothing_when_the_server_is_killed(review, tmp_path):
    directory = tmp_path / "review"
    shutil.copytree(review[0], directory)
    for name in ("ana", "ben"):  # start from no decisions
        for root in (catalog.DECISIONS, catalog.DECISION_HISTORY):
            (directory / root / TA / f"{name}.csv").unlink(missing_ok=True)
    to_screen = [
        r
        for r in read_frame(directory / catalog.path("decisions")).query(
            "phase == @TA and decided_by != 'rule'"
        )["record_id"]
    ]
    plan = {
        name: [
            {
                "action": uuid.uuid4().hex,
                "record": to_screen[i % len(to_screen)],
                **[
                    {"decision": "include"},
                    {"decision": "exclude", "reason": "off_topic"},
                    {"decision": "maybe"},
                ][(i + offset) % 3],
            }
            for i in range(500)
        ]
        for name, offset in (("ana", 0), ("ben", 1))
    }
    acknowledged: dict[str, list[str]] = {"ana": [], "ben": []}

    def send(url, tokens, name, stop_after=None):
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {tokens[name]}"
            for item in plan[name]:
                if item["action"] in acknowledged[name]:
                    continue
                try:
                    reply = http.post(f"{url}/api/decide", json=item, timeout=10)
                except requests.RequestException:  # killed, or too slow under load
                    return
                if reply.status_code == 200:
                    acknowledged[name].append(reply.json()["action"])

    process, url, tokens = start_server(directory, "ana,ben")
    workers = [threading.Thread(target=send, args=(url, tokens, n)) for n in ("ana", "ben")]
    for worker in workers:
        worker.start()
    while sum(map(len, acknowledged.values())) < 300:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for worker in workers:
        worker.join()
    killed_at = {name: len(ids) for name, ids in acknowledged.items()}
    assert 0 < sum(killed_at.values()) < 1000

    process, url, tokens = start_server(directory, "ana,ben")  # tokens are new each start
    _check_files(directory, acknowledged)  # as the restarted app left them
    try:
        for name in ("ana", "ben"):
            send(url, tokens, name)
    finally:
        stop_server(process)
    assert {name: len(ids) for name, ids in acknowledged.items()} == {"ana": 500, "ben": 500}
    _check_files(directory, acknowledged)


def test_a_request_that_is_not_a_decision_is_refused_and_changes_nothing(review, tmp_path):
    """What a script or a slip may send: a 400 that says what is wrong, never a 500, and no
    row written; a note with line breaks is still a note."""
    directory = tmp_path / "review"
    shutil.copytree(review[0], directory)
    history = directory / catalog.DECISION_HISTORY / TA / "ana.csv"
    before = history.read_bytes() if history.exists() else b""
    record = (
        read_frame(directory / catalog.path("decisions"))
        .query("phase == @TA and decided_by != 'rule'")["record_id"]
        .iloc[0]
    )
    include = {"record": record, "decision": "include"}
    refused = {
        "a list": ([include], "JSON object"),
        "a record that is a list": ({**include, "record": [record]}, "record must be text"),
        "a note of 200 KB": ({**include, "note": "x" * 200_000}, "at most 2,000 characters"),
        "a note of 3 MB": ({**include, "note": "x" * 3_000_000}, "at most 2,000 characters"),
        "a NUL in a note": ({**include, "note": "a\x00b"}, "control characters"),
        "an action id of 5,000 characters": ({**include, "action": "a" * 5000}, "1 to 64"),
    }
    process, url, tokens = start_server(directory, "ana,ben")
    try:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {tokens['ana']}"
            for what, (body, said) in refused.items():
                reply = http.post(f"{url}/api/decide", json=body, timeout=30)
                assert (reply.status_code, said in reply.text) == (400, True), what
            assert (history.read_bytes() if history.exists() else b"") == before
            kept = http.post(
                f"{url}/api/decide", json={**include, "note": "line one\nline two"}, timeout=30
            )
            assert kept.status_code == 200, kept.text
    finally:
        stop_server(process)
    notes = {
        h["record"]: h["note"]
        for h in sheet_rows(directory, catalog.DECISION_HISTORY, TA, "ana.csv")
    }
    assert notes[record] == "line one\nline two"


def _check_files(directory: Path, acknowledged: dict[str, list[str]]) -> None:
    """Every acknowledged action in the history exactly once (and at most one more, which the
    server took but could not acknowledge), and each sheet the last decision the history holds
    per record, readable as the workflow reads it."""
    reasons = {"off_topic": {"label": "Off-topic", "phase": "both"}}
    for name, ids in acknowledged.items():
        history = sheet_rows(directory, catalog.DECISION_HISTORY, TA, f"{name}.csv")
        logged = [h["id"] for h in history]
        assert len(logged) == len(set(logged))
        assert set(ids) <= set(logged) and len(logged) - len(ids) <= 1  # one unacknowledged
        last = {h["record"]: h["decision"] for h in history}
        sheet = directory / catalog.DECISIONS / TA / f"{name}.csv"
        rows = read_sheet(sheet, TA, reasons, {r: r for r in last})
        assert {d.record_id: d.decision for d in rows} == last
