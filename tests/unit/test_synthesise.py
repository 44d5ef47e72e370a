"""Synthesis: effect measures and pooling checked against hand computation and against
metafor's published results, group summaries under the protocol's plan, the evidence table and
the PRISMA diagram's boxes."""

import math

import numpy as np
import pandas as pd
import pytest

from prismaflow.extract.fields import field_specs
from prismaflow.quality.synthesise import prisma_identities
from prismaflow.synthesise.effects import (
    Outcome,
    comparative_effects,
    continuous_effects,
    logit_proportions,
    wilson_interval,
)
from prismaflow.synthesise.evidence import (
    evidence_fields,
    evidence_schema,
    evidence_table,
    shown_columns,
)
from prismaflow.synthesise.groups import group_summary, pooled_estimates, shown_estimates
from prismaflow.synthesise.plan import ALL_STUDIES, Plan
from prismaflow.synthesise.pooling import pool, reml_tau2
from prismaflow.synthesise.prisma import count_of, prisma_counts
from prismaflow.synthesise.prisma_diagram import diagram_boxes, save_prisma

# A worked example: four small studies of responders / patients.
RESPONDERS = [4, 9, 2, 12]
PATIENTS = [6, 12, 10, 15]
Z95 = 1.959963984540054

# metafor's dat.bcg (Colditz et al. 1994, JAMA 271:698-702): 13 trials of BCG vaccine against
# tuberculosis, as (TB cases, vaccinated, TB cases, not vaccinated).
BCG = [
    (4, 123, 11, 139),
    (6, 306, 29, 303),
    (3, 231, 11, 220),
    (62, 13598, 248, 12867),
    (33, 5069, 47, 5808),
    (180, 1541, 372, 1451),
    (8, 2545, 10, 629),
    (505, 88391, 499, 88391),
    (29, 7499, 45, 7277),
    (17, 1716, 65, 1665),
    (186, 50634, 141, 27338),
    (5, 2498, 3, 2341),
    (27, 16913, 29, 17854),
]


def hand_dersimonian_laird(x, n):
    """DerSimonian-Laird on logits, written out from the textbook formulas."""
    y = [math.log(a / (b - a)) for a, b in zip(x, n, strict=True)]
    v = [1 / a + 1 / (b - a) for a, b in zip(x, n, strict=True)]
    w = [1 / vi for vi in v]
    fixed = sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w)
    q = sum(wi * (yi - fixed) ** 2 for wi, yi in zip(w, y, strict=True))
    c = sum(w) - sum(wi**2 for wi in w) / sum(w)
    tau2 = max(0.0, (q - (len(y) - 1)) / c)
    w_star = [1 / (vi + tau2) for vi in v]
    mean = sum(wi * yi for wi, yi in zip(w_star, y, strict=True)) / sum(w_star)
    se = math.sqrt(1 / sum(w_star))
    return {
        "tau2": tau2,
        "q": q,
        "i2": max(0.0, (q - (len(y) - 1)) / q),
        "estimate": mean,
        "ci_low": mean - Z95 * se,
        "ci_high": mean + Z95 * se,
    }


def test_dersimonian_laird_agrees_with_hand_computation():
    expected = hand_dersimonian_laird(RESPONDERS, PATIENTS)
    (dl,) = [
        p
        for p in pool(*logit_proportions(np.array(RESPONDERS), np.array(PATIENTS)))
        if p.method == "DL"
    ]
    assert expected["tau2"] > 0  # the example is heterogeneous, so tau2 matters
    for name, value in expected.items():
        assert getattr(dl, name) == pytest.approx(value, abs=1e-6), name
    assert dl.studies == 4


def test_reml_solves_its_estimating_equation():
    y, v = logit_proportions(np.array(RESPONDERS), np.array(PATIENTS))
    tau2 = reml_tau2(y, v)
    w = 1 / (v + tau2)
    mu = np.sum(w * y) / np.sum(w)
    # d(REML log-likelihood)/d(tau2) is zero at the estimate (positive here, not truncated):
    # sum w^2 (y - mu)^2 = sum w - sum w^2 / sum w.
    score = np.sum(w**2 * (y - mu) ** 2) - np.sum(w) + np.sum(w**2) / np.sum(w)
    assert tau2 > 0 and score == pytest.approx(0, abs=1e-8)
    (reml,) = [p for p in pool(y, v) if p.method == "REML"]
    assert reml.tau2 == pytest.approx(tau2) and reml.ci_low < reml.estimate < reml.ci_high


