"""Risk of bias: the tools' overall algorithms, reviewers' sheets read row by row and settled
(agreement, disagreement, adjudication, reviewers still to come), the sheet the workflow
writes read back as a reviewer's, and the figures."""

import pandas as pd
import pytest

from prismaflow.appraise.assessments import (
    read_sheets,
    settle,
    unexplained_changes,
)
from prismaflow.appraise.figures import summary_plot, traffic_light
from prismaflow.appraise.stage import designs, write_bias_sheet
from prismaflow.appraise.tools import TOOLS
from prismaflow.sheets import AWAITING, CONFLICT, SETTLED

ROB2, ROBINS = TOOLS["rob2"], TOOLS["robins_i"]
TOOLS_BY_DESIGN = {"randomised controlled trial": "rob2", "case report": "jbi_case_report"}
STUDIES = pd.DataFrame(
    {
        "record_id": ["pubmed:1", "pubmed:2", "pubmed:3"],
        "study_design": ["randomised controlled trial", "case report", "cohort study"],
        "first_author": ["Smith", "Jones", "Brown"],
        "year": [2020, 2021, 2022],
        "journal": ["J A", "J B", "J C"],
    }
)
INDEX = {
    "pubmed:1": "pubmed:1",
    "pubmed:2": "pubmed:2",
    "pubmed:3": "pubmed:3",
    "10.1/x": "pubmed:1",
}


def domains(tool, judgement):
    return dict.fromkeys(tool.domain_ids, judgement)


@pytest.mark.parametrize(
    ("judged", "overall"),
    [
        (domains(ROB2, "low"), "low"),
        ({**domains(ROB2, "low"), "D3": "some concerns"}, "some concerns"),
        ({**domains(ROB2, "some concerns"), "D5": "high"}, "high"),
        ({**domains(ROB2, "low"), "D2": None}, None),  # not complete: no proposal
    ],
)
def test_rob2_overall_is_the_worst_domain(judged, overall):
    assert ROB2.proposed_overall(judged) == overall


def test_robins_i_overall_is_the_most_severe_domain_or_no_information():
    assert ROBINS.proposed_overall({**domains(ROBINS, "low"), "D1": "moderate"}) == "moderate"
    assert ROBINS.proposed_overall({**domains(ROBINS, "moderate"), "D7": "critical"}) == "critical"
    lacking = {**domains(ROBINS, "low"), "D5": "no information"}
    assert ROBINS.proposed_overall(lacking) == "no information"
    assert ROBINS.proposed_overall({**lacking, "D1": "serious"}) == "serious"


def test_checklists_leave_the_overall_to_reviewers_and_count_items_met():
    checklist = TOOLS["jbi_case_report"]
    answers = {**domains(checklist, "yes"), "Q2": "no", "Q7": "not applicable"}
    assert checklist.proposed_overall(answers) is None
    assert checklist.items_met(answers) == "6 of 7 items met"


