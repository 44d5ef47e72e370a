"""The HTML report: self-contained, every section present, and the machine-content banner shown
exactly when decisions or values were machine-made."""

import datetime as dt
import re

import pandas as pd
import pytest

from prismaflow.appraise.assessments import RISK_OF_BIAS_SCHEMA
from prismaflow.report.build import Artifacts, machine_made, render_report, report_context
from prismaflow.synthesise.certainty import CERTAINTY_SCHEMA
from prismaflow.synthesise.evidence import evidence_table
from prismaflow.synthesise.figures import publications_per_year
from prismaflow.synthesise.groups import group_summary, pooled_estimates
from prismaflow.synthesise.prisma_diagram import save_prisma
from prismaflow.synthesise.sensitivity import SENSITIVITY_SCHEMA
from prismaflow.synthesise.small_studies import SMALL_STUDIES_SCHEMA
from prismaflow.synthesise.subgroups import SUBGROUPS_SCHEMA
from tests.unit.test_synthesise import COUNTS, FORM, PLAN, STUDIES

SEARCH_LOG = pd.DataFrame(
    [
        {
            "source": "pubmed",
            "query_id": "q1",
            "query": "ruxolitinib AND <skin>",
            "query_translation": '"ruxolitinib"[All Fields]',
            "window_start": None,
            "window_end": "2024-09-30",
            "reported_count": 22,
            "retrieved_count": 22,
            "requests": 2,
            "started_at": "2024-10-01T09:00:00Z",
            "finished_at": "2024-10-01T09:00:05Z",
            "api": "NCBI E-utilities",
            "mode": "snapshot",
            "raw_files": ["pubmed/q1/esearch.xml.gz"],
            "raw_sha256": ["ab" * 32],
        }
    ]
)


RECORDS = pd.DataFrame(
    {
        "record_id": ["a", "b", "f"],
        "authors": [
            ["Smith J", "Roe B", "Doe A", "Poe C", "Loe D", "Moe E", "Zoe F"],
            ["Doe A"],
            [],
        ],
        "title": ["A <b>bold</b> trial.", "A second trial", "Comment"],
        "journal": ["J Clin Epidemiol", "BMJ", None],
        "journal_abbrev": [None, None, None],
        "year": [2020, 2021, None],
        "volume": ["12", "3", None],
        "issue": ["4", None, None],
        "pages": ["100-9", "e12", None],
        "doi": ["10.1/x", None, None],
    }
)


def test_references_are_vancouver_and_excluded_full_texts_carry_their_reasons(config, tmp_path):
    html = render(config, artifacts(tmp_path, ["alice", "alice"], None))
    assert (
        "Smith J, Roe B, Doe A, Poe C, Loe D, Moe E, et al. A &lt;b&gt;bold&lt;/b&gt; trial. "
        "J Clin Epidemiol. 2020;12(4):100-9. doi:10.1/x"
    ) in html
    assert "Doe A. A second trial. BMJ. 2021;3:e12." in html
    assert (
        "[No authors listed]. Comment. n.d.</td><td>Wrong design</td><td>alice</td><td>a commentary"
        in html
    )


def artifacts(tmp_path, decided_by, by):
    studies = STUDIES.assign(n_patients_by=by)
    summary = group_summary(studies, PLAN)
    figure = tmp_path / "figure.png"
    publications_per_year(studies).savefig(figure)
    save_prisma(COUNTS, tmp_path / "prisma.svg", tmp_path / "prisma.png")
    decisions = pd.DataFrame(
        {
            "record_id": ["a", "f"],
            "phase": ["full_text", "full_text"],
            "decision": ["include", "exclude"],
            "reason": [None, "wrong_design"],
            "reason_label": [None, "Wrong design"],
            "decided_by": decided_by,
            "note": [None, "a commentary"],
        }
    )
    return Artifacts(
        search_log=SEARCH_LOG,
        records=RECORDS,
        prisma=COUNTS,
        decisions=decisions,
        agreement=pd.DataFrame(columns=["phase", "reviewer_a", "reviewer_b"]),
        studies=studies,
        evidence=evidence_table(studies, PLAN, FORM),
        groups=summary,
        pooled=pooled_estimates(studies, summary, PLAN),
        subgroups=pd.DataFrame(columns=SUBGROUPS_SCHEMA.names),
        sensitivity=pd.DataFrame(columns=SENSITIVITY_SCHEMA.names),
        small_studies=pd.DataFrame(columns=SMALL_STUDIES_SCHEMA.names),
        risk_of_bias=pd.DataFrame(columns=RISK_OF_BIAS_SCHEMA.names),
        certainty=pd.DataFrame(columns=CERTAINTY_SCHEMA.names),
        prisma_svg=tmp_path / "prisma.svg",
        figures=dict.fromkeys(
            ("evidence_map", "per_year", "traffic_light", "bias_summary"), figure
        ),
        analysis_figures={"response": {"forest": figure, "funnel": figure}},
        files={"figure": figure},
    )


