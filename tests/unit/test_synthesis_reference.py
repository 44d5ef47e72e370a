"""The synthesis reproduces metafor on published data (tests/reference/): estimate, interval,
tau², I², Q and the prediction interval of every measure, with zero and double-zero cells,
Freeman-Tukey proportions and effects as published; the test for subgroup differences,
leave-one-out and Egger's test. The reference values were computed by
tests/reference/metafor_reference.R from the cases in tests/reference/cases.py."""

from __future__ import annotations

import pandas as pd
import pytest

from prismaflow.synthesise.groups import group_summary, pooled_estimates
from prismaflow.synthesise.plan import LEAVE_ONE_OUT, Plan
from prismaflow.synthesise.sensitivity import sensitivity_analyses
from prismaflow.synthesise.small_studies import small_study_effects
from prismaflow.synthesise.subgroups import subgroup_differences
from tests.reference.cases import ALL_CASES, CASES, CASES_FILE, cases_text, expected

EXPECTED = expected()
BY_KIND = {kind: [c for c in CASES if c["kind"] == kind] for kind in {c["kind"] for c in CASES}}
# REML is solved iteratively by both: to 1e-10 here, to metafor's own tolerance there.
CLOSE = {"rel": 2e-5, "abs": 1e-7}


def test_the_cases_are_those_the_reference_was_computed_for():
    """Change a case, and its metafor values must be computed again (see cases.py)."""
    assert CASES_FILE.read_text(encoding="utf-8") == cases_text(ALL_CASES)
    assert set(EXPECTED) == {c["id"] for c in ALL_CASES}


def studies_of(case) -> pd.DataFrame:
    """The case's data as an extraction would hold it: one row per study, a field per role."""
    frame = pd.DataFrame({"record_id": case["trials"], **case["data"]})
    frame["year"] = 2000
    if "groups" in case:
        frame[case["group_by"]] = case["groups"]
    return frame


def plan_of(case) -> Plan:
    return Plan.from_config(
        {
            "analyses": [
                {
                    "id": case["id"],
                    "outcome": case["dataset"],
                    "measure": case["measure"],
                    "data": {role: role for role in case["data"]},
                    "proportion_scale": case["transform"],
                    "double_zero": case["double_zero"],
                    "group_by": case.get("group_by"),
                    "groups": [],
                }
            ],
            "describe_by": [],
            "min_studies": 2,
            "pooling": {
                "method": case["method"],
                "hartung_knapp": case["hartung_knapp"],
                "exclude_designs": [],
                "min_participants": 1,
            },
        }
    )


def synthesised(case):
    studies, plan = studies_of(case), plan_of(case)
    summary = group_summary(studies, plan)
    return studies, plan, summary, pooled_estimates(studies, summary, plan)


@pytest.mark.parametrize("case", BY_KIND["pool"], ids=lambda c: c["id"])
def test_pooled_estimates_are_metafors(case):
    _, _, summary, pooled = synthesised(case)
    (row,) = pooled[pooled["primary"]].to_dict("records")
    reference = EXPECTED[case["id"]]
    for name, value in reference.items():
        assert row[name] == pytest.approx(value, **CLOSE), name
    assert summary["studies_pooled"].iloc[0] == reference["studies"]


def test_a_double_zero_trial_is_kept_corrected_or_dropped_with_its_reason():
    kept = EXPECTED["li_rd_reml"]["studies"]
    (drop,) = [c for c in CASES if c["id"] == "li_rd_drop_reml"]
    _, _, summary, _ = synthesised(drop)
    assert summary["studies_pooled"].iloc[0] == kept - 1 == EXPECTED[drop["id"]]["studies"]
    assert summary["left_out"].iloc[0] == [
        {
            "record_id": "no deaths (added)",
            "reason": "no participant had the event in both arms "
            "(dropped: synthesis.analyses[].double_zero)",
        }
    ]


@pytest.mark.parametrize("case", BY_KIND["subgroups"], ids=lambda c: c["id"])
def test_the_test_for_subgroup_differences_is_metafors(case):
    _, plan, _, pooled = synthesised(case)
    (row,) = subgroup_differences(pooled, plan).to_dict("records")
    for name, value in EXPECTED[case["id"]].items():
        assert row[name] == pytest.approx(value, **CLOSE), name


@pytest.mark.parametrize("case", BY_KIND["leave_one_out"], ids=lambda c: c["id"])
def test_leave_one_out_is_metafors(case):
    studies, plan, summary, _ = synthesised(case)
    refits = sensitivity_analyses(studies, summary, plan, {})
    refits = refits[refits["sensitivity"] == LEAVE_ONE_OUT].set_index(
        refits["omitted"].map(lambda omitted: omitted[0])
    )
    for reference in EXPECTED[case["id"]]:
        row = refits.loc[case["trials"][reference["omitted"] - 1]]
        for name in ("theta", "theta_se", "tau2", "i2", "q"):
            assert row[name] == pytest.approx(reference[name], **CLOSE), name


@pytest.mark.parametrize("case", BY_KIND["egger"], ids=lambda c: c["id"])
def test_eggers_test_is_metafors_regtest(case):
    studies, plan, summary, _ = synthesised(case)
    (row,) = small_study_effects(studies, summary, plan).to_dict("records")
    assert row["tested"]
    for name, value in EXPECTED[case["id"]].items():
        assert row[name] == pytest.approx(value, **CLOSE), name
