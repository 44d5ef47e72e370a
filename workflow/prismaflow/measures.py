"""The effect measures a protocol may name (synthesis.outcome.measure) and the form fields each
reads, by role. The protocol check, the extraction gate and the synthesis all ask here which
fields an outcome needs, so a new measure is added once."""

from __future__ import annotations

# Roles of the intervention arm, then of the control arm; a single-arm measure has no control.
SINGLE_ARM = ("events", "total")
BINARY = ("events", "total", "control_events", "control_total")
CONTINUOUS = ("mean", "sd", "total", "control_mean", "control_sd", "control_total")
ROLES: dict[str, tuple[str, ...]] = {
    "proportion": SINGLE_ARM,
    "risk_ratio": BINARY,
    "odds_ratio": BINARY,
    "risk_difference": BINARY,
    "mean_difference": CONTINUOUS,
    "standardised_mean_difference": CONTINUOUS,
}
# What type of form field can hold each role.
ROLE_TYPES: dict[str, frozenset[str]] = {
    "events": frozenset({"integer"}),
    "total": frozenset({"integer"}),
    "control_events": frozenset({"integer"}),
    "control_total": frozenset({"integer"}),
    "mean": frozenset({"number", "integer"}),
    "sd": frozenset({"number", "integer"}),
    "control_mean": frozenset({"number", "integer"}),
    "control_sd": frozenset({"number", "integer"}),
}
ALL_ROLES: tuple[str, ...] = tuple(ROLE_TYPES)
