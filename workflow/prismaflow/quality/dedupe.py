"""Gate of stage 02: every searched record linked exactly once; no cluster mixes two DOIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations.expectations as gxe
import pandas as pd

from prismaflow.dedupe.cluster import DOI_OVERRULING, LINK_RULES
from prismaflow.parquet_io import read_frame
from prismaflow.quality.checks import Check, equal, invariant
from prismaflow.quality.gx_runner import Suite, run_suites
from prismaflow.quality.search import language_check, record_expectations


def checks(inputs: Mapping[str, Any], params: Mapping[str, Any]) -> list[Check]:
    searched = pd.concat([read_frame(p) for p in inputs["source_records"]], ignore_index=True)
    links = read_frame(inputs["links"])
    records = read_frame(inputs["records"])
    found = run_suites(
        [
            Suite(
                "links",
                links,
                [
                    gxe.ExpectColumnValuesToBeUnique(column="record_id"),
                    gxe.ExpectColumnValuesToNotBeNull(column="canonical_id"),
                    gxe.ExpectColumnValuesToBeInSet(column="rule", value_set=list(LINK_RULES)),
                ],
            ),
            Suite("records", records, record_expectations()),
        ]
    )
    linked = (links["rule"] != "canonical").sum()
    members = links.merge(searched[["record_id", "doi"]], on="record_id", how="left")
    doi_counts = members.dropna(subset=["doi"]).groupby("canonical_id")["doi"].nunique()
    # A reviewer's override may join two DOIs (one of them an entry error), and so may records
    # identical in every other field (rule all_but_doi); nothing else may.
    vouched = set(links.loc[links["rule"].isin(DOI_OVERRULING), "canonical_id"])
    mixed = set(doi_counts[doi_counts > 1].index) - vouched
    return [
        *found,
        language_check(records),
        invariant(
            "links",
            "every_searched_record_is_linked",
            set(searched["record_id"]) - set(links["record_id"]),
        ),
        invariant(
            "links",
            "every_link_is_a_searched_record",
            set(links["record_id"]) - set(searched["record_id"]),
        ),
        equal(
            "records",
            "canonical_count_equals_input_minus_linked",
            len(records),
            len(searched) - linked,
            input=len(searched),
            linked=int(linked),
        ),
        invariant(
            "records",
            "canonical_records_equal_link_targets",
            set(records["record_id"]) ^ set(links["canonical_id"]),
        ),
        invariant("links", "no_cluster_mixes_different_dois_unless_overridden", mixed),
    ]
