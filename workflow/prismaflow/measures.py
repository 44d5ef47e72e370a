"""The effect measures an analysis may name (synthesis.analyses[].measure) and the form fields
each reads, by role. The protocol check, the extraction gate and the synthesis all ask here
which fields an analysis needs, so a new measure is added once.

A measure reads one set of roles, or one of several: an effect as published is its estimate
with either its standard error or its 95% confidence interval."""

from __future__ import annotations

from collections.abc import Iterable

# Roles of the intervention arm, then of the control arm; a single-arm measure has no control.
SINGLE_ARM = ("events", "total")
BINARY = ("events", "total", "control_events", "control_total")
CONTINUOUS = ("mean", "sd", "total", "control_mean", "control_sd", "control_total")
# An effect as a study published it (a hazard ratio, an adjusted odds ratio, a difference).
WITH_SE = ("estimate", "se")
WITH_INTERVAL = ("estimate", "ci_low", "ci_high")
ROLE_SETS: dict[str, tuple[tuple[str, ...], ...]] = {
    "proportion": (SINGLE_ARM,),
    "risk_ratio": (BINARY,),
    "odds_ratio": (BINARY,),
    "risk_difference": (BINARY,),
    "mean_difference": (CONTINUOUS,),
    "standardised_mean_difference": (CONTINUOUS,),
    "generic_ratio": (WITH_SE, WITH_INTERVAL),
    "generic_difference": (WITH_SE, WITH_INTERVAL),
}
MEASURE_NAMES: tuple[str, ...] = tuple(ROLE_SETS)
# What type of form field can hold each role.
NUMBER = frozenset({"number", "integer"})
ROLE_TYPES: dict[str, frozenset[str]] = {
    "events": frozenset({"integer"}),
    "total": frozenset({"integer"}),
    "control_events": frozenset({"integer"}),
    "control_total": frozenset({"integer"}),
    "mean": NUMBER,
    "sd": NUMBER,
    "control_mean": NUMBER,
    "control_sd": NUMBER,
    "estimate": NUMBER,
    "se": NUMBER,
    "ci_low": NUMBER,
    "ci_high": NUMBER,
}
ALL_ROLES: tuple[str, ...] = tuple(ROLE_TYPES)


def roles_of(measure: str, given: Iterable[str]) -> tuple[str, ...] | None:
    """The measure's role set that the given roles are exactly, or None."""
    named = set(given)
    return next((roles for roles in ROLE_SETS[measure] if set(roles) == named), None)


def closest_roles(measure: str, given: Iterable[str]) -> tuple[str, ...]:
    """The role set a protocol most likely meant: the one sharing most roles with it."""
    named = set(given)
    return max(ROLE_SETS[measure], key=lambda roles: (len(named & set(roles)), -len(roles)))


def described(measure: str) -> str:
    """The roles a measure reads, as an error message names them."""
    return " or ".join(", ".join(roles) for roles in ROLE_SETS[measure])
