"""The protocol's schema as a list of keys, for tests that must hold every key to account."""

from __future__ import annotations

from typing import Any

from prismaflow.config import CONFIG_SCHEMA, load_yaml


def schema_keys(schema: dict, path: str = "") -> list[tuple[str, dict]]:
    """Every named property of the protocol schema, with its path."""
    found = []
    for name, sub in schema.get("properties", {}).items():
        found.append((f"{path}{name}", sub))
        found += schema_keys(sub, f"{path}{name}.")
        if isinstance(sub.get("items"), dict):
            found += schema_keys(sub["items"], f"{path}{name}[].")
        if isinstance(sub.get("additionalProperties"), dict):
            found += schema_keys(sub["additionalProperties"], f"{path}{name}.*.")
    return found


KEYS: list[tuple[str, dict[str, Any]]] = schema_keys(load_yaml(CONFIG_SCHEMA))
LEAVES = [path for path, sub in KEYS if "properties" not in sub]


def choices(sub: dict[str, Any]) -> list[Any] | None:
    """The values a key may take where the schema lists them (an enum, or true and false)."""
    if "enum" in sub:
        return list(sub["enum"])
    if sub.get("type") == "boolean":
        return [False, True]
    return None
