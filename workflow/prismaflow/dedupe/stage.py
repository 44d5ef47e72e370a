"""Stage 02 as data: all sources' records in, links and canonical records out."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from prismaflow.dedupe.cluster import cluster
from prismaflow.dedupe.merge import canonical_records, links_frame
from prismaflow.dedupe.overrides import Override


def deduplicate(
    frames: Sequence[pd.DataFrame],
    *,
    year_tolerance: int,
    min_title_length: int,
    overrides: Sequence[Override] = (),
    previous: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(links, canonical records) for the union of every source's records.

    `previous` is an earlier run's links table: its clusters and canonical ids are kept, and
    new records join them or form clusters of their own (a living review's update).
    """
    records = pd.concat(frames, ignore_index=True)
    clustering = cluster(
        records,
        year_tolerance=year_tolerance,
        min_title_length=min_title_length,
        overrides=overrides,
        previous=previous,
    )
    links = links_frame(records, clustering)
    return links, canonical_records(records, links)
