"""Clustering records into studies: exact identifiers first, then normalised title and year.

Two records join only if their clusters' DOIs and PMIDs agree: a chain of title matches can
never put two different DOIs in one cluster.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from prismaflow.dedupe.normalise import normalise_title

SOURCE_PRIORITY = ("pubmed", "scopus")


@dataclass(frozen=True)
class Link:
    record_id: str
    matched_record_id: str
    rule: str
    score: float


def _as_set(value: object) -> set[str]:
    return {value} if isinstance(value, str) and value else set()


class _Clusters:
    """Union-find whose unions are refused when the two clusters' identifiers conflict."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.parent = {i: i for i in frame["record_id"]}
        self.keys = {
            i: {"doi": _as_set(d), "pmid": _as_set(p)}
            for i, d, p in zip(frame["record_id"], frame["doi"], frame["pmid"], strict=True)
        }

    def find(self, node: str) -> str:
        while self.parent[node] != node:
            self.parent[node] = self.parent[self.parent[node]]
            node = self.parent[node]
        return node

    def union(self, a: str, b: str) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        keys_a, keys_b = self.keys[root_a], self.keys[root_b]
        for name in ("doi", "pmid"):
            if keys_a[name] and keys_b[name] and keys_a[name] != keys_b[name]:
                return False
        self.parent[root_b] = root_a
        for name in ("doi", "pmid"):
            keys_a[name] |= keys_b[name]
        return True


def _candidate_pairs(frame: pd.DataFrame, key: pd.Series) -> list[tuple[str, str]]:
    """Consecutive members of each block of equal keys (blocking: linear, never all pairs)."""
    pairs = []
    blocks: dict[str, list[str]] = defaultdict(list)
    for record_id, value in zip(frame["record_id"], key, strict=True):
        if isinstance(value, str) and value:
            blocks[value].append(record_id)
    for members in blocks.values():
        pairs.extend(pairwise(members))
    return pairs


@dataclass(frozen=True)
class Clustering:
    links: list[Link]
    canonical_id: dict[str, str]


def cluster(frame: pd.DataFrame, *, year_tolerance: int, min_title_length: int) -> Clustering:
    """Every link made, in order, and each record's canonical record (the first member of its
    cluster by source priority, then record id, so the choice is stable across runs)."""
    order = frame.assign(
        _priority=frame["source"].map({s: i for i, s in enumerate(SOURCE_PRIORITY)}).fillna(99)
    ).sort_values(["_priority", "record_id"], kind="stable")
    clusters = _Clusters(order)
    links: list[Link] = []
    years = dict(zip(order["record_id"], order["year"], strict=True))

    def link_all(pairs: list[tuple[str, str]], rule: str, accept=lambda a, b: True) -> None:
        for a, b in pairs:
            if accept(a, b) and clusters.union(a, b):
                links.append(Link(b, a, rule, 1.0))

    link_all(_candidate_pairs(order, order["doi"]), "doi")
    link_all(_candidate_pairs(order, order["pmid"]), "pmid")
    titles = order["title"].map(normalise_title)
    titles = titles.where(titles.str.len() >= min_title_length)

    def years_agree(a: str, b: str) -> bool:
        ya, yb = years[a], years[b]
        return pd.isna(ya) or pd.isna(yb) or abs(int(ya) - int(yb)) <= year_tolerance

    link_all(_candidate_pairs(order, titles), "title_year", years_agree)
    canonical: dict[str, str] = {}
    first_of_root: dict[str, str] = {}
    for record_id in order["record_id"]:
        root = clusters.find(record_id)
        canonical[record_id] = first_of_root.setdefault(root, record_id)
    return Clustering(links, canonical)