def bcg_effects(measure):
    a, n1, c, n2 = (np.array(column, dtype=float) for column in zip(*BCG, strict=True))
    return comparative_effects(measure, a, n1, c, n2)


def test_log_risk_ratios_of_the_bcg_trials_match_metafor():
    """rma(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg), as metafor's
    documentation prints it: REML -0.7145 (SE 0.1798), CI [-1.0669, -0.3622], tau² 0.3132,
    I² 92.22 %, Q(12) 152.2330; method="DL": -0.7141 (SE 0.1787), tau² 0.3088, I² 92.12 %."""
    estimates = {p.method: p for p in pool(*bcg_effects("risk_ratio"))}
    reml, dl = estimates["REML"], estimates["DL"]
    assert (reml.estimate, reml.se) == pytest.approx((-0.7145, 0.1798), abs=5e-5)
    assert (reml.ci_low, reml.ci_high) == pytest.approx((-1.0669, -0.3622), abs=5e-5)
    assert reml.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert reml.i2 == pytest.approx(0.9222, abs=5e-5)
    assert reml.q == pytest.approx(152.2330, abs=5e-4)
    assert (dl.estimate, dl.se, dl.tau2) == pytest.approx((-0.7141, 0.1787, 0.3088), abs=5e-5)
    assert dl.i2 == pytest.approx(0.9212, abs=5e-5)
    assert bcg_plan().primary.outcome.back(reml.estimate) == pytest.approx(0.4894, abs=5e-5)


# metafor's dat.normand1999 (Normand 1999, Stat Med 18:321-359, Table VIII): length of stay (days)
# of stroke patients, specialised against routine care, as (n1, mean1, sd1, n2, mean2, sd2).
NORMAND = [
    (155, 55, 47, 156, 75, 64),
    (31, 27, 7, 32, 29, 4),
    (75, 64, 17, 71, 119, 29),
    (18, 66, 20, 18, 137, 48),
    (8, 14, 8, 13, 18, 11),
    (57, 19, 7, 52, 18, 4),
    (34, 52, 45, 33, 41, 34),
    (110, 21, 16, 183, 31, 27),
    (60, 30, 27, 52, 23, 20),
]


def normand_arms():
    return [np.array(column, dtype=float) for column in zip(*NORMAND, strict=True)]


def test_mean_differences_of_the_normand_trials_match_metafor():
    """metafor's test of its analysis example normand1999 (tests/testthat/
    test_analysis_example_normand1999.r), which compares with Normand's Tables VIII and IX: with
    the pooled SD in both arms, escalc(measure="MD") gives yi -20, -2, -55, -71, -4, 1, 11, -10,
    7 and vi 40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69; rma(method="DL")
    -14.10 [-24.45, -3.75], tau² 218.72; rma() (REML) -15.12 [-32.67, 2.43], tau² 685.20."""
    n1, m1, sd1, n2, m2, sd2 = normand_arms()
    pooled_sd = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / (n1 + n2 - 2))
    y, v = continuous_effects("mean_difference", m1, pooled_sd, n1, m2, pooled_sd, n2)
    assert y.tolist() == [-20, -2, -55, -71, -4, 1, 11, -10, 7]
    assert np.round(v, 2).tolist() == [40.59, 2.05, 15.28, 150.22, 20.19, 1.22, 95.38, 8.03, 20.69]
    estimates = {p.method: p for p in pool(y, v)}
    dl, reml = estimates["DL"], estimates["REML"]
    assert (dl.estimate, dl.ci_low, dl.ci_high, dl.tau2) == pytest.approx(
        (-14.10, -24.45, -3.75, 218.72), abs=5e-3
    )
    assert (reml.estimate, reml.ci_low, reml.ci_high, reml.tau2) == pytest.approx(
        (-15.12, -32.67, 2.43, 685.20), abs=5e-3
    )


