"""Effect measures: what one study's counts say about the protocol's outcome, on the scale
random-effects pooling works on, and back on the scale a reader reads.

A single-arm outcome is a proportion (events of total), pooled as logits; a comparative binary
outcome compares the intervention arm with the control arm as a risk ratio or odds ratio (pooled
as logarithms) or a risk difference. Zero cells follow metafor's escalc defaults: 0.5 is added to
every cell of a study with a zero cell (to="only0") for logits, risk ratios and odds ratios; a
risk difference needs no correction. A continuous outcome compares the arms' means as a mean
difference (variance sd1²/n1 + sd2²/n2, no equal-variance assumption) or as Hedges' g, the
standardised mean difference with the exact small-sample correction (escalc's "SMD").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, logit

from prismaflow.measures import ROLES

Z95 = 1.959963984540054
CORRECTION = 0.5


@dataclass(frozen=True)
class Measure:
    name: str
    label: str  # as the report and the forest plot name it
    comparative: bool
    null: float | None  # the value of no effect, drawn as a line in the forest plot
    log_axis: bool  # ratios read on a log axis

    def shown(self, value: float | None) -> str:
        """As the report and tables print it: a proportion as a percentage, a ratio or a
        difference to two decimals."""
        if value is None or value != value:
            return ""
        return f"{value:.0%}" if self.name == "proportion" else f"{value:.2f}"

    def interval(self, estimate: float | None, low: float, high: float) -> str:
        if estimate is None or estimate != estimate:
            return ""
        return f"{self.shown(estimate)} [{self.shown(low)}, {self.shown(high)}]"

    def back(self, y: np.ndarray | float) -> np.ndarray | float:
        """From the pooling scale to the reader's."""
        if self.name == "proportion":
            return expit(y)
        return np.exp(y) if self.log_axis else y


MEASURES = {
    m.name: m
    for m in (
        Measure("proportion", "proportion", comparative=False, null=None, log_axis=False),
        Measure("risk_ratio", "risk ratio", comparative=True, null=1.0, log_axis=True),
        Measure("odds_ratio", "odds ratio", comparative=True, null=1.0, log_axis=True),
        Measure("risk_difference", "risk difference", comparative=True, null=0.0, log_axis=False),
        Measure("mean_difference", "mean difference", comparative=True, null=0.0, log_axis=False),
        Measure(
            "standardised_mean_difference",
            "standardised mean difference (Hedges' g)",
            comparative=True,
            null=0.0,
            log_axis=False,
        ),
    )
}


