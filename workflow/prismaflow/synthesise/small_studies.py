"""Small-study effects: Egger's regression test for funnel-plot asymmetry in every pooled group
of ten or more studies, and a statement of why not below that, where the test has too little
power to be meaningful (Sterne et al., BMJ 2011;343:d4002)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from prismaflow.synthesise.groups import pooled_groups
from prismaflow.synthesise.plan import Plan
from prismaflow.synthesise.pooling import egger

FEWEST_FOR_EGGER = 10
SMALL_STUDIES_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("studies", pa.int64()),
        ("tested", pa.bool_()),
        ("not_tested_because", pa.string()),
        ("intercept", pa.float64()),  # the limit estimate, on the pooling scale
        ("slope", pa.float64()),  # on the standard error: the asymmetry
        ("slope_se", pa.float64()),
        ("t", pa.float64()),
        ("df", pa.int64()),
        ("p_value", pa.float64()),
    ]
)


def small_study_effects(studies: pd.DataFrame, summary: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    rows = []
    for analysis, group, members in pooled_groups(studies, summary, plan):
        row = {"analysis": analysis.id, "group": group, "studies": len(members)}
        if len(members) < FEWEST_FOR_EGGER:
            rows.append(
                {
                    **row,
                    "tested": False,
                    "not_tested_because": f"{len(members)} studies: Egger's test needs "
                    f"{FEWEST_FOR_EGGER} or more to have the power to detect asymmetry",
                }
            )
            continue
        found = egger(*analysis.outcome.effects(members))
        rows.append(
            {
                **row,
                "tested": True,
                "not_tested_because": None,
                "intercept": found.intercept,
                "slope": found.slope,
                "slope_se": found.slope_se,
                "t": found.t,
                "df": found.df,
                "p_value": found.p_value,
            }
        )
    return pd.DataFrame(rows, columns=SMALL_STUDIES_SCHEMA.names)