def test_standardised_mean_differences_are_hedges_g_as_escalc_computes_it():
    """escalc(measure="SMD"): d over the pooled SD times the exact correction
    J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)), m = n1 + n2 - 2, and vi = 1/n1 + 1/n2 + g²/(2(n1+n2)).
    J is checked against its well-known approximation 1 - 3/(4m - 1)."""
    n1, m1, sd1, n2, m2, sd2 = normand_arms()
    g, v = continuous_effects("standardised_mean_difference", m1, sd1, n1, m2, sd2, n2)
    df = n1 + n2 - 2
    d = (m1 - m2) / np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
    exact = np.array([math.gamma(m / 2) / (math.sqrt(m / 2) * math.gamma((m - 1) / 2)) for m in df])
    assert g == pytest.approx(exact * d)
    assert exact == pytest.approx(1 - 3 / (4 * df - 1), abs=1e-3)
    assert v == pytest.approx(1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2)))
    # metafor's own test of escalc ("escalc() works correctly for measure='SMD/SMDH/ROM'"),
    # on the first four normand1999 studies, to its printed precision.
    assert np.round(g[:4], 4).tolist() == [-0.3552, -0.3479, -2.3176, -1.8880]
    assert np.round(v[:4], 4).tolist() == [0.0131, 0.0645, 0.0458, 0.1606]


def one_analysis(outcome, measure, data, describe_by=(), pooling=None, **analysis):
    """A plan of one analysis, written as a protocol would (defaults filled as the schema fills
    them)."""
    return Plan.from_config(
        {
            "analyses": [
                {
                    "id": "main",
                    "outcome": outcome,
                    "measure": measure,
                    "data": data,
                    "proportion_scale": "logit",
                    "double_zero": "keep",
                    "group_by": None,
                    "groups": [],
                    **analysis,
                }
            ],
            "describe_by": list(describe_by),
            "min_studies": 2,
            "pooling": pooling or POOLING,
        }
    )


def normand_plan(measure):
    return one_analysis(
        "length of stay",
        measure,
        {
            "mean": "stay",
            "sd": "stay_sd",
            "total": "n_specialised",
            "control_mean": "stay_routine",
            "control_sd": "stay_routine_sd",
            "control_total": "n_routine",
        },
    )


def test_a_continuous_plan_pools_what_the_form_reports_and_names_what_it_lacks():
    rows = [(f"s{i}", 1990 + i, *arms) for i, arms in enumerate(NORMAND)]
    columns = ["n_specialised", "stay", "stay_sd", "n_routine", "stay_routine", "stay_routine_sd"]
    studies = pd.DataFrame(rows, columns=["record_id", "year", *columns])
    studies.loc[0, "stay_sd"] = None  # a study that reports no SD cannot be pooled
    plan = normand_plan("mean_difference")
    summary = group_summary(studies, plan)
    row = summary.iloc[0]
    assert row["studies_with_data"] == 8 and pd.isna(row["events"])
    assert row["left_out"] == [
        {"record_id": "s0", "reason": f"reports no {' / '.join(plan.primary.outcome.data_fields)}"}
    ]
    assert row["participants"] == sum(n1 + n2 for n1, _, _, n2, _, _ in NORMAND)
    pooled = pooled_estimates(studies, summary, plan).set_index("method")
    n1, m1, sd1, n2, m2, sd2 = (a[1:] for a in normand_arms())
    expected = {
        p.method: p for p in pool(*continuous_effects("mean_difference", m1, sd1, n1, m2, sd2, n2))
    }
    assert pooled.loc["REML", "estimate"] == pytest.approx(expected["REML"].estimate)
    first = plan.primary.outcome.study_intervals(studies).iloc[0]
    assert first["estimate"] == pytest.approx(27 - 29) and first["ci_low"] < -2 < first["ci_high"]


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        ("odds_ratio", (-0.7474, -1.1242, -0.3706, 0.3663, 0.926455)),
        ("risk_difference", (-0.0071, -0.0101, -0.0040, 0.0000, 0.956596)),
    ],
)
def test_odds_ratios_and_risk_differences_of_the_bcg_trials_match_metafor(measure, expected):
    """metafor's tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (rma(method="DL")
    against Stata's metan): estimate, CI, tau² and I² to the printed precision."""
    dl = {p.method: p for p in pool(*bcg_effects(measure))}["DL"]
    estimate, low, high, tau2, i2 = expected
    assert (dl.estimate, dl.ci_low, dl.ci_high, dl.tau2) == pytest.approx(
        (estimate, low, high, tau2), abs=5e-5
    )
    assert dl.i2 == pytest.approx(i2, abs=5e-7)


