"""The protocol's synthesis plan (synthesis: in config.yaml): the outcome and its effect measure,
the field studies are grouped by, the fields each group is described by, and when a group is
pooled. Every stage output after extraction reads the review through this, never through
field names of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from prismaflow.config import DESIGN_FIELD
from prismaflow.synthesise.effects import Outcome

ALL_STUDIES = "all studies"  # the one group of a plan that groups nothing
UNCLASSIFIED = "unclassified"  # studies the grouping field leaves empty


@dataclass(frozen=True)
class Pooling:
    """What may be pooled and how (synthesis.pooling)."""

    method: str  # the estimator reported first: REML or DL
    hartung_knapp: bool
    exclude_designs: tuple[str, ...]  # designs described, never pooled (case reports)
    min_participants: int  # a study with fewer is described, not pooled

    def left_out(self, study: pd.Series, participants: float | None) -> str | None:
        """Why a study that reports the outcome's counts is not pooled, or None."""
        design = study.get(DESIGN_FIELD)
        if isinstance(design, str) and design in self.exclude_designs:
            return f"{design}: described, not pooled (synthesis.pooling.exclude_designs)"
        if participants is not None and participants < self.min_participants:
            return (
                f"{int(participants)} participant(s), fewer than "
                f"synthesis.pooling.min_participants ({self.min_participants})"
            )
        return None


@dataclass(frozen=True)
class Plan:
    outcome: Outcome
    group_by: str | None
    groups: tuple[str, ...]
    describe_by: tuple[str, ...]
    min_studies: int
    pooling: Pooling

    @classmethod
    def from_config(cls, synthesis: Mapping[str, Any]) -> Plan:
        return cls(
            outcome=Outcome.from_config(synthesis["outcome"]),
            group_by=synthesis["group_by"],
            groups=tuple(synthesis["groups"]),
            describe_by=tuple(synthesis["describe_by"]),
            min_studies=synthesis["min_studies"],
            pooling=Pooling(
                method=synthesis["pooling"]["method"],
                hartung_knapp=synthesis["pooling"]["hartung_knapp"],
                exclude_designs=tuple(synthesis["pooling"]["exclude_designs"]),
                min_participants=synthesis["pooling"]["min_participants"],
            ),
        )

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
