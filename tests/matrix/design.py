"""The matrix's reviews: an all-pairs design over the axes (tests/matrix/axes.py), built
greedily and deterministically. Every pair of values of two review axes meets in some review;
every pair of values of two axes of one kind of part (analyses, export files) meets in some
part; and every review value meets every part value in some review. What cannot go together
(axes.disallowed, an axis that does not apply) is left out of what must be covered."""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.matrix.axes import (
    ANALYSIS_AXES,
    CROSSING,
    EXPORT_AXES,
    REVIEW_AXES,
    Axis,
    disallowed,
)

SEED = 20261207
TRIES = 40
MOST = {"analyses": 6, "exports": 6}  # parts a review holds at most
PARTS = {"analyses": ANALYSIS_AXES, "exports": EXPORT_AXES}
# Values that cost a review more to run, chosen only where they cover more: a living review
# runs twice (its published version, then the update).
COST = {("living", "on"): 1}
Value = tuple[str, Any]
Pair = tuple[Value, Value]


@dataclass(frozen=True)
class ReviewSpec:
    name: str
    index: int
    values: Mapping[str, Any]
    analyses: tuple[Mapping[str, Any], ...]
    exports: tuple[Mapping[str, Any], ...]


def key(a: Value, b: Value) -> Pair:
    """A pair of values of two axes, in one order (by axis name)."""
    return (a, b) if a[0] < b[0] else (b, a)


def pairs(item: Mapping[str, Any]) -> set[Pair]:
    """The pairs of values an item holds."""
    named = [(k, v) for k, v in item.items() if v is not None]
    return {key(a, b) for a, b in itertools.combinations(named, 2)}


def valid_items(axes: Sequence[Axis], context: Mapping[str, Any] | None = None):
    """Every item of these axes that may exist: an axis that does not apply is None."""
    for combination in itertools.product(*(axis.values for axis in axes)):
        item = dict(zip((a.name for a in axes), combination, strict=True))
        for axis in axes:
            if axis.applies and not axis.applies(item):
                item[axis.name] = None
        if not disallowed({**(context or {}), **item}):
            yield item


def _possible(axes: Sequence[Axis]) -> set[Pair]:
    return {pair for item in valid_items(axes) for pair in pairs(item)}


def _cross(reviews: Sequence[Mapping[str, Any]], kind: str) -> set[Pair]:
    """Review value x part value pairs some review could hold, for the review axes the part
    meets (axes.CROSSING)."""
    axes = PARTS[kind]
    part_values = {(a.name, v) for a in axes for v in a.values}
    found = set()
    for name in CROSSING[kind]:
        for value in {review[name] for review in reviews}:
            for part_value in part_values:
                if not disallowed({name: value, part_value[0]: part_value[1]}):
                    found.add(key((name, value), part_value))
    return found


def _context(review: Mapping[str, Any], kind: str) -> dict[str, Any]:
    return {name: review[name] for name in CROSSING[kind]}


def _best_item(
    axes: Sequence[Axis],
    uncovered: set[Pair],
    rng: random.Random,
    context: Mapping[str, Any],
    start: Mapping[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The item covering the most uncovered pairs (with its context's values), of a few
    greedy tries: axis by axis, the value that covers the most with those already chosen
    (AETG; Cohen et al. 1997). An axis that does not apply, once the values it depends on are
    chosen, is None."""
    best: tuple[int, dict[str, Any]] = (-1, {})
    best_cost = 0
    conditional = [axis for axis in axes if axis.applies]
    for _ in range(TRIES):
        item: dict[str, Any] = dict(start or {})
        order = [a for a in axes if not a.applies and a.name not in item]
        order = rng.sample(order, len(order)) + conditional
        for axis in order:
            if axis.applies and not axis.applies(item):
                item[axis.name] = None
                continue
            options = [v for v in axis.values if not disallowed({**context, **item, axis.name: v})]
            chosen = [(k, w) for k, w in (*context.items(), *item.items()) if w is not None]
            item[axis.name] = max(
                options,
                key=lambda v: (
                    sum(key((axis.name, v), c) in uncovered for c in chosen),
                    -COST.get((axis.name, v), 0),
                    rng.random(),
                ),
            )
        score = _gain(item, context, uncovered)
        cost = sum(COST.get(value, 0) for value in item.items())
        if (score, -cost) > (best[0], -best_cost):
            best, best_cost = (score, item), cost
    return best


def _gain(item: Mapping[str, Any], context: Mapping[str, Any], uncovered: set[Pair]) -> int:
    return len(_covered(item, context) & uncovered)


@functools.cache  # three test modules read it; made once per process (2 s)
def design() -> tuple[ReviewSpec, ...]:
    rng = random.Random(SEED)
    uncovered = _possible(REVIEW_AXES)
    reviews: list[dict[str, Any]] = []
    while uncovered:
        _, review = _best_item(REVIEW_AXES, uncovered, rng, {})
        reviews.append(review)
        uncovered -= pairs(review)
    parts = {kind: _parts(reviews, rng, kind) for kind in PARTS}
    return tuple(
        ReviewSpec(
            f"m{i + 1:02d}",
            i,
            review,
            tuple(parts["analyses"][i]),
            tuple(parts["exports"][i]),
        )
        for i, review in enumerate(reviews)
    )


def _parts(
    reviews: Sequence[Mapping[str, Any]], rng: random.Random, kind: str
) -> list[list[dict[str, Any]]]:
    """Each review's parts (analyses or exports), added where they cover the most: at least
    one per review (an export that prismaflow writes, for the review's own records), at most
    MOST of them."""
    axes = PARTS[kind]
    uncovered = _possible(axes) | _cross(reviews, kind)
    found: list[list[dict[str, Any]]] = [[] for _ in reviews]
    for i, review in enumerate(reviews):
        start = {"format": rng.choice(("ris", "bibtex", "csv"))} if kind == "exports" else None
        context = {**review, **_context(review, kind)}
        _, item = _best_item(axes, uncovered, rng, context, start)
        found[i].append(item)
        uncovered -= _covered(item, _context(review, kind))
    while uncovered:
        scored = [
            (*_best_item(axes, uncovered, rng, _context(review, kind)), i)
            for i, review in enumerate(reviews)
            if len(found[i]) < MOST[kind]
        ]
        if not scored:
            break
        score, item, i = max(scored, key=lambda s: s[0])
        if score == 0:
            break
        found[i].append(item)
        uncovered -= _covered(item, _context(reviews[i], kind))
    return found


def _covered(item: Mapping[str, Any], context: Mapping[str, Any]) -> set[Pair]:
    """The pairs an item holds, and those it makes with its context's values."""
    return pairs(item) | {
        key(c, v) for c in context.items() for v in item.items() if v[1] is not None
    }


def uncovered_pairs(specs: Sequence[ReviewSpec]) -> dict[str, set[Pair]]:
    """What the specs leave uncovered, by kind: empty when the design is all-pairs."""
    reviews = [spec.values for spec in specs]
    held_reviews = set().union(*(pairs(r) for r in reviews))
    left = {"reviews": _possible(REVIEW_AXES) - held_reviews}
    for kind, axes in PARTS.items():
        held = set().union(
            *(
                _covered(item, _context(spec.values, kind))
                for spec in specs
                for item in getattr(spec, kind)
            )
        )
        left[kind] = (_possible(axes) | _cross(reviews, kind)) - held
    return left
