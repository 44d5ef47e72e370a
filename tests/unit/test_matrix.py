"""The matrix of reviews holds the protocol's space to account: all pairs of its axes' values
meet in some review, every key of the schema has a place in it, and every value a key may take
(an enumeration, true and false) is taken by some review's protocol."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from prismaflow.config import CONFIG_SCHEMA, load_yaml, validate_config
from tests.matrix.axes import AXES, EVERY_REVIEW, NOT_IN_THE_MATRIX
from tests.matrix.build import Review
from tests.matrix.design import design, uncovered_pairs
from tests.schema import LEAVES, choices, schema_keys

SPECS = design()
SCHEMA = load_yaml(CONFIG_SCHEMA)


def test_every_pair_of_values_meets_in_some_review():
    assert {kind: sorted(left) for kind, left in uncovered_pairs(SPECS).items() if left} == {}
    assert len(SPECS) <= 12  # each is run end to end in the default suite


def test_every_key_of_the_schema_has_a_place_in_the_matrix():
    """A key added to the schema fails here until an axis sets it, every review sets it, or
    the reason it is tested elsewhere is written down."""
    placed = {key for axes in AXES.values() for axis in axes for key in axis.keys}
    places = placed | set(EVERY_REVIEW) | set(NOT_IN_THE_MATRIX)
    assert sorted(set(LEAVES) - places) == []
    known = {path for path, _ in schema_keys(SCHEMA)}
    assert sorted(places - known) == []  # no place for a key the schema no longer has


def observed(schema: dict, value: Any, key: str, seen: dict[str, set]) -> None:
    """Each key's values in a protocol, by its path as schema_keys writes it (a list's items
    under [], a mapping's free names under *)."""
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            if name in value:
                observed(sub, value[name], f"{key}.{name}" if key else name, seen)
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        seen[key].add("set")
        for entry in value.values():
            observed(schema["additionalProperties"], entry, f"{key}.*", seen)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        seen[key].add("set" if value else "empty")
        for entry in value:
            observed(schema["items"], entry, f"{key}[]", seen)
    elif isinstance(value, (str, bool, int, float, type(None))):
        seen[key].add(value)
    else:
        seen[key].add("set")


@pytest.fixture(scope="module")
def protocols(tmp_path_factory):
    """Every matrix review's protocol, as the checks fill it, in each of its versions."""
    found = []
    for spec in SPECS:
        folder = tmp_path_factory.mktemp("protocols") / spec.name
        for version in (1, 2) if spec.values["living"] == "on" else (2,):
            review = Review(spec, folder, version=version)
            review.make_records()
            found.append(validate_config(review.protocol()))
    return found


def test_every_key_is_set_and_every_value_it_may_take_is_taken(protocols):
    seen: dict[str, set] = defaultdict(set)
    for protocol in protocols:
        observed(SCHEMA, protocol, "", seen)
    missing, untaken = [], {}
    for path, sub in schema_keys(SCHEMA):
        if path in NOT_IN_THE_MATRIX or path not in LEAVES:
            continue
        values = seen.get(path, set())
        if not values - {None, "empty"}:
            missing.append(path)  # never given a value by any review
        options = choices(sub)
        if options and set(options) - values:
            untaken[path] = sorted(map(str, set(options) - values))
    assert missing == [] and untaken == {}