@dataclass(frozen=True)
class Outcome:
    """The protocol's outcome (synthesis.outcome): the form's fields that hold its data, by
    role (prismaflow.measures.ROLES); a role the measure does not read is None."""

    label: str
    measure: Measure
    total: str
    events: str | None = None
    control_events: str | None = None
    control_total: str | None = None
    mean: str | None = None
    sd: str | None = None
    control_mean: str | None = None
    control_sd: str | None = None

    @classmethod
    def from_config(cls, spec: Mapping[str, Any]) -> Outcome:
        roles = ROLES[spec["measure"]]
        return cls(
            label=spec["label"],
            measure=MEASURES[spec["measure"]],
            **{role: spec[role] for role in roles},
        )

    @property
    def continuous(self) -> bool:
        return self.mean is not None

    @property
    def data_fields(self) -> list[str]:
        """The form's fields the measure reads, in the order of its roles."""
        return [getattr(self, role) for role in ROLES[self.measure.name]]

    def with_data(self, studies: pd.DataFrame) -> pd.DataFrame:
        """Studies that report everything the measure needs."""
        present = studies[self.data_fields].notna().all(axis=1)
        return studies[present]

    def participants(self, studies: pd.DataFrame) -> pd.Series:
        """Participants per study (both arms of a comparison); missing where none is known."""
        arms = studies[[self.total, *([self.control_total] if self.measure.comparative else [])]]
        return arms.sum(axis=1, min_count=1)

    def effects(self, studies: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each study's effect and its sampling variance, on the pooling scale."""
        counted = self.with_data(studies)
        n1 = counted[self.total].to_numpy(float)
        if self.continuous:
            m1, sd1 = (counted[f].to_numpy(float) for f in (self.mean, self.sd))
            m2, sd2, n2 = (
                counted[f].to_numpy(float)
                for f in (self.control_mean, self.control_sd, self.control_total)
            )
            return continuous_effects(self.measure.name, m1, sd1, n1, m2, sd2, n2)
        a = counted[self.events].to_numpy(float)
        if not self.measure.comparative:
            return logit_proportions(a, n1)
        c = counted[self.control_events].to_numpy(float)
        n2 = counted[self.control_total].to_numpy(float)
        return comparative_effects(self.measure.name, a, n1, c, n2)


def logit_proportions(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logits and their variances 1/x + 1/(n - x), corrected by 0.5 at 0 or n events."""
    edge = (x == 0) | (x == n)
    x, n = np.where(edge, x + CORRECTION, x), np.where(edge, n + 2 * CORRECTION, n)
    return logit(x / n), 1.0 / x + 1.0 / (n - x)


def comparative_effects(
    measure: str, a: np.ndarray, n1: np.ndarray, c: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Log risk ratios, log odds ratios or risk differences, as metafor's escalc computes them."""
    if measure == "risk_difference":
        p1, p2 = a / n1, c / n2
        return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    b, d = n1 - a, n2 - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (np.where(zero, cell + CORRECTION, cell) for cell in (a, b, c, d))
    if measure == "risk_ratio":
        return np.log((a / (a + b)) / (c / (c + d))), 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return np.log((a * d) / (b * c)), 1 / a + 1 / b + 1 / c + 1 / d


def continuous_effects(
    measure: str,
    m1: np.ndarray,
    sd1: np.ndarray,
    n1: np.ndarray,
    m2: np.ndarray,
    sd2: np.ndarray,
    n2: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean differences, or Hedges' g with its large-sample variance, as escalc computes them
    (measure "MD", and "SMD" with vtype "LS")."""
    if measure == "mean_difference":
        return m1 - m2, sd1**2 / n1 + sd2**2 / n2
    df = n1 + n2 - 2
    pooled_sd = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
    correction = np.exp(gammaln(df / 2) - np.log(np.sqrt(df / 2)) - gammaln((df - 1) / 2))
    g = correction * (m1 - m2) / pooled_sd
    return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))


def wilson_interval(events: int, total: int) -> tuple[float, float]:
    """The Wilson score interval: inside [0, 1] and sound at 0/n and n/n, where the small case
    series of many reviews sit."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(events, total, alpha=0.05, method="wilson")
    return float(low), float(high)


def study_intervals(outcome: Outcome, studies: pd.DataFrame) -> pd.DataFrame:
    """Each study's estimate and 95% interval on the reader's scale: Wilson for a proportion,
    the normal interval on the pooling scale otherwise."""
    counted = outcome.with_data(studies)
    if not outcome.measure.comparative:
        events = counted[outcome.events].astype(int)
        total = counted[outcome.total].astype(int)
        bounds = [wilson_interval(x, n) for x, n in zip(events, total, strict=True)]
        return pd.DataFrame(
            {
                "estimate": (events / total).to_numpy(),
                "ci_low": [b[0] for b in bounds],
                "ci_high": [b[1] for b in bounds],
            },
            index=counted.index,
        )
    y, v = outcome.effects(counted)
    back = outcome.measure.back
    return pd.DataFrame(
        {
            "estimate": back(y),
            "ci_low": back(y - Z95 * np.sqrt(v)),
            "ci_high": back(y + Z95 * np.sqrt(v)),
        },
        index=counted.index,
    )
