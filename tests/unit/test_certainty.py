"""GRADE: what the machine proposes for each domain from the data, how reviewers' ratings
settle it, and the certainty that follows."""

import pandas as pd
import pytest

from prismaflow.sheets import Verdict
from prismaflow.synthesise.certainty import (
    BY_MACHINE,
    DOMAINS,
    level,
    propose,
    read_ratings,
    start_level,
    summary_of_findings,
    unexplained_changes,
)
from prismaflow.synthesise.groups import group_summary, pooled_estimates
from tests.unit.test_synthesise import BCG, bcg_plan, bcg_studies

PLAN = bcg_plan()
ANALYSIS = PLAN.primary
POOLED_GROUPS = [("main", "all studies")]
STUDIES = bcg_studies().assign(study_design="randomised controlled trial")
GROUPS = group_summary(STUDIES, PLAN)
POOLED = pooled_estimates(STUDIES, GROUPS, PLAN)
PRIMARY = POOLED[POOLED["primary"]].iloc[0]


def proposal(**changes):
    pooled = {**PRIMARY.to_dict(), **changes}
    group = GROUPS.iloc[0].to_dict()
    return propose(ANALYSIS, group, pooled, ["low"] * 13, 13)


def test_the_bcg_trials_are_inconsistent_but_precise():
    """metafor's dat.bcg: I² 92 %, RR 0.49 [0.34, 0.70], 357,347 participants."""
    proposed = proposal()
    # Its prediction interval, [0.14, 1.70], crosses 1 too.
    assert proposed["inconsistency"] == (
        "very serious",
        "I² 92%, prediction interval crosses the null",
    )
    assert proposed["imprecision"][0] == "not serious"
    assert proposed["risk_of_bias"] == ("not serious", "13 of 13 studies at low risk of bias")
    assert proposed["publication_bias"][0] == "not serious"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"i2": 0.3, "pi_low": 0.3, "pi_high": 0.8}, "not serious"),
        ({"i2": 0.6}, "serious"),
        # A prediction interval that crosses 1 where the confidence interval does not.
        ({"i2": 0.3, "pi_low": 0.8, "pi_high": 1.3}, "serious"),
    ],
)
def test_inconsistency_follows_i2_and_the_prediction_interval(changes, expected):
    assert proposal(**changes)["inconsistency"][0] == expected


def test_imprecision_counts_the_interval_and_the_information_size():
    group = {**GROUPS.iloc[0].to_dict(), "events": 40, "control_events": 50}
    wide = {**PRIMARY.to_dict(), "ci_low": 0.7, "ci_high": 1.2}
    assert propose(ANALYSIS, group, wide, ["low"], 1)["imprecision"] == (
        "very serious",
        "the interval crosses the null; 90 events (fewer than 300)",
    )


def test_risk_of_bias_follows_the_studies_overall_judgements():
    group, pooled = GROUPS.iloc[0].to_dict(), PRIMARY.to_dict()
    assert propose(ANALYSIS, group, pooled, ["high", "high", "low"], 3)["risk_of_bias"][0] == (
        "very serious"
    )
    assert (
        propose(ANALYSIS, group, pooled, ["high", "low", "low"], 3)["risk_of_bias"][0] == "serious"
    )
    assert propose(ANALYSIS, group, pooled, [None, "low"], 2)["risk_of_bias"] == (
        "serious",
        "risk of bias not assessed for 1 of 2 studies",
    )


def test_certainty_starts_by_design_and_drops_a_level_per_concern():
    assert (
        start_level(["randomised controlled trial"] * 2, ["randomised controlled trial"]) == "high"
    )
    assert (
        start_level(
            ["randomised controlled trial", "cohort study"], ["randomised controlled trial"]
        )
        == "low"
    )
    assert level("high", ["serious", "not serious", "very serious"]) == "very low"
    assert level("high", ["serious"] + ["not serious"] * 4) == "moderate"


def test_reviewers_confirm_change_with_a_reason_or_disagree(tmp_path):
    bias = pd.DataFrame(
        {"record_id": STUDIES["record_id"], "domain": "overall", "judgement": "low"}
    )
    sheet = tmp_path / "ana.csv"
    sheet.write_text(
        "group,domain,rating,reason\n"
        "all studies,inconsistency,serious,the trials differ in latitude; explained\n"
        "all studies,Indirectness,not serious,\n"
        "all studies,imprecision,serious,\n"
        "nowhere,imprecision,serious,\n"
    )
    ratings = read_ratings([sheet], POOLED_GROUPS)
    assert [p["line"] for p in ratings.problems] == [5]
    sof = summary_of_findings(
        PLAN, GROUPS, POOLED, STUDIES, bias, ratings, ["randomised controlled trial"]
    )
    by = sof.set_index("domain")
    assert by.loc["inconsistency", ["rating", "decided_by"]].tolist() == ["serious", "ana"]
    assert by.loc["publication_bias", "decided_by"] == BY_MACHINE
    assert unexplained_changes(sof) == [
        "main all studies imprecision: serious where not serious was proposed"
    ]
    assert by.loc["certainty", "rating"] == "low"  # high, less inconsistency and imprecision
    ratings.rated["main", "all studies", "indirectness"].append(
        Verdict("ben", "serious", "adults only")
    )
    sof = summary_of_findings(
        PLAN, GROUPS, POOLED, STUDIES, bias, ratings, ["randomised controlled trial"]
    )
    by = sof.set_index("domain")
    assert by.loc["indirectness", "status"] == "conflict" and pd.isna(by.loc["certainty", "rating"])
    assert list(sof["domain"]) == [*DOMAINS, "certainty"]
    assert len(BCG) == sof["studies"].iloc[0]


def test_the_sheet_the_workflow_writes_reads_back_as_a_reviewers(tmp_path):
    from openpyxl import load_workbook

    from prismaflow.synthesise.certainty import write_certainty_sheet

    bias = pd.DataFrame(
        {"record_id": STUDIES["record_id"], "domain": "overall", "judgement": "low"}
    )
    proposed = summary_of_findings(
        PLAN,
        GROUPS,
        POOLED,
        STUDIES,
        bias,
        read_ratings([], POOLED_GROUPS),
        ["randomised controlled trial"],
    )
    path = tmp_path / "ana.xlsx"
    write_certainty_sheet(proposed, path)
    book = load_workbook(path)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(DOMAINS) and all(row[6] is None for row in rows[1:])
    assert rows[2][:4] == ("main", "all studies", "inconsistency", "very serious")
    for row in book.active.iter_rows(min_row=2):  # ana confirms every proposal
        row[6].value = row[3].value
    book.save(path)
    ratings = read_ratings([path], POOLED_GROUPS)
    assert ratings.problems == []
    confirmed = summary_of_findings(
        PLAN, GROUPS, POOLED, STUDIES, bias, ratings, ["randomised controlled trial"]
    )
    assert set(confirmed.loc[confirmed["domain"] != "certainty", "decided_by"]) == {"ana"}
    assert unexplained_changes(confirmed) == []
