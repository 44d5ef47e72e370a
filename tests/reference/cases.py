"""The synthesis cases checked against metafor: each names a published data set (or part of
one), the effect measure, the roles its data fill and the estimator. `python -m
tests.reference.cases` writes them to cases.json, which metafor_reference.R reads; a test keeps
cases.json equal to what this module says, so a case cannot change without its reference being
computed again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prismaflow.measures import ROLE_SETS
from tests.reference.datasets import DATASETS

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "cases.json"
EXPECTED_FILE = HERE / "metafor.json"


def case(case_id: str, dataset: str, measure: str, method: str = "REML", **settings: Any):
    """A case over a whole published data set."""
    return {
        **rows_case(case_id, DATASETS[dataset], measure, method, **settings),
        "dataset": dataset,
    }


def rows_case(
    case_id: str,
    studies: list[dict[str, Any]],
    measure: str,
    method: str = "REML",
    *,
    kind: str = "pool",
    roles: tuple[str, ...] | None = None,
    hartung_knapp: bool = False,
    transform: str = "logit",
    double_zero: str = "keep",
    group_by: str | None = None,
) -> dict[str, Any]:
    """A case over some studies (rows of a data set, by prismaflow's roles)."""
    roles = roles or ROLE_SETS[measure][0]
    return {
        "id": case_id,
        "dataset": None,
        "kind": kind,
        "measure": measure,
        "method": method,
        "hartung_knapp": hartung_knapp,
        "transform": transform,
        "double_zero": double_zero,
        "trials": [s["trial"] for s in studies],
        "data": {role: [s[role] for s in studies] for role in roles},
        **({"groups": [s[group_by] for s in studies], "group_by": group_by} if group_by else {}),
    }


CASES: list[dict[str, Any]] = [
    # A continuous outcome: mean differences and Hedges' g (Normand 1999).
    case("normand_md_reml", "normand1999", "mean_difference"),
    case("normand_md_dl", "normand1999", "mean_difference", "DL"),
    case("normand_md_reml_hksj", "normand1999", "mean_difference", hartung_knapp=True),
    case("normand_smd_reml", "normand1999", "standardised_mean_difference"),
    # Binary comparisons with zero and double-zero cells (Li 2007 and a double-zero trial).
    case("li_rd_reml", "li2007", "risk_difference"),
    case("li_rd_dl", "li2007", "risk_difference", "DL"),
    case("li_rd_drop_reml", "li2007", "risk_difference", double_zero="drop"),
    case("li_rr_reml", "li2007", "risk_ratio"),
    case("li_or_drop_dl", "li2007", "odds_ratio", "DL", double_zero="drop"),
    # Proportions as logits and by the Freeman-Tukey double arcsine (Pritz 1997).
    case("pritz_logit_reml", "pritz1997", "proportion"),
    case("pritz_freeman_tukey_reml", "pritz1997", "proportion", transform="freeman_tukey"),
    case("pritz_freeman_tukey_dl", "pritz1997", "proportion", "DL", transform="freeman_tukey"),
    # Effects as published: odds ratios with their interval, or their log-scale SE.
    case(
        "hackshaw_interval_reml",
        "hackshaw1998",
        "generic_ratio",
        roles=("estimate", "ci_low", "ci_high"),
    ),
    case("hackshaw_se_reml", "hackshaw1998", "generic_ratio", roles=("estimate", "se")),
    case(
        "hackshaw_se_dl_hksj",
        "hackshaw1998",
        "generic_ratio",
        "DL",
        roles=("estimate", "se"),
        hartung_knapp=True,
    ),
    # The analyses an editor asks for next.
    case("bcg_rr_reml", "bcg", "risk_ratio"),
    case("bcg_subgroups", "bcg", "risk_ratio", kind="subgroups", group_by="allocation"),
    case(
        "hackshaw_subgroups",
        "hackshaw1998",
        "generic_ratio",
        kind="subgroups",
        roles=("estimate", "se"),
        group_by="design",
    ),
    case("bcg_leave_one_out", "bcg", "risk_ratio", kind="leave_one_out"),
    case("normand_leave_one_out", "normand1999", "mean_difference", kind="leave_one_out"),
    case("bcg_egger", "bcg", "risk_ratio", kind="egger"),
    case("hackshaw_egger", "hackshaw1998", "generic_ratio", kind="egger", roles=("estimate", "se")),
]


def matrix_cases() -> list[dict[str, Any]]:
    """The cases of the matrix's reviews (tests/matrix): each pooled group of each analysis."""
    from tests.matrix.build import Planned, analysis_cases, spec_studies
    from tests.matrix.design import design

    return [
        case
        for spec in design()
        for case in analysis_cases(
            spec,
            [Planned.of(i, a) for i, a in enumerate(spec.analyses)],
            spec_studies(spec),
            spec.values,
        )
    ]


ALL_CASES = CASES + matrix_cases()


def cases_text(cases: list[dict[str, Any]]) -> str:
    return json.dumps(cases, indent=1) + "\n"


def expected() -> dict[str, Any]:
    """metafor's values for every case, by id."""
    return json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))["expected"]


if __name__ == "__main__":
    CASES_FILE.write_text(cases_text(ALL_CASES), encoding="utf-8")
    print(f"{CASES_FILE}: {len(ALL_CASES)} cases; now run Rscript {HERE / 'metafor_reference.R'}")
