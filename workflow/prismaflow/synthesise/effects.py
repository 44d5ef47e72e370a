"""Effect measures: what one study's data say about an analysis's outcome, on the scale
random-effects pooling works on, and back on the scale a reader reads.

A single-arm outcome is a proportion (events of total), pooled as logits or by the Freeman-Tukey
double arcsine, as the protocol chooses; a comparative binary outcome compares the intervention
arm with the control arm as a risk ratio or odds ratio (pooled as logarithms) or a risk
difference; a continuous outcome compares the arms' means as a mean difference (variance
sd1²/n1 + sd2²/n2, no equal-variance assumption) or as Hedges' g, the standardised mean
difference with the exact small-sample correction (escalc's "SMD"); an effect as published is
its estimate with its standard error or 95% interval, a ratio pooled on the log scale.

Zero cells follow one convention for every binary measure, metafor's escalc default: 0.5 is
added to every cell of a study with a zero cell (add=1/2, to="only0"), for logits, risk ratios,
odds ratios and risk differences alike; a study with no events in either arm is kept with that
correction (escalc's drop00=FALSE) unless the protocol drops it. A study whose effect cannot be
computed (no variance, an empty interval, an arm too small for a standard deviation) is left
out of the analysis with the reason, never pooled as NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, logit

from prismaflow.measures import ROLE_SETS

Z95 = 1.959963984540054
CORRECTION = 0.5
TRANSFORMS = ("logit", "freeman_tukey")  # how a proportion is pooled
DOUBLE_ZERO = ("keep", "drop")  # a comparative binary study with no events in either arm


@dataclass(frozen=True)
class Measure:
    name: str
    label: str  # as the report and the forest plot name it
    comparative: bool
    null: float | None  # the value of no effect, drawn as a line in the forest plot
    log_axis: bool  # ratios read on a log axis
    kind: str  # "binary", "continuous" or "published": what the form holds

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


MEASURES = {
    m.name: m
    for m in (
        Measure("proportion", "proportion", False, None, False, "binary"),
        Measure("risk_ratio", "risk ratio", True, 1.0, True, "binary"),
        Measure("odds_ratio", "odds ratio", True, 1.0, True, "binary"),
        Measure("risk_difference", "risk difference", True, 0.0, False, "binary"),
        Measure("mean_difference", "mean difference", True, 0.0, False, "continuous"),
        Measure(
            "standardised_mean_difference",
            "standardised mean difference (Hedges' g)",
            True,
            0.0,
            False,
            "continuous",
        ),
        Measure("generic_ratio", "ratio", True, 1.0, True, "published"),
        Measure("generic_difference", "difference", True, 0.0, False, "published"),
    )
}


@dataclass(frozen=True)
class Outcome:
    """An analysis's outcome: the form's fields that hold its data, by role
    (prismaflow.measures.ROLE_SETS), and how its effect is computed and pooled."""

    label: str
    measure: Measure
    roles: tuple[tuple[str, str], ...]  # (role, form field), in the measure's role order
    transform: str = "logit"  # proportions only
    double_zero: str = "keep"  # comparative binary measures only
    effect_name: str | None = None  # what an effect as published is (e.g. "hazard ratio")

    @classmethod
    def from_config(cls, spec: Mapping[str, Any]) -> Outcome:
        data = spec["data"]
        order = next(r for r in ROLE_SETS[spec["measure"]] if set(r) == set(data))
        return cls(
            label=spec["outcome"],
            measure=MEASURES[spec["measure"]],
            roles=tuple((role, data[role]) for role in order),
            transform=spec.get("proportion_scale", "logit"),
            double_zero=spec.get("double_zero", "keep"),
            effect_name=spec.get("effect_name"),
        )

    def field(self, role: str) -> str | None:
        return dict(self.roles).get(role)

    @property
    def effect_label(self) -> str:
        """The measure as a reader names it: 'hazard ratio' rather than 'ratio'."""
        return self.effect_name or self.measure.label

    @property
    def data_fields(self) -> list[str]:
        """The form's fields the measure reads, in the order of its roles."""
        return [name for _, name in self.roles]

    def _values(self, studies: pd.DataFrame, role: str) -> np.ndarray:
        return studies[self.field(role)].to_numpy(float)

    def with_data(self, studies: pd.DataFrame) -> pd.DataFrame:
        """Studies that report everything the measure needs."""
        present = studies[self.data_fields].notna().all(axis=1)
        return studies[present]

    def unusable(self, studies: pd.DataFrame) -> dict[Any, str]:
        """Studies with data whose effect cannot be computed, by index, with the reason."""
        counted = self.with_data(studies)
        reasons: dict[Any, str] = {}
        for index, row in counted.iterrows():
            reason = self._unusable(row)
            if reason:
                reasons[index] = reason
        return reasons

    def _unusable(self, row: pd.Series) -> str | None:
        value = {role: float(row[name]) for role, name in self.roles}
        kind = self.measure.kind
        if kind == "published":
            return self._unusable_published(value)
        arms = [value["total"], *([value["control_total"]] if self.measure.comparative else [])]
        least = 2 if kind == "continuous" else 1
        if min(arms) < least:
            return f"{int(min(arms))} participant(s) in an arm: " + (
                "a standard deviation needs two" if kind == "continuous" else "no one counted"
            )
        if kind == "continuous":
            sds = (value["sd"], value["control_sd"])
            if min(sds) < 0:
                return f"a negative standard deviation ({min(sds):g})"
            if max(sds) == 0:
                return f"SD 0 in both arms: the {self.measure.label} has no variance"
            return None
        if self.measure.comparative and self.double_zero == "drop":
            none = value["events"] == 0 and value["control_events"] == 0
            every = (
                value["events"] == value["total"]
                and value["control_events"] == value["control_total"]
            )
            if none or every:
                return (
                    f"{'no' if none else 'every'} participant had the event in both arms "
                    "(dropped: synthesis.analyses[].double_zero)"
                )
        return None

    def _unusable_published(self, value: Mapping[str, float]) -> str | None:
        ratio = self.measure.log_axis
        bounds = [value["estimate"], *(value[r] for r in ("ci_low", "ci_high") if r in value)]
        if ratio and min(bounds) <= 0:
            return f"a {self.effect_label} and its interval must be positive ({min(bounds):g})"
        if "se" in value:
            return None if value["se"] > 0 else f"standard error {value['se']:g}: not positive"
        low, high = value["ci_low"], value["ci_high"]
        if not low < high:
            return f"the interval [{low:g}, {high:g}] is empty"
        if not low <= value["estimate"] <= high:
            return (
                f"the estimate {value['estimate']:g} lies outside its interval [{low:g}, {high:g}]"
            )
        return None

    def participants(self, studies: pd.DataFrame) -> pd.Series:
        """Participants per study (both arms of a comparison); missing where none is known."""
        totals = [self.field(r) for r in ("total", "control_total") if self.field(r)]
        if not totals:
            return pd.Series(np.nan, index=studies.index, dtype=float)
        return studies[totals].sum(axis=1, min_count=1)

    def effects(self, studies: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each study's effect and its sampling variance, on the pooling scale (studies that
        report the data and are not `unusable`)."""
        counted = self.with_data(studies)
        kind = self.measure.kind
        if kind == "published":
            return published_effects(
                self.measure.log_axis,
                self._values(counted, "estimate"),
                *(
                    (self._values(counted, "se"), None, None)
                    if self.field("se")
                    else (None, self._values(counted, "ci_low"), self._values(counted, "ci_high"))
                ),
            )
        n1 = self._values(counted, "total")
        if kind == "continuous":
            m1, sd1 = self._values(counted, "mean"), self._values(counted, "sd")
            m2, sd2 = self._values(counted, "control_mean"), self._values(counted, "control_sd")
            n2 = self._values(counted, "control_total")
            return continuous_effects(self.measure.name, m1, sd1, n1, m2, sd2, n2)
        a = self._values(counted, "events")
        if not self.measure.comparative:
            if self.transform == "freeman_tukey":
                return freeman_tukey(a, n1)
            return logit_proportions(a, n1)
        c, n2 = self._values(counted, "control_events"), self._values(counted, "control_total")
        return comparative_effects(self.measure.name, a, n1, c, n2)

    def back(self, y: np.ndarray | float, totals: np.ndarray | None = None) -> np.ndarray | float:
        """From the pooling scale to the reader's. A Freeman-Tukey value is turned back with
        the harmonic mean of the pooled studies' totals, as metafor's transf.ipft.hm does."""
        if self.measure.name == "proportion":
            if self.transform == "freeman_tukey":
                return inverse_freeman_tukey(y, harmonic_mean(totals))
            return expit(y)
        return np.exp(y) if self.measure.log_axis else y

    def study_intervals(self, studies: pd.DataFrame) -> pd.DataFrame:
        """Each study's estimate and 95% interval on the reader's scale: Wilson for a
        proportion, the normal interval on the pooling scale otherwise."""
        counted = self.with_data(studies)
        if not self.measure.comparative:
            events = counted[self.field("events")].astype(int)
            total = counted[self.field("total")].astype(int)
            bounds = [wilson_interval(x, n) for x, n in zip(events, total, strict=True)]
            return pd.DataFrame(
                {
                    "estimate": (events / total).to_numpy(),
                    "ci_low": [b[0] for b in bounds],
                    "ci_high": [b[1] for b in bounds],
                },
                index=counted.index,
            )
        y, v = self.effects(counted)
        return pd.DataFrame(
            {
                "estimate": self.back(y),
                "ci_low": self.back(y - Z95 * np.sqrt(v)),
                "ci_high": self.back(y + Z95 * np.sqrt(v)),
            },
            index=counted.index,
        )


def logit_proportions(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logits and their variances 1/x + 1/(n - x), corrected by 0.5 at 0 or n events."""
    edge = (x == 0) | (x == n)
    x, n = np.where(edge, x + CORRECTION, x), np.where(edge, n + 2 * CORRECTION, n)
    return logit(x / n), 1.0 / x + 1.0 / (n - x)


