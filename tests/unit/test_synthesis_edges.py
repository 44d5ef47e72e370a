"""No number that is NaN, infinite or impossible leaves the synthesis: a study whose effect
cannot be computed is left out with its reason, and the synthesis gate names any number that
is not finite or not in range, with its analysis, group and study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from prismaflow.quality.synthesise import not_finite, out_of_range
from prismaflow.synthesise.groups import group_summary, pooled_estimates, study_effects
from prismaflow.synthesise.sensitivity import sensitivity_analyses
from prismaflow.synthesise.small_studies import small_study_effects
from prismaflow.synthesise.subgroups import subgroup_differences
from tests.reference.datasets import HACKSHAW, LI, NORMAND
from tests.unit.test_synthesise import one_analysis

CONTINUOUS = {
    role: role for role in ("mean", "sd", "total", "control_mean", "control_sd", "control_total")
}


def frame(studies, changes=None):
    table = pd.DataFrame(studies).rename(columns={"trial": "record_id"}).assign(year=2000)
    for (row, column), value in (changes or {}).items():
        table.loc[row, column] = value
    return table


def synthesis(studies, plan):
    summary = group_summary(studies, plan)
    pooled = pooled_estimates(studies, summary, plan)
    return (
        summary,
        pooled,
        {
            "pooled": pooled,
            "study_effects": study_effects(studies, summary, pooled, plan),
            "sensitivity": sensitivity_analyses(studies, summary, plan, {}),
            "small_studies": small_study_effects(studies, summary, plan),
            "subgroups": subgroup_differences(pooled, plan),
        },
    )


@pytest.mark.parametrize(
    ("measure", "changes", "reason"),
    [
        (
            "mean_difference",
            {(0, "sd"): 0, (0, "control_sd"): 0},
            "SD 0 in both arms: the mean difference has no variance",
        ),
        (
            "standardised_mean_difference",
            {(0, "sd"): 0, (0, "control_sd"): 0},
            "SD 0 in both arms: the standardised mean difference (Hedges' g) has no variance",
        ),
        ("mean_difference", {(0, "total"): 1}, "1 participant(s) in an arm: a standard deviation"),
        ("mean_difference", {(0, "sd"): -3}, "a negative standard deviation (-3)"),
    ],
)
def test_a_continuous_study_without_a_variance_is_left_out_with_its_reason(
    measure, changes, reason
):
    studies = frame(NORMAND, changes)
    plan = one_analysis("stay", measure, CONTINUOUS)
    summary, pooled, frames = synthesis(studies, plan)
    (left_out,) = summary["left_out"].iloc[0]
    assert left_out["record_id"] == "Edinburgh" and left_out["reason"].startswith(reason)
    assert pooled["studies"].tolist() == [8, 8]
    assert not_finite(frames) == [] and out_of_range(pooled, frames["study_effects"]) == []


@pytest.mark.parametrize(
    ("roles", "changes", "reason"),
    [
        (("estimate", "se"), {(0, "se"): 0.0}, "standard error 0: not positive"),
        (
            ("estimate", "ci_low", "ci_high"),
            {(0, "ci_low"): 2.0},
            "the interval [2, 1.54] is empty",
        ),
        (
            ("estimate", "ci_low", "ci_high"),
            {(0, "ci_low"): 0.0},
            "a ratio and its interval must be positive (0)",
        ),
        (
            ("estimate", "ci_low", "ci_high"),
            {(0, "estimate"): 1.6},
            "the estimate 1.6 lies outside its interval [0.9, 1.54]",
        ),
    ],
)
def test_an_effect_as_published_that_cannot_be_pooled_is_left_out(roles, changes, reason):
    studies = frame(HACKSHAW, changes)
    plan = one_analysis("lung cancer", "generic_ratio", {role: role for role in roles})
    summary, pooled, frames = synthesis(studies, plan)
    assert summary["left_out"].iloc[0] == [{"record_id": "Garfinkel 1981", "reason": reason}]
    assert pooled["studies"].tolist() == [36, 36] and not_finite(frames) == []


def test_risk_differences_over_zero_and_double_zero_cells_are_finite_everywhere():
    """The defect of the first team that pooled risk differences: a report reading
    'REML: , prediction interval , I² , τ² 0.0000' and a forest plot of 0 % weights."""
    zeros = [{**study, "events": 0, "control_events": 0} for study in LI[:5]]
    data = {r: r for r in ("events", "total", "control_events", "control_total")}
    for studies in (frame(LI), frame(zeros)):
        plan = one_analysis("death", "risk_difference", data)
        _, pooled, frames = synthesis(studies, plan)
        assert len(pooled) == 2 and not_finite(frames) == []
        assert out_of_range(pooled, frames["study_effects"]) == []
        assert frames["study_effects"]["weight"].sum() == pytest.approx(1)


def test_the_gate_names_every_number_that_is_not_finite_or_not_in_range():
    plan = one_analysis("stay", "mean_difference", CONTINUOUS)
    studies = frame(NORMAND)
    _, pooled, frames = synthesis(studies, plan)
    pooled.loc[pooled["method"] == "REML", "i2"] = np.nan
    pooled.loc[pooled["method"] == "DL", "tau2"] = -0.5
    frames["study_effects"].loc[2, "weight"] = np.inf
    assert not_finite(frames) == [
        "pooled main all studies REML i2=nan",
        "study_effects main all studies Orpington-Moderate weight=inf",
    ]
    problems = out_of_range(pooled, frames["study_effects"])
    assert "pooled main all studies DL tau2=-0.5" in problems
    assert any(p.startswith("study_effects main all studies: weights sum to") for p in problems)
