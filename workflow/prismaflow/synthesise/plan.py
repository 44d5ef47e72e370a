"""The protocol's synthesis plan (synthesis: in config.yaml): the analyses it plans, each with its
outcome, comparison and time point, its effect measure and the form's fields that hold its data,
the field its studies are grouped by, when a group is pooled and the sensitivity analyses it
names; and the fields each group is described by. Every stage output after extraction reads the
review through this, never through field names of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from prismaflow.config import DESIGN_FIELD
from prismaflow.synthesise.effects import Outcome

ALL_STUDIES = "all studies"  # the one group of an analysis that groups nothing
UNCLASSIFIED = "unclassified"  # studies the grouping field leaves empty
LEAVE_ONE_OUT = "leave_one_out"  # the sensitivity analysis every pooled group gets


@dataclass(frozen=True)
class Pooling:
    """What may be pooled and how (synthesis.pooling, or an analysis's own)."""

    method: str  # the estimator reported first: REML or DL
    hartung_knapp: bool
    exclude_designs: tuple[str, ...]  # designs described, never pooled (case reports)
    min_participants: int  # a study with fewer is described, not pooled

    @classmethod
    def from_config(cls, pooling: Mapping[str, Any]) -> Pooling:
        return cls(
            method=pooling["method"],
            hartung_knapp=pooling["hartung_knapp"],
            exclude_designs=tuple(pooling["exclude_designs"]),
            min_participants=pooling["min_participants"],
        )

    def left_out(self, study: pd.Series, participants: float | None) -> str | None:
        """Why a study that reports the outcome's data is not pooled, or None."""
        design = study.get(DESIGN_FIELD)
        if isinstance(design, str) and design in self.exclude_designs:
            return f"{design}: described, not pooled (pooling.exclude_designs)"
        if participants is not None and participants < self.min_participants:
            return (
                f"{int(participants)} participant(s), fewer than "
                f"pooling.min_participants ({self.min_participants})"
            )
        return None


@dataclass(frozen=True)
class Sensitivity:
    """A sensitivity analysis the protocol names: the pooled groups again, without the studies
    it excludes (by risk-of-bias judgement, design or record)."""

    id: str
    label: str
    risk_of_bias: tuple[str, ...]  # overall judgements excluded (e.g. high)
    designs: tuple[str, ...]
    record_ids: tuple[str, ...]

    @classmethod
    def from_config(cls, spec: Mapping[str, Any]) -> Sensitivity:
        exclude = spec["exclude"]
        return cls(
            id=spec["id"],
            label=spec["label"],
            risk_of_bias=tuple(exclude.get("risk_of_bias", ())),
            designs=tuple(exclude.get("designs", ())),
            record_ids=tuple(exclude.get("record_ids", ())),
        )

    def excluded(self, studies: pd.DataFrame, overall_bias: Mapping[str, Any]) -> pd.Series:
        """Which of the studies this analysis sets aside."""
        designs = (
            studies[DESIGN_FIELD] if DESIGN_FIELD in studies else pd.Series(None, studies.index)
        )
        judged = studies["record_id"].map(lambda r: overall_bias.get(r))
        return (
            judged.isin(self.risk_of_bias)
            | designs.isin(self.designs)
            | studies["record_id"].isin(self.record_ids)
        )


@dataclass(frozen=True)
class Analysis:
    """One planned analysis: an outcome, for a comparison at a time point, by a measure."""

    id: str
    outcome: Outcome
    comparison: str | None
    timepoint: str | None
    group_by: str | None
    groups: tuple[str, ...]
    min_studies: int
    pooling: Pooling
    sensitivity: tuple[Sensitivity, ...]
    favours: tuple[str | None, str | None]  # what a value below / above the null favours

    @classmethod
    def from_config(cls, spec: Mapping[str, Any], synthesis: Mapping[str, Any]) -> Analysis:
        favours = spec.get("favours", {})
        return cls(
            id=spec["id"],
            outcome=Outcome.from_config(spec),
            comparison=spec.get("comparison"),
            timepoint=spec.get("timepoint"),
            group_by=spec.get("group_by"),
            groups=tuple(spec.get("groups", ())),
            min_studies=spec.get("min_studies", synthesis["min_studies"]),
            pooling=Pooling.from_config({**synthesis["pooling"], **spec.get("pooling", {})}),
            sensitivity=tuple(Sensitivity.from_config(s) for s in spec.get("sensitivity", ())),
            favours=(favours.get("lower"), favours.get("higher")),
        )

    @property
    def title(self) -> str:
        """The analysis as headings name it: outcome, comparison, time point."""
        parts = [self.outcome.label, self.comparison, self.timepoint]
        return ", ".join(p for p in parts if p)

    def group_of(self, studies: pd.DataFrame) -> pd.Series:
        if self.group_by is None:
            return pd.Series(ALL_STUDIES, index=studies.index, dtype=object)
        column = studies[self.group_by]
        return column.astype(object).where(column.notna(), UNCLASSIFIED)

    def ordered_groups(self, studies: pd.DataFrame) -> list[str]:
        """The protocol's groups in its order (empty ones too), then any other group the studies
        name, then the unclassified: no study drops out of the synthesis."""
        if self.group_by is None:
            return [ALL_STUDIES]
        named = set(self.group_of(studies))
        extra = sorted(named - set(self.groups) - {UNCLASSIFIED})
        return [*self.groups, *extra, *([UNCLASSIFIED] if UNCLASSIFIED in named else [])]

    def members(self, studies: pd.DataFrame, group: str) -> pd.DataFrame:
        return studies[self.group_of(studies) == group]


@dataclass(frozen=True)
class Plan:
    analyses: tuple[Analysis, ...]  # the first is the review's primary analysis
    describe_by: tuple[str, ...]

    @classmethod
    def from_config(cls, synthesis: Mapping[str, Any]) -> Plan:
        return cls(
            analyses=tuple(Analysis.from_config(a, synthesis) for a in synthesis["analyses"]),
            describe_by=tuple(synthesis["describe_by"]),
        )

    @property
    def primary(self) -> Analysis:
        return self.analyses[0]

    def analysis(self, analysis_id: str) -> Analysis:
        return next(a for a in self.analyses if a.id == analysis_id)