def render(config, made):
    return render_report(report_context(config, made, now=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)))


def test_machine_made_counts_decisions_and_values(tmp_path):
    made = artifacts(tmp_path, ["model", "alice"], ["machine", "alice", None, None, None, None])
    assert machine_made(made.decisions, made.studies) == {
        "decisions": 1,
        "records": 1,
        "extracted_values": 1,
        "studies": 1,
    }


@pytest.mark.parametrize("machine", [True, False])
def test_banner_appears_exactly_when_content_is_machine_made(config, tmp_path, machine):
    made = artifacts(
        tmp_path,
        ["model", "alice"] if machine else ["alice", "rule"],
        "machine" if machine else "alice",
    )
    html = render(config, made)
    assert ('id="machine-banner"' in html) is machine
    if machine:
        banner = html[html.index('id="machine-banner"') : html.index("</div>")]
        assert "1 screening decisions on 1 records" in banner
        assert f"{len(STUDIES)} extracted values in {len(STUDIES)} studies" in banner


def test_report_is_self_contained_and_has_every_section(config, tmp_path):
    html = render(config, artifacts(tmp_path, ["model", "model"], "machine"))
    for section in ("protocol", "search", "prisma", "agreement", "evidence", "synthesis"):
        assert f'<section id="{section}">' in html
    assert '<section id="figures">' in html and '<section id="provenance">' in html
    # Nothing to fetch: images are data URIs, the diagram is inline SVG, no scripts or links out.
    assert not re.search(r'(src|href)="(?!data:|#)', html)
    assert "<script" not in html and html.count("<svg") == 1
    # Text from the artifacts is escaped, never markup.
    assert "ruxolitinib AND &lt;skin&gt;" in html
    assert "Report generated</th><td>2026-01-02 00:00 UTC" in html
    assert "Not pooled: 0 of 1 studies can be pooled" in html
    assert "c: case report: described, not pooled" in html  # named, with the reason
    # alopecia, 13 of 18 patients across two studies: REML first, DL only if it differs.
    assert "REML: 72% [" in html and "prediction interval [" in html


def test_a_stop_by_the_stopping_criterion_is_stated_with_its_figures(config, tmp_path):
    made = artifacts(tmp_path, ["stopping", "alice"], "alice")
    statement = "hypergeometric stopping criterion (Callaghan & Müller-Hansen 2020) met: p = 0.01"
    made.decisions.loc[made.decisions["decided_by"] == "stopping", "note"] = statement
    made.decisions.loc[made.decisions["decided_by"] == "stopping", "reason_label"] = "Unscreened"
    html = render(config, made)
    stated = html[html.index('id="stopped-screening"') :][:600]
    assert "1 records no reviewer" in stated and "Unscreened" in stated
    assert "Müller-Hansen 2020) met: p = 0.01" in stated
    assert 'id="stopped-screening"' not in render(
        config, artifacts(tmp_path, ["alice"] * 2, "alice")
    )


def test_the_checklists_point_at_sections_the_report_has_and_name_what_it_lacks(config, tmp_path):
    from prismaflow.report.checklist import PRISMA_2020, PRISMA_S

    numbers = [item.number for item in PRISMA_2020]
    assert len(set(numbers)) == len(numbers) == 42  # PRISMA 2020: 27 items, 42 with sub-items
    assert {int(n.rstrip("abcdef")) for n in numbers} == set(range(1, 28))
    assert [item.number for item in PRISMA_S] == [str(n) for n in range(1, 17)]
    html = render(config, artifacts(tmp_path, ["model", "model"], "machine"))
    table = html[html.index('id="prisma-2020-checklist"') :]
    for anchor in set(re.findall(r'href="#([\w-]+)"', table)):
        assert f'id="{anchor}"' in html, anchor
    item_11 = re.search(r"<td>11</td>.*?</tr>", table, re.S).group(0)
    assert "no risk-of-bias tool" in item_11
    with_tools = {
        **config,
        "risk_of_bias": {"tools": {"case report": "jbi_case_report"}, "reviewers": 2},
    }
    table = render(with_tools, artifacts(tmp_path, ["model", "model"], "machine"))
    table = table[table.index('id="prisma-2020-checklist"') :]
    assert 'href="#risk-of-bias"' in re.search(r"<td>11</td>.*?</tr>", table, re.S).group(0)
