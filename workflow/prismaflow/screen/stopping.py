"""When screening in ranked order may stop: the hypergeometric test of Callaghan and
Müller-Hansen (2020, Systematic Reviews 9:273), computed by buscarpy, the authors' package.

Each run of the last n records screened is treated as a random sample of what was unscreened
before it (conservative when ranking puts relevant records first); the null hypothesis is that
recall is below the target, i.e. that enough relevant records remain for the target to be
missed. The smallest p-value over every such run is compared with 1 - confidence. Its
guarantee is stated with its parameters, and holds for reviewers who screen in the order the
ranking gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from buscarpy import calculate_h0


@dataclass(frozen=True)
class StoppingCheck:
    recall: float
    confidence: float
    screened: int
    relevant: int
    total: int
    p_value: float | None  # None before any record is screened

    @property
    def met(self) -> bool:
        return self.p_value is not None and self.p_value < 1 - self.confidence

    def statement(self) -> str:
        """The criterion, its parameters and the figures, as the report and the app print them."""
        if self.p_value is None:
            return "stopping criterion: nothing screened yet"
        verdict = "met" if self.met else "not met"
        return (
            f"hypergeometric stopping criterion (Callaghan & Müller-Hansen 2020) {verdict}: "
            f"recall ≥ {self.recall:.0%} with {self.confidence:.0%} confidence, "
            f"p = {self.p_value:.3g} after {self.screened} of {self.total} records screened "
            f"({self.relevant} relevant)"
        )


def check(labels_in_order: Sequence[int], total: int, settings: Mapping[str, Any]) -> StoppingCheck:
    """`labels_in_order`: 1 relevant, 0 not, for the records screened, in the order screened;
    `total`: the records to be screened, screened or not."""
    recall, confidence = float(settings["recall"]), float(settings["confidence"])
    relevant = int(sum(labels_in_order))
    p_value = (
        float(calculate_h0(list(labels_in_order), total, recall_target=recall))
        if labels_in_order and relevant
        else None
    )
    return StoppingCheck(recall, confidence, len(labels_in_order), relevant, total, p_value)
