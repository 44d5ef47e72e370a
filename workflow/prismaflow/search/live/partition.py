"""Splitting a search the database will not page through whole into parts it will, asking as
few questions as possible.

Both databases stop paging at a ceiling (PubMed at 10,000 records, Scopus at 5,000 by offset),
so a larger query is split into date ranges, each under the ceiling. A range is halved only
where that is needed, and a half's count is taken from what is already known whenever the
split is exact: if a range holds n and its first half l, its second holds n - l, so a range
known to be empty, or known to need splitting again, costs no request at all.

A split is exact when no record can fall in both halves or in neither, which a split on a
year boundary is whatever precision the database keeps dates at (a record dated by its year or
a season alone is still inside its year). Splits within a year are not: each half is counted,
and a database that does not resolve dates within the range is told apart from one that does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from prismaflow.errors import ReconciliationError
from prismaflow.search.live.http import SearchError

Span = TypeVar("Span")


def partition(
    whole: Span,
    total: int,
    *,
    count: Callable[[Span], int],
    split: Callable[[Span], tuple[Span, Span, bool] | None],
    most: int,
    describe: Callable[[Span], str],
) -> list[tuple[Span, int]]:
    """The ranges, in order, that hold at most `most` of the query's records each, with their
    counts. `split` gives a range's halves and whether the split is exact, or None when the
    range cannot be split further; `count` asks the database."""
    parts: list[tuple[Span, int]] = []
    pending: list[tuple[Span, int | None]] = [(whole, total)]
    while pending:
        span, known = pending.pop(0)
        n = count(span) if known is None else known
        if n == 0:
            continue
        if n <= most:
            parts.append((span, n))
            continue
        halves = split(span)
        if halves is None:
            raise SearchError(
                f"{n} records in {describe(span)} alone, more than the {most} the database "
                "pages through; narrow the query (a publication-type, language or field limit)"
            )
        left, right, exact = halves
        n_left = count(left)
        if exact and n_left > n:
            raise ReconciliationError(
                f"{describe(left)} holds {n_left} records but all of {describe(span)} held {n}: "
                "the result set changed while the search was being split; run it again"
            )
        n_right = n - n_left if exact else count(right)
        if not exact and n_left == n and n_right == n:
            raise SearchError(
                f"{n} records in {describe(span)}, more than the {most} the database pages "
                "through, and the database does not tell its dates apart within that range "
                "(it matches them by year); narrow the query"
            )
        pending[:0] = [(left, n_left), (right, n_right)]
    return parts