# metafor's dat.raudenbush1985 (Raudenbush 1984; Raudenbush 2009, Table 16.2): 19 studies of
# teacher expectancy on pupils' IQ, as standardised mean differences and their variances.
RAUDENBUSH = (
    [0.03, 0.12, -0.14, 1.18, 0.26, -0.06, -0.02, -0.32, 0.27, 0.80, 0.54, 0.18, -0.02, 0.23],
    [0.0156, 0.0216, 0.0279, 0.1391, 0.1362, 0.0106, 0.0106, 0.0484, 0.0269, 0.0630, 0.0912],
)
RAUDENBUSH_Y = np.array([*RAUDENBUSH[0], -0.18, -0.06, 0.30, 0.07, -0.07])
RAUDENBUSH_V = np.array(
    [*RAUDENBUSH[1], 0.0497, 0.0835, 0.0841, 0.0253, 0.0279, 0.0193, 0.0088, 0.0303]
)


@pytest.mark.parametrize(
    ("hartung_knapp", "expected"),
    [
        # (method, tau², estimate, SE, CI low, CI high)
        (
            False,
            [
                ("DL", 0.0259, 0.0893, 0.0558, -0.0200, 0.1987),
                ("REML", 0.0188, 0.0837, 0.0516, -0.0175, 0.1849),
            ],
        ),
        (
            True,
            [
                ("DL", 0.0259, 0.0893, 0.0636, -0.0442, 0.2229),
                ("REML", 0.0188, 0.0837, 0.0616, -0.0457, 0.2131),
            ],
        ),
    ],
)
def test_the_hartung_knapp_interval_matches_metafor(hartung_knapp, expected):
    """metafor's tests/testthat/test_analysis_example_raudenbush2009.r (Table 16.3): the
    conventional and the Knapp & Hartung (test="knha") random-effects results, and the REML
    prediction interval [-0.2036, 0.3711], to 2e-4: ours ends at 0.37099, a difference that
    lies in digits of tau² below the 0.0188 both print."""
    found = {p.method: p for p in pool(RAUDENBUSH_Y, RAUDENBUSH_V, hartung_knapp)}
    for method, tau2, estimate, se, low, high in expected:
        p = found[method]
        assert (p.tau2, p.estimate, p.se, p.ci_low, p.ci_high) == pytest.approx(
            (tau2, estimate, se, low, high), abs=5e-5
        ), method
    if not hartung_knapp:
        assert (found["REML"].pi_low, found["REML"].pi_high) == pytest.approx(
            (-0.2036, 0.3711), abs=2e-4
        )


def test_odds_ratios_and_risk_differences_follow_their_formulas():
    (a, n1, c, n2) = BCG[0]
    y, v = comparative_effects("odds_ratio", *(np.array([x], float) for x in BCG[0]))
    assert y[0] == pytest.approx(math.log(a * (n2 - c) / ((n1 - a) * c)))
    assert v[0] == pytest.approx(1 / a + 1 / (n1 - a) + 1 / c + 1 / (n2 - c))
    y, v = comparative_effects("risk_difference", *(np.array([x], float) for x in BCG[0]))
    p1, p2 = a / n1, c / n2
    assert y[0] == pytest.approx(p1 - p2)
    assert v[0] == pytest.approx(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)


def test_a_zero_cell_adds_a_half_to_every_cell_of_that_study_only():
    y, v = comparative_effects(
        "risk_ratio", *(np.array(x, float) for x in ([0, 2], [10, 10], [3, 4], [10, 10]))
    )
    assert y[0] == pytest.approx(math.log((0.5 / 11) / (3.5 / 11)))
    assert v[0] == pytest.approx(1 / 0.5 - 1 / 11 + 1 / 3.5 - 1 / 11)
    assert y[1] == pytest.approx(math.log((2 / 10) / (4 / 10)))


