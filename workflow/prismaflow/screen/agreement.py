"""Agreement between independent reviewers, per phase, over the records both decided.

Cohen's kappa corrects observed agreement for chance; PABAK (prevalence- and bias-adjusted
kappa, 2·p_o − 1 for two categories) is reported beside it because screening is extremely
imbalanced, which makes kappa low even when reviewers almost always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

import pandas as pd
import pyarrow as pa

from prismaflow.screen.reviewers import ReviewerDecision
from prismaflow.sheets import ADJUDICATOR
from prismaflow.vocabulary import EXCLUDE, INCLUDE, MAYBE, NOT_RETRIEVED

AGREEMENT_SCHEMA = pa.schema(
    [
        ("phase", pa.string()),
        ("reviewer_a", pa.string()),
        ("reviewer_b", pa.string()),
        ("overlap", pa.int64()),
        ("agreements", pa.int64()),
        ("percent_agreement", pa.float64()),
        ("cohen_kappa", pa.float64()),
        ("pabak", pa.float64()),
        ("conflicts", pa.int64()),
        ("conflicts_open", pa.int64()),
    ]
)
# Agreement is about whether a record moves on: "maybe" at title/abstract means "read it".
MOVES_ON = {INCLUDE: "yes", MAYBE: "yes", EXCLUDE: "no", NOT_RETRIEVED: "no"}


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Kappa of two raters over the same items; None when chance agreement is total."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    categories = set(a) | set(b)
    expected = sum((list(a).count(c) / n) * (list(b).count(c) / n) for c in categories)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def pabak(a: Sequence[str], b: Sequence[str], categories: int = 2) -> float | None:
    if not a:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    return (categories * observed - 1) / (categories - 1)


def agreement(decisions: Sequence[ReviewerDecision]) -> pd.DataFrame:
    """One row per phase and pair of independent reviewers (the adjudicator is not one)."""
    by_phase: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    adjudicated = {(d.record_id, d.phase) for d in decisions if d.reviewer == ADJUDICATOR}
    for d in decisions:
        if d.reviewer != ADJUDICATOR:
            by_phase[d.phase][d.reviewer][d.record_id] = MOVES_ON[d.decision]
    rows = []
    for phase, reviewers in sorted(by_phase.items()):
        for first, second in combinations(sorted(reviewers), 2):
            shared = sorted(set(reviewers[first]) & set(reviewers[second]))
            a = [reviewers[first][r] for r in shared]
            b = [reviewers[second][r] for r in shared]
            conflicts = [r for r, x, y in zip(shared, a, b, strict=True) if x != y]
            rows.append(
                {
                    "phase": phase,
                    "reviewer_a": first,
                    "reviewer_b": second,
                    "overlap": len(shared),
                    "agreements": len(shared) - len(conflicts),
                    "percent_agreement": (len(shared) - len(conflicts)) / len(shared)
                    if shared
                    else None,
                    "cohen_kappa": cohen_kappa(a, b),
                    "pabak": pabak(a, b),
                    "conflicts": len(conflicts),
                    "conflicts_open": sum((r, phase) not in adjudicated for r in conflicts),
                }
            )
    return pd.DataFrame(rows, columns=AGREEMENT_SCHEMA.names)