def freeman_tukey(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Freeman-Tukey double arcsine and its variance 1/(4n + 2) (escalc's "PFT"): defined
    at 0 and n events, so no correction is needed."""
    y = 0.5 * (np.arcsin(np.sqrt(x / (n + 1))) + np.arcsin(np.sqrt((x + 1) / (n + 1))))
    return y, 1.0 / (4 * n + 2)


def harmonic_mean(totals: np.ndarray | None) -> float:
    if totals is None or len(totals) == 0:
        raise ValueError("a Freeman-Tukey value is turned back with the studies' totals")
    return float(len(totals) / np.sum(1.0 / np.asarray(totals, dtype=float)))


def inverse_freeman_tukey(y: np.ndarray | float, n: float) -> np.ndarray | float:
    """Miller's (1978) inversion of the double arcsine for a total of n, clipped to [0, 1] as
    metafor's transf.ipft clips it."""
    y = np.asarray(y, dtype=float)
    s = np.sin(2 * y)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 0.5 * (1 - np.sign(np.cos(2 * y)) * np.sqrt(1 - (s + (s - 1 / s) / n) ** 2))
    lowest, highest = (freeman_tukey(np.array(x), np.array(n))[0] for x in (0.0, n))
    p = np.where(y > highest, 1.0, np.where(y < lowest, 0.0, p))
    return float(p) if p.ndim == 0 else p


def comparative_effects(
    measure: str, a: np.ndarray, n1: np.ndarray, c: np.ndarray, n2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Log risk ratios, log odds ratios or risk differences, as metafor's escalc computes them:
    a study with a zero cell has 0.5 added to each of its four cells."""
    b, d = n1 - a, n2 - c
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    a, b, c, d = (np.where(zero, cell + CORRECTION, cell) for cell in (a, b, c, d))
    n1, n2 = a + b, c + d
    if measure == "risk_difference":
        p1, p2 = a / n1, c / n2
        return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    if measure == "risk_ratio":
        return np.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2
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


def published_effects(
    ratio: bool,
    estimate: np.ndarray,
    se: np.ndarray | None,
    low: np.ndarray | None,
    high: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """An effect as published, on the pooling scale (a ratio's logarithm), with its variance
    from its standard error (on that scale) or from its 95% interval's width."""
    scale = np.log if ratio else (lambda values: values)
    if se is None:
        se = (scale(high) - scale(low)) / (2 * Z95)
    return scale(estimate), se**2


def wilson_interval(events: int, total: int) -> tuple[float, float]:
    """The Wilson score interval: inside [0, 1] and sound at 0/n and n/n, where the small case
    series of many reviews sit."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(events, total, alpha=0.05, method="wilson")
    return float(low), float(high)
