"""The report opened in a real browser (headless Chromium from Debian, driven by Playwright):
the diagram and tables render, every image decodes, nothing fails to load."""

from __future__ import annotations

import pytest

from prismaflow import catalog
from prismaflow.parquet_io import read_frame
from tests.integration.browser import QUIET, installed_chromium

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_report_in_browser")]


@pytest.fixture(scope="module")
def rendered(finished_run):
    playwright = pytest.importorskip("playwright.sync_api")
    browser_path = installed_chromium()
    report = finished_run / "results" / "report" / "review.html"
    failures: list[str] = []
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(browser_path), args=QUIET)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("requestfailed", lambda r: failures.append(f"failed: {r.url[:80]}"))
        page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status}: {r.url}"))
        page.on("console", lambda m: m.type == "error" and failures.append(f"console: {m.text}"))
        page.goto(report.as_uri(), wait_until="load")
        found = page.evaluate(
            """() => ({
                images: [...document.images].map(i => [i.id || i.alt, i.complete, i.naturalWidth]),
                diagram: (() => { const s = document.querySelector('#prisma-diagram svg');
                                  const b = s && s.getBoundingClientRect();
                                  return b ? [b.width, b.height] : null; })(),
                diagramText: document.querySelector('#prisma-diagram').textContent,
                evidenceRows: document.querySelectorAll('#evidence-table tbody tr').length,
                countRows: document.querySelectorAll('#prisma-counts tbody tr').length,
                groupRows: document.querySelectorAll('#groups-response tbody tr').length,
                banner: document.querySelector('#machine-banner')?.innerText ?? null,
            })"""
        )
        screenshot = finished_run / "results" / "report" / "review.png"
        page.screenshot(path=str(screenshot), full_page=True)
        # As printed: A4 landscape less its margins is 273 mm, about 1032 CSS pixels.
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 1032, "height": 900})
        found["printed"] = page.evaluate(
            """() => [...document.querySelectorAll('table')].map(t => ({
                id: t.id || t.closest('section').id,
                overflow: t.scrollWidth - t.parentElement.clientWidth,
                hidden: [...t.querySelectorAll('th, td')].filter(
                    c => c.getBoundingClientRect().right > document.body.clientWidth + 1).length,
            }))"""
        )
        found["headers"] = page.evaluate(
            "() => [...document.querySelectorAll('#evidence-table thead th')].map(h => h.innerText)"
        )
        pdf = finished_run / "results" / "report" / "review.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
        browser.close()
    return found, failures, screenshot, pdf


def test_report_renders_with_no_failed_loads(rendered):
    found, failures, screenshot, _ = rendered
    assert failures == []
    assert found["images"] and all(done and width > 0 for _, done, width in found["images"])
    width, height = found["diagram"]
    assert width > 400 and height > 200
    assert screenshot.stat().st_size > 50_000


def test_rendered_numbers_are_the_artifacts(rendered, finished_run):
    found, _, _, _ = rendered
    results = finished_run / "results"
    studies = read_frame(catalog.under(results, "studies"))
    counts = read_frame(catalog.under(results, "prisma"))
    groups = read_frame(catalog.under(results, "groups"))
    assert found["evidenceRows"] == len(studies)
    assert found["countRows"] == len(counts)
    assert found["groupRows"] == len(groups)
    screened = int(counts.loc[counts["box"] == "screened", "count"].sum())
    assert f"Records screened (n = {screened})" in found["diagramText"].replace("\xa0", " ")
    decisions = read_frame(catalog.under(results, "decisions"))
    machine = int((decisions["decided_by"] == "model").sum())
    assert f"{machine} screening decisions" in found["banner"]


def test_printed_report_keeps_every_table_whole_on_a4_landscape(rendered):
    """Printing used to cut the evidence table after 6 of its 17 columns."""
    from pypdf import PdfReader

    found, _, _, pdf = rendered
    assert found["printed"] and all(
        t["overflow"] <= 1 and t["hidden"] == 0 for t in found["printed"]
    ), [t for t in found["printed"] if t["overflow"] > 1 or t["hidden"]]
    reader = PdfReader(pdf)
    first = reader.pages[0].mediabox
    assert float(first.width) > float(first.height)  # landscape, from the report's @page
    text = " ".join(page.extract_text() for page in reader.pages)
    words = " ".join(text.split())
    for header in found["headers"]:  # every column of the evidence table is printed
        assert " ".join(header.split()).split(" ")[0] in words, header
    assert "PRISMA 2020 and PRISMA-S checklists" in words