def test_homogeneous_studies_have_no_between_study_variance():
    for estimate in pool(*logit_proportions(np.array([5, 10, 15.0]), np.array([10, 20, 30.0]))):
        assert estimate.tau2 == 0 and estimate.i2 == 0
        assert estimate.estimate == pytest.approx(0.0)


def test_continuity_correction_only_at_zero_or_all():
    y, v = logit_proportions(np.array([0, 3, 5.0]), np.array([5, 6, 5.0]))
    assert y[0] == pytest.approx(math.log(0.5 / 5.5)) and v[0] == pytest.approx(1 / 0.5 + 1 / 5.5)
    assert y[1] == pytest.approx(0.0) and v[1] == pytest.approx(2 / 3)
    assert y[2] == pytest.approx(math.log(5.5 / 0.5))


def test_wilson_interval_matches_the_closed_form():
    x, n, z = 4, 6, Z95
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert wilson_interval(x, n) == pytest.approx((centre - half, centre + half), abs=1e-9)
    low, high = wilson_interval(1, 1)
    assert 0 < low < 1 and high == pytest.approx(1.0)


def test_pooling_needs_two_studies():
    with pytest.raises(ValueError, match="at least two"):
        pool([0.1], [0.2])


def studies_frame(rows):
    columns = [
        "record_id",
        "first_author",
        "year",
        "journal",
        "doi",
        "pmid",
        "condition",
        "condition_group",
        "study_design",
        "n_patients",
        "n_responders",
    ]
    return pd.DataFrame(rows, columns=columns)


STUDIES = studies_frame(
    [
        ("a", "Smith J", 2020, "J", None, None, "alopecia areata", "alopecia", "case series", 6, 4),
        ("b", "Doe A", 2021, "J", None, None, "alopecia areata", "alopecia", "trial", 12, 9),
        ("c", "Roe B", 2022, "J", None, None, "lichen planus", "lichenoid", "case report", 1, 1),
        ("d", "Poe C", 2023, "J", None, None, "sarcoidosis", "granulomatous", "trial", 10, None),
        ("e", "Loe D", 2019, "J", None, None, "vitiligo", "approved indication", "trial", 5, 2),
        ("f", "Moe E", 2018, "J", None, None, None, None, None, None, None),
    ]
)
GROUPS = ["lichenoid", "granulomatous", "alopecia", "other"]
POOLING = {
    "method": "REML",
    "hartung_knapp": False,
    "exclude_designs": ["case report"],
    "min_participants": 2,
}
RESPONSE = {"events": "n_responders", "total": "n_patients"}
PLAN = one_analysis(
    "response",
    "proportion",
    RESPONSE,
    describe_by=["condition", "study_design"],
    id="response",  # the embedded default's
    group_by="condition_group",
    groups=GROUPS,
)
FORM = field_specs(
    {
        name: {"type": kind, "description": name}
        for name, kind in (
            ("condition_group", "category"),
            ("condition", "text"),
            ("study_design", "category"),
            ("n_patients", "integer"),
            ("n_responders", "integer"),
        )
    }
)


def test_group_summary_counts_and_says_why_a_group_is_not_pooled():
    summary = group_summary(STUDIES, PLAN).set_index("group")
    assert list(summary.index) == [*GROUPS, "approved indication", "unclassified"]
    alopecia = summary.loc["alopecia"]
    assert (alopecia["studies"], alopecia["events"], alopecia["total"]) == (2, 13, 18)
    assert alopecia["pooled"] and alopecia["proportion"] == pytest.approx(13 / 18)
    assert (alopecia["wilson_low"], alopecia["wilson_high"]) == pytest.approx(
        wilson_interval(13, 18)
    )
    assert alopecia["described"] == [
        {"field": "condition", "values": ["alopecia areata"]},
        {"field": "study_design", "values": ["case series", "trial"]},
    ]
    assert summary.loc["lichenoid", "not_pooled_because"].startswith("0 of 1 studies can be")
    assert summary.loc["lichenoid", "left_out"] == [
        {
            "record_id": "c",
            "reason": "case report: described, not pooled (pooling.exclude_designs)",
        }
    ]
    assert summary.loc["granulomatous", "left_out"] == [
        {"record_id": "d", "reason": "reports no n_responders / n_patients"}
    ]
    assert summary.loc["other", "not_pooled_because"] == "no included study"
    assert summary.loc["unclassified", "record_ids"] == ["f"]


