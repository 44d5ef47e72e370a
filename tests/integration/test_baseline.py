"""The embedded default's counts at every stage, against the committed baseline.

A change that moves any of them on purpose updates tests/baselines/embedded_default.json
(run with PRISMAFLOW_UPDATE_BASELINE=1) so that the change is reviewed in `git diff`."""

import json
import os

import pytest

from prismaflow import catalog
from prismaflow.parquet_io import read_frame
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
BASELINE = ROOT / "tests" / "baselines" / "embedded_default.json"


def counts(results) -> dict:
    def table(name, **wildcards):
        return read_frame(catalog.under(results, name, **wildcards))

    decisions = table("decisions")
    prisma = table("prisma")
    return {
        "search": {s: len(table("source_records", source=s)) for s in ("pubmed", "scopus")},
        "dedupe": {"links": len(table("links")), "canonical_records": len(table("records"))},
        "screen": {
            f"{phase} {decision}": int(n)
            for (phase, decision), n in decisions.groupby(["phase", "decision"]).size().items()
        },
        "extract": {"studies": len(table("studies"))},
        "synthesise": {
            "groups": {
                row.group: {
                    "studies": int(row.studies),
                    "participants": None
                    if row.participants != row.participants
                    else int(row.participants),
                }
                for row in table("groups").itertuples()
            },
            "prisma": {
                " ".join(filter(None, [r.box, r.source, r.reason])): int(r.count)
                for r in prisma.itertuples()
            },
        },
    }


def test_the_embedded_default_counts_what_the_baseline_says(finished_run):
    found = json.loads(json.dumps(counts(finished_run / "results"), default=int))
    if os.environ.get("PRISMAFLOW_UPDATE_BASELINE"):
        BASELINE.write_text(json.dumps(found, indent=2, sort_keys=True) + "\n")
    assert found == json.loads(BASELINE.read_text())