def sheet(tmp_path, name, rows):
    path = tmp_path / f"{name}.csv"
    lines = ["record_id,domain,judgement,support", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def both_reviewers(tmp_path, ben_d1="low"):
    rows = [("pubmed:1", d, "low", "") for d in ROB2.domain_ids]
    ana = sheet(tmp_path, "ana", rows)
    ben = sheet(tmp_path, "ben", [("10.1/x", "D1", ben_d1, "no allocation concealment"), *rows[1:]])
    return [ana, ben]


def test_two_agreeing_reviewers_settle_each_domain_and_the_algorithm_gives_the_overall(tmp_path):
    read = read_sheets(both_reviewers(tmp_path), designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assessed = settle(designs(STUDIES), TOOLS_BY_DESIGN, read, 2)
    trial = assessed[assessed["record_id"] == "pubmed:1"].set_index("domain")
    assert (trial["status"] == SETTLED).all() and trial.loc["D1", "decided_by"] == "ana+ben"
    assert trial.loc["overall", ["judgement", "decided_by"]].tolist() == ["low", "algorithm"]
    # The case report's checklist waits for two reviewers; the cohort study has no tool.
    report = assessed[assessed["record_id"] == "pubmed:2"]
    assert (report["status"] == AWAITING).all() and len(report) == 9
    assert "pubmed:3" not in set(assessed["record_id"])


def test_a_disagreement_stays_open_until_the_adjudicator_settles_it(tmp_path):
    paths = both_reviewers(tmp_path, ben_d1="high")
    assessed = settle(
        designs(STUDIES),
        TOOLS_BY_DESIGN,
        read_sheets(paths, designs(STUDIES), TOOLS_BY_DESIGN, INDEX),
        2,
    ).set_index(["record_id", "domain"])
    assert assessed.loc[("pubmed:1", "D1"), "status"] == CONFLICT
    assert assessed.loc[("pubmed:1", "D1"), "reviewers"] == "ana=low; ben=high"
    assert assessed.loc[("pubmed:1", "overall"), "status"] == AWAITING  # no proposal yet
    paths.append(sheet(tmp_path, "adjudication", [("pubmed:1", "D1", "some concerns", "both")]))
    read = read_sheets(paths, designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assessed = settle(designs(STUDIES), TOOLS_BY_DESIGN, read, 2).set_index(["record_id", "domain"])
    assert assessed.loc[("pubmed:1", "D1"), ["judgement", "decided_by"]].tolist() == [
        "some concerns",
        "adjudication",
    ]
    assert assessed.loc[("pubmed:1", "overall"), "judgement"] == "some concerns"


def test_an_overall_changed_from_the_algorithm_needs_a_reason(tmp_path):
    paths = both_reviewers(tmp_path)
    paths.append(sheet(tmp_path, "adjudication", [("pubmed:1", "overall", "high", "")]))
    read = read_sheets(paths, designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assessed = settle(designs(STUDIES), TOOLS_BY_DESIGN, read, 2)
    assert unexplained_changes(assessed) == [
        "pubmed:1: high where RoB 2 (randomised trials) gives low"
    ]
    paths[-1] = sheet(
        tmp_path, "adjudication", [("pubmed:1", "overall", "high", "several concerns")]
    )
    read = read_sheets(paths, designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assert unexplained_changes(settle(designs(STUDIES), TOOLS_BY_DESIGN, read, 2)) == []


def test_rows_that_do_not_fit_are_problems_with_file_and_line(tmp_path):
    path = sheet(
        tmp_path,
        "ana",
        [
            ("pubmed:1", "D9", "low", ""),
            ("pubmed:1", "D1", "lowish", ""),
            ("pubmed:9", "D1", "low", ""),
            ("pubmed:3", "D1", "low", ""),
            ("pubmed:1", "d2", "Low", ""),
            ("pubmed:1", "D2", "low", ""),
        ],
    )
    read = read_sheets([path], designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    found = [(p["line"], p["problem"]) for p in read.problems]
    assert found == [
        (2, "'D9' is not a domain of RoB 2 (randomised trials): D1, D2, D3, D4, D5 or overall"),
        (3, "'lowish' is not one of: low, some concerns, high"),
        (4, "'pubmed:9' is not an included study"),
        (5, "its design 'cohort study' has no tool under risk_of_bias.tools"),
        (7, "the study's domain is judged twice in this sheet"),
    ]
    # "d2" and "Low" are read as D2 and low.
    assert [v.value for v in read.judged["pubmed:1", "D2"]] == ["low"]


def test_the_sheet_the_workflow_writes_reads_back_as_a_reviewers(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "ana.xlsx"
    citations = {"pubmed:1": "Smith 2020, J A"}
    write_bias_sheet(STUDIES, TOOLS_BY_DESIGN, citations, path)
    book = load_workbook(path)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("record_id", "domain", "study") and len(rows) == 1 + 22 + 6 + 9
    assert [row[1] for row in rows[1:5]] == ["1.1", "1.2", "1.3", "D1"]  # questions first
    assert all(row[7] is None for row in rows[1:])  # no judgement given for the reviewer
    answers = {"1.1": "Yes", "1.2": "py", "1.3": "No"}  # RoB 2's algorithm gives D1 low
    for row in book.active.iter_rows(min_row=2):
        if "." in row[1].value:
            row[7].value = answers.get(row[1].value)
            continue
        row[7].value = "yes" if row[4].value == "jbi_case_report" else "low"
        if row[1].value == "overall" and row[4].value == "jbi_case_report":
            row[7].value = "include"
    book.save(path)
    read = read_sheets([path], designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assert read.problems == []
    assert ("pubmed:1", "1.1") not in read.judged  # answers are not judgements
    assessed = settle(designs(STUDIES), TOOLS_BY_DESIGN, read, 1)
    assert (assessed["status"] == SETTLED).all()
    overall = assessed[assessed["domain"] == "overall"].set_index("record_id")
    assert overall.loc["pubmed:2", "items_met"] == "8 of 8 items met"


def test_figures_draw_a_panel_per_tool(tmp_path):
    read = read_sheets(both_reviewers(tmp_path), designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assessed = settle(designs(STUDIES), TOOLS_BY_DESIGN, read, 2)
    assert len(traffic_light(assessed, {}).axes) == 2
    assert len(summary_plot(assessed).axes) == 2
    assert len(traffic_light(assessed.iloc[:0], {}).texts) == 1  # says nothing was assessed


def test_a_row_without_a_judgement_is_not_judged_yet_and_one_without_a_domain_is_a_problem(
    tmp_path,
):
    path = sheet(tmp_path, "ana", [("pubmed:1", "D1", "", ""), ("pubmed:1", "", "low", "")])
    read = read_sheets([path], designs(STUDIES), TOOLS_BY_DESIGN, INDEX)
    assert [(p["line"], p["problem"]) for p in read.problems] == [
        (3, "names no study (record_id) or no domain")
    ]
    assert not read.judged
