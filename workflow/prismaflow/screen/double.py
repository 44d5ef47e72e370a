"""How many independent reviewers a title/abstract record needs: one, or two for the
protocol's share of records.

The share is drawn per record from a hash of the seed and the record id, not from the order of
the records: a living review's new records fall in or out of it without moving the old ones,
and two runs, or the app and the workflow, always agree on which records need two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

SCALE = 2**64


def reviewers_needed(record_id: str, double_screening: Mapping[str, Any]) -> int:
    share = float(double_screening.get("share", 0))
    if share >= 1:
        return 2
    if share <= 0:
        return 1
    seed = double_screening.get("seed", 1)
    digest = hashlib.sha256(f"{seed}:{record_id}".encode()).digest()
    return 2 if int.from_bytes(digest[:8], "big") < share * SCALE else 1