def test_pooled_estimates_only_for_pooled_groups():
    summary = group_summary(STUDIES, PLAN)
    pooled = pooled_estimates(STUDIES, summary, PLAN)
    assert set(pooled["group"]) == {"alopecia"}
    assert sorted(pooled["method"]) == ["DL", "REML"]
    expected = hand_dersimonian_laird([4, 9], [6, 12])
    dl = pooled[pooled["method"] == "DL"].iloc[0]
    assert dl["estimate"] == pytest.approx(1 / (1 + math.exp(-expected["estimate"])), abs=1e-6)


def bcg_studies():
    return pd.DataFrame(
        [
            (f"t{i}", "random" if i % 2 else "systematic", a, n1, c, n2, 1948 + i)
            for i, (a, n1, c, n2) in enumerate(BCG)
        ],
        columns=[
            "record_id",
            "allocation",
            "tb_vaccinated",
            "n_vaccinated",
            "tb_control",
            "n_control",
            "year",
        ],
    )


BCG_DATA = {
    "events": "tb_vaccinated",
    "total": "n_vaccinated",
    "control_events": "tb_control",
    "control_total": "n_control",
}


def bcg_plan(group_by=None, measure="risk_ratio", **analysis):
    return one_analysis(
        "tuberculosis", measure, BCG_DATA, ["allocation"], group_by=group_by, **analysis
    )


def test_a_comparative_plan_without_grouping_pools_every_study_as_metafor_does():
    studies, plan = bcg_studies(), bcg_plan()
    summary = group_summary(studies, plan)
    assert summary["group"].tolist() == [ALL_STUDIES]
    row = summary.iloc[0]
    assert row["participants"] == sum(n1 + n2 for _, n1, _, n2 in BCG)
    assert row["control_events"] == sum(c for _, _, c, _ in BCG) and pd.isna(row["proportion"])
    reml = pooled_estimates(studies, summary, plan).set_index("method").loc["REML"]
    assert (reml["estimate"], reml["ci_low"], reml["ci_high"]) == pytest.approx(
        (math.exp(-0.7145), math.exp(-1.0669), math.exp(-0.3622)), abs=5e-5
    )
    by_allocation = group_summary(studies, bcg_plan("allocation"))
    assert sorted(by_allocation["group"]) == ["random", "systematic"]


def test_study_intervals_are_on_the_readers_scale():
    studies, plan = bcg_studies(), bcg_plan()
    first = plan.primary.outcome.study_intervals(studies).iloc[0]
    rr = (4 / 123) / (11 / 139)
    se = math.sqrt(1 / 4 - 1 / 123 + 1 / 11 - 1 / 139)
    assert first["estimate"] == pytest.approx(rr)
    assert first["ci_low"] == pytest.approx(rr * math.exp(-Z95 * se))
    outcome = plan.primary.outcome
    assert isinstance(outcome, Outcome) and outcome.measure.log_axis


def test_evidence_table_follows_group_order_and_marks_machine_values():
    studies = STUDIES.assign(
        n_patients_by=["machine", "alice", "machine", None, "alice", None],
        condition_by="machine",
    )
    table = evidence_table(studies, PLAN, FORM)
    assert table["record_id"].tolist() == ["c", "d", "a", "b", "e", "f"]
    first = table.set_index("record_id").loc["c"]
    assert first["citation"] == "Roe 2022, J"
    assert sorted(first["machine_fields"]) == ["condition", "n_patients"]
    assert table.set_index("record_id").loc["b", "machine_fields"] == ["condition"]


def test_evidence_columns_are_the_fields_the_protocol_names_in_its_order():
    shown = evidence_fields(FORM, ["n_patients", "condition"])
    table = evidence_table(STUDIES, PLAN, shown)
    assert shown_columns(table) == ["citation", "year", "doi", "pmid", "n_patients", "condition"]
    assert evidence_schema(shown).field("n_patients").type == "int64"
    everything = evidence_table(STUDIES, PLAN, evidence_fields(FORM, []))
    assert shown_columns(everything)[4:] == [spec.name for spec in FORM]


