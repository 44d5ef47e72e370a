"""Clustering records into studies: earlier clusters, exact identifiers, scored pairs best first,
then reviewers' overrides.

A union is refused when it would put two different DOIs, PMIDs or first pages, two clusters of
an earlier run, or two records a reviewer keeps apart into one cluster: a chain of plausible
links can never merge two different studies. Only the link that found the conflicting values
itself identical in all else may join them (compare.OVERRULES).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import pandas as pd

from prismaflow.dedupe.compare import (
    OVERRULES,
    SCORED_RULES,
    comparison_keys,
    scored_links,
    titles_agree,
)
from prismaflow.dedupe.overrides import Override, resolved

SOURCE_PRIORITY = ("pubmed", "scopus")
IDENTIFIERS = ("doi", "pmid", "pmcid", "scopus_eid")
# A cluster holds at most one value of each; "previous" is the cluster of an earlier run.
EXCLUSIVE = (*IDENTIFIERS, "page", "previous")
LINK_RULES = ("canonical", "previous", *IDENTIFIERS, *SCORED_RULES, "override_link")
# The links that may put two DOIs in one cluster: a reviewer's, and a rule that overrules DOIs.
DOI_OVERRULING = ("override_link", *(rule for rule, names in OVERRULES.items() if "doi" in names))


@dataclass(frozen=True)
class Link:
    record_id: str
    matched_record_id: str
    rule: str
    score: float


@dataclass(frozen=True)
class Clustering:
    links: list[Link]
    canonical_id: dict[str, str]
    overridden: dict[str, list[str]] = field(default_factory=dict)  # record id -> descriptions


class _Clusters:
    """Union-find over row positions whose unions are refused when the clusters conflict."""

    def __init__(self, keys: pd.DataFrame, previous: dict[str, str]) -> None:
        self.parent = list(range(len(keys)))
        self.values = []
        for row in keys[["record_id", *IDENTIFIERS, "page"]].to_dict("records"):
            values = {name: {row[name]} if row[name] else set() for name in (*IDENTIFIERS, "page")}
            earlier = previous.get(row["record_id"])
            values["previous"] = {earlier} if earlier else set()
            self.values.append(values)
        self.apart: list[dict[int, str]] = [{} for _ in self.parent]  # override -> side

    def find(self, node: int) -> int:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def keep_apart(self, number: int, side_a: Sequence[int], side_b: Sequence[int]) -> None:
        for side, members in (("a", side_a), ("b", side_b)):
            for position in members:
                self.apart[self.find(position)][number] = side

    def union(self, a: int, b: int, trusting: Sequence[str] = ()) -> bool:
        """Join a's and b's clusters unless they hold disjoint values of an exclusive field or
        opposite sides of an `apart` override; `trusting` names fields this link overrules."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        values_a, values_b = self.values[root_a], self.values[root_b]
        for name in EXCLUSIVE:
            if (
                name not in trusting
                and values_a[name]
                and values_b[name]
                and not (values_a[name] & values_b[name])
            ):
                return False
        apart_a, apart_b = self.apart[root_a], self.apart[root_b]
        if "apart" not in trusting and any(
            apart_b.get(number, side) != side for number, side in apart_a.items()
        ):
            return False
        self.parent[root_b] = root_a
        for name in EXCLUSIVE:
            values_a[name] |= values_b[name]
        apart_a.update(apart_b)
        return True


def _identifier_pairs(keys: pd.DataFrame, name: str) -> list[tuple[int, int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for position, value in enumerate(keys[name]):
        if value:
            blocks[value].append(position)
    return [pair for members in blocks.values() for pair in pairwise(members)]


def _previous_links(ids: list[str], previous: pd.DataFrame | None):
    """Links of an earlier run among records still present: (position, matched position, link)."""
    if previous is None:
        return
    position = {record_id: i for i, record_id in enumerate(ids)}
    for row in previous.itertuples(index=False):
        if row.rule == "canonical" or row.record_id not in position:
            continue
        if row.matched_record_id in position:
            yield (
                position[row.record_id],
                position[row.matched_record_id],
                Link(row.record_id, row.matched_record_id, row.rule, row.score),
            )


def cluster(
    frame: pd.DataFrame,
    *,
    year_tolerance: int,
    min_title_length: int,
    overrides: Sequence[Override] = (),
    previous: pd.DataFrame | None = None,
) -> Clustering:
    """Every link made, in order, and each record's canonical record: an earlier run's canonical
    record where there is one, else the first member by source priority, then record id."""
    priority = frame["source"].map({s: i for i, s in enumerate(SOURCE_PRIORITY)}).fillna(99)
    order = frame.assign(_priority=priority).sort_values(["_priority", "record_id"], kind="stable")
    keys = comparison_keys(order)
    ids = keys["record_id"].tolist()
    earlier = (
        dict(zip(previous["record_id"], previous["canonical_id"], strict=True))
        if (previous is not None)
        else {}
    )
    clusters = _Clusters(keys, earlier)
    links: list[Link] = []
    overridden: dict[str, list[str]] = defaultdict(list)
    applied = list(resolved(overrides, keys))
    for number, (override, side_a, side_b) in enumerate(applied):
        if override.action == "apart":
            clusters.keep_apart(number, side_a, side_b)
    for a, b, link in _previous_links(ids, previous):
        if clusters.union(a, b, trusting=EXCLUSIVE):
            links.append(link)
    titles = keys["title"].tolist()
    for name in IDENTIFIERS:
        for a, b in _identifier_pairs(keys, name):
            # A shared identifier with agreeing titles names one study, whatever pages say.
            if titles_agree(titles[a], titles[b]) and clusters.union(a, b, trusting=("page",)):
                links.append(Link(ids[b], ids[a], name, 1.0))
    for a, b, verdict in scored_links(
        keys, year_tolerance=year_tolerance, min_title_length=min_title_length
    ):
        if clusters.union(a, b, trusting=OVERRULES.get(verdict.rule, ())):
            links.append(Link(ids[b], ids[a], verdict.rule, round(verdict.score, 4)))
    for override, side_a, side_b in applied:
        for a in side_a:
            overridden[ids[a]].append(override.describe(override.record_b))
        for b in side_b:
            overridden[ids[b]].append(override.describe(override.record_a))
        if override.action == "link":
            for b in side_b:
                if clusters.union(side_a[0], b, trusting=(*EXCLUSIVE, "apart")):
                    links.append(Link(ids[b], ids[side_a[0]], "override_link", 1.0))
    return Clustering(links, _canonical(ids, clusters, set(earlier.values())), dict(overridden))


def _canonical(ids: list[str], clusters: _Clusters, earlier: set[str]) -> dict[str, str]:
    chosen: dict[int, str] = {}
    for position, record_id in enumerate(ids):
        if record_id in earlier:
            chosen.setdefault(clusters.find(position), record_id)
    for position, record_id in enumerate(ids):
        chosen.setdefault(clusters.find(position), record_id)
    return {record_id: chosen[clusters.find(p)] for p, record_id in enumerate(ids)}
