"""The outcome of one expectation or invariant, as a gate verdict reports it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_IDS = 200  # enough to act on; the full list is in the gate's log


@dataclass
class Check:
    artifact: str
    name: str
    success: bool
    kwargs: dict[str, Any] = field(default_factory=dict)
    statistics: dict[str, Any] = field(default_factory=dict)
    unexpected_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["unexpected_ids"] = data["unexpected_ids"][:MAX_IDS]
        return data


def invariant(
    artifact: str, name: str, offending: list[str] | set[str], **statistics: Any
) -> Check:
    """An invariant holds when nothing offends it; the offenders are named."""
    offenders = sorted(map(str, offending))
    return Check(artifact, name, not offenders, statistics=statistics, unexpected_ids=offenders)


def equal(artifact: str, name: str, left: int, right: int, **statistics: Any) -> Check:
    return Check(
        artifact,
        name,
        int(left) == int(right),
        statistics={"left": int(left), "right": int(right), **statistics},
    )