COUNTS = pd.DataFrame(
    [
        ("identified", "pubmed", None, "x", 22),
        ("identified", "scopus", None, "x", 44),
        ("duplicates_removed", None, None, "x", 20),
        ("automation_removed", None, None, "Records marked as ineligible by automation tools", 20),
        ("automation_removed_reason", None, "review", "Review article", 20),
        ("screened", None, None, "x", 26),
        ("excluded", None, None, "x", 10),
        ("excluded_reason", None, "off_topic", "Off-topic", 10),
        ("awaiting_screening", None, None, "x", 0),
        ("sought", None, None, "x", 16),
        ("not_retrieved", None, None, "x", 1),
        ("assessed", None, None, "x", 15),
        ("reports_excluded", None, None, "x", 3),
        ("reports_excluded_reason", None, "wrong_design", "Wrong design", 3),
        ("awaiting_full_text", None, None, "x", 0),
        ("included", None, None, "Studies included in review", 12),
        ("included_reports", None, None, "Reports of included studies", 12),
    ],
    columns=["box", "source", "reason", "label", "count"],
)


def test_prisma_boxes_carry_the_count_table_numbers():
    text = {(b.column, b.row): "\n".join(b.lines) for b in diagram_boxes(COUNTS)}
    assert "Records identified from (n = 66)" in text[(0, 0)]
    assert "PubMed (MEDLINE) (n = 22)" in text[(0, 0)] and "Scopus (n = 44)" in text[(0, 0)]
    assert "Duplicate records removed (n = 20)" in text[(1, 0)]
    automation = "Records marked as ineligible by automation tools (n = 20):"
    assert f"{automation}\n        Review article (n = 20)" in text[(1, 0)]
    assert text[(0, 1)] == "Records screened (n = 26)"
    assert text[(1, 1)] == "Records excluded (n = 10):\n    Off-topic (n = 10)"
    assert text[(1, 2)] == "Reports not retrieved (n = 1)"
    assert "Wrong design (n = 3)" in text[(1, 3)]
    assert text[(0, 4)] == (
        "Studies included in review (n = 12)\nReports of included studies (n = 12)"
    )
    assert (1, 4) not in text  # nothing awaits a reviewer


def test_prisma_diagram_is_svg_with_text_and_a_stable_file(tmp_path):
    save_prisma(COUNTS, tmp_path / "a.svg", tmp_path / "a.png")
    save_prisma(COUNTS, tmp_path / "b.svg", tmp_path / "b.png")
    svg = (tmp_path / "a.svg").read_text()
    assert svg.count("<svg") == 1 and "Records screened (n = 26)" in svg
    assert svg == (tmp_path / "b.svg").read_text()
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"


def test_exports_are_identified_under_their_databases_and_rules_remove_before_screening():
    """Each export file counts under the database it declares (two Embase files in one box),
    and what the protocol's rules exclude is removed by automation, not screened."""
    links = pd.DataFrame(
        {
            "record_id": ["pubmed:1", "file:embase_a:1", "file:embase_b:1", "file:psycinfo:1"],
            "canonical_id": ["pubmed:1", "file:embase_a:1", "file:embase_b:1", "file:psycinfo:1"],
            "source": ["pubmed", "file", "file", "file"],
        }
    )
    decisions = pd.DataFrame(
        {
            "record_id": [*links["record_id"], "pubmed:1"],
            "phase": ["title_abstract"] * 4 + ["full_text"],
            "decision": ["include", "exclude", "exclude", "exclude", "include"],
            "reason": [None, "review", "review", "off_topic", None],
            "decided_by": ["alice", "rule", "rule", "alice", "alice"],
            "previous_version": None,
        }
    )
    reasons = {"review": {"label": "Review"}, "off_topic": {"label": "Off-topic"}}
    databases = {"embase_a": "Embase", "embase_b": "Embase", "psycinfo": "PsycINFO (Ovid)"}
    counts = prisma_counts(links, decisions, reasons, databases=databases)
    identified = counts[counts["box"] == "identified"].set_index("source")["count"].to_dict()
    assert identified == {"pubmed": 1, "Embase": 2, "PsycINFO (Ovid)": 1}
    assert (count_of(counts, "automation_removed"), count_of(counts, "screened")) == (2, 2)
    assert count_of(counts, "excluded") == 1 and count_of(counts, "included") == 1
    assert all(check.success for check in prisma_identities(counts))
    text = {(b.column, b.row): "\n".join(b.lines) for b in diagram_boxes(counts)}
    assert "Embase (n = 2)" in text[(0, 0)] and "PsycINFO (Ovid) (n = 1)" in text[(0, 0)]
    without = prisma_counts(links, decisions, reasons)  # no names: each export by its id
    assert set(without.loc[without["box"] == "identified", "source"]) == {
        "pubmed",
        "embase_a",
        "embase_b",
        "psycinfo",
    }


