"""Gate of stage 01: records well-formed; each query retrieved, once each, every record the
database reported: distinct record ids are compared, so a result set that lost one record and
repeated another while it was paged cannot pass on its count."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe
import pandas as pd

from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, equal, invariant
from prismaflow.quality.gx_runner import Suite, run_suites


def record_expectations() -> list:
    """Shared by every stage that holds canonical records."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="record_id"),
        gxe.ExpectColumnValuesToBeUnique(column="record_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="title"),
        gxe.ExpectColumnValuesToMatchRegex(column="doi", regex=r"^10\.\d{4,9}/\S+$"),
        gxe.ExpectColumnValuesToMatchRegex(column="pmid", regex=r"^[1-9]\d*$"),
        gxe.ExpectColumnValuesToBeBetween(column="year", min_value=1800, max_value=2100),
    ]


def language_check(records: pd.DataFrame) -> Check:
    """Each of a record's languages is a three-letter code (a list column, beyond the reach of
    a column expectation)."""
    code = re.compile(r"[a-z]{3}")
    offending = [
        record_id
        for record_id, languages in zip(records["record_id"], records["language"], strict=True)
        if languages is not None and not all(code.fullmatch(str(lang)) for lang in languages)
    ]
    return invariant("records", "language_is_a_three_letter_code", offending)


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    records = pd.concat([read_frame(p) for p in inputs["source_records"]], ignore_index=True)
    hits = pd.concat([read_frame(p) for p in inputs["source_hits"]], ignore_index=True)
    log = read_frame(inputs["search_log"])
    log["query_key"] = log["source"] + "/" + log["query_id"]
    found = run_suites(
        [
            Suite(
                "records",
                records,
                [
                    *record_expectations(),
                    gxe.ExpectColumnValuesToBeInSet(column="source", value_set=params["sources"]),
                    gxe.ExpectColumnValuesToNotBeNull(column="raw_sha256"),
                ],
            ),
            Suite(
                "search_log",
                log,
                [
                    gxe.ExpectColumnPairValuesToBeEqual(
                        column_A="reported_count", column_B="retrieved_count"
                    ),
                    gxe.ExpectColumnPairValuesToBeEqual(
                        column_A="reported_count", column_B="unique_records"
                    ),
                    gxe.ExpectColumnValuesToNotBeNull(column="query"),
                ],
                id_column="query_key",
            ),
        ]
    )
    per_query = hits.groupby(["source", "query_id"])["record_id"]
    logged = log.set_index(["source", "query_id"])

    def differing(found: pd.Series, column: str) -> list[str]:
        return [f"{s}/{q}" for (s, q), n in logged[column].items() if found.get((s, q), 0) != n]

    mismatched = differing(per_query.size(), "retrieved_count")
    not_distinct = differing(per_query.nunique(), "reported_count")
    repeated = hits[hits.duplicated(["source", "query_id", "record_id"], keep="first")]
    hit_ids, record_ids = set(hits["record_id"]), set(records["record_id"])
    expected_queries = {f"{s}/{q}" for s, ids in params["queries"].items() for q in ids}
    return [
        *found,
        language_check(records),
        invariant(
            "search_log", "every_configured_query_was_run", expected_queries - set(log["query_key"])
        ),
        invariant("hits", "hits_per_query_equal_retrieved_count", mismatched),
        invariant("hits", "distinct_records_per_query_equal_reported_count", not_distinct),
        invariant(
            "hits",
            "no_record_retrieved_twice_by_a_query",
            {f"{r.source}/{r.query_id}: {r.record_id}" for r in repeated.itertuples()},
        ),
        invariant("records", "every_record_was_retrieved_by_a_query", record_ids - hit_ids),
        invariant("hits", "every_hit_is_a_record", hit_ids - record_ids),
        equal("records", "records_equal_distinct_hits", len(records), len(hit_ids)),
    ]