def test_hartung_knapp_and_prediction_intervals_follow_their_formulas():
    """HKSJ (metafor's test="knha"): se·sqrt(sum w(y-mu)²/(k-1)) with t(k-1); the prediction
    interval mu ± crit·sqrt(tau² + se²), crit z or t as for the confidence interval."""
    from scipy.stats import t as student

    y, v = bcg_effects("risk_ratio")
    plain = {p.method: p for p in pool(y, v)}["REML"]
    knha = {p.method: p for p in pool(y, v, hartung_knapp=True)}["REML"]
    w = 1 / (v + plain.tau2)
    q = np.sum(w * (y - plain.estimate) ** 2) / (len(y) - 1)
    assert knha.estimate == pytest.approx(plain.estimate) and knha.hartung_knapp
    assert knha.se == pytest.approx(plain.se * math.sqrt(q))
    crit = student.ppf(0.975, len(y) - 1)
    assert knha.ci_low == pytest.approx(plain.estimate - crit * knha.se)
    spread = Z95 * math.sqrt(plain.tau2 + plain.se**2)
    assert (plain.pi_low, plain.pi_high) == pytest.approx(
        (plain.estimate - spread, plain.estimate + spread)
    )


def test_a_study_too_small_to_pool_is_left_out_with_its_reason_and_one_estimator_shown():
    studies = STUDIES.assign(
        n_patients=[6, 1, 1, 10, 5, None], n_responders=[4, 1, 1, None, 2, None]
    )
    plan = one_analysis(
        "response",
        "proportion",
        RESPONSE,
        describe_by=["condition", "study_design"],
        pooling={**POOLING, "exclude_designs": [], "min_participants": 2},
        group_by="condition_group",
        groups=GROUPS,
    )
    summary = group_summary(studies, plan).set_index("group")
    assert summary.loc["alopecia", "left_out"] == [
        {
            "record_id": "b",
            "reason": "1 participant(s), fewer than pooling.min_participants (2)",
        }
    ]
    assert not summary.loc["alopecia", "pooled"]
    homogeneous = STUDIES.assign(
        n_patients=[10, 20, 1, 10, 5, None], n_responders=[5, 10, 1, 0, 2, None]
    )
    summary = group_summary(homogeneous, PLAN)
    pooled = pooled_estimates(homogeneous, summary, PLAN)
    assert len(pooled) == 2 and shown_estimates(pooled)["method"].tolist() == ["REML"]


def test_studies_without_a_year_are_named_under_the_chart_not_dropped():
    from prismaflow.synthesise.figures import publications_per_year

    studies = STUDIES.assign(year=[2020, None, 2022, 2023, None, 2018])
    figure = publications_per_year(studies)
    notes = [t.get_text() for t in figure.texts]
    assert notes == ["Not shown, no publication year (2): Doe n.d., J; Loe n.d., J"]
    bars = figure.axes[0].patches
    assert sum(bar.get_height() for bar in bars) == 4


def test_the_evidence_map_never_counts_a_study_of_unknown_size_as_one_participant():
    from prismaflow.synthesise.figures import evidence_map

    drawn = evidence_map(STUDIES, PLAN)
    labels = [text.get_text() for text in drawn.axes[0].texts]
    # "f" reports no participants and has no condition: its cell says so, and counts none.
    assert "1 / 0 (+1 of unknown size)" in labels
    assert {"1 / 6", "1 / 12", "1 / 10"} <= set(labels)  # the counted studies, by design
