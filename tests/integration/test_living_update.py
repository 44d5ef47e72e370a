"""A living review's update, end to end: the review is published from a search that ended in
2024, released, then updated by a search with a later end date that finds later records."""

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from prismaflow import catalog
from prismaflow.sandbox import copy_project
from tests.integration.conftest import prismaflow, read, snakemake

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_living_update")]
RELEASE = "releases/2024-09-30"


def edit_config(run, **changes):
    path = run / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *parents, key = dotted.split("__")
        node = config
        for parent in parents:
            node = node.setdefault(parent, {})
        node[key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def update(tmp_path_factory):
    """(review folder, published decisions, first run of the update) for the embedded default,
    first searched before the 2025 records existed and then updated to the end of 2025."""
    run = copy_project(tmp_path_factory.mktemp("living") / "review")
    subprocess.run(
        [
            sys.executable,
            "resources/snapshots/ruxolitinib/build_snapshot.py",
            *("--out", "resources/snapshots/first", "--until-year", "2024"),
        ],
        cwd=run,
        check=True,
        capture_output=True,
    )
    edit_config(run, search__snapshot="resources/snapshots/first")
    snakemake(run)
    released = prismaflow(run, "release", RELEASE)
    assert released.returncode == 0, released.stderr
    edit_config(
        run,
        search__snapshot="resources/snapshots/ruxolitinib",
        search__window__end="2025-12-31",
        screening__completeness="humans",
        update__previous_release=RELEASE,
    )
    first_pass = snakemake(run, check=False)
    return run, read(run, "decisions"), first_pass


def test_earlier_decisions_are_kept_and_only_new_records_await_a_reviewer(update):
    run, decisions, first_pass = update
    published = pd.read_parquet(run / RELEASE / "decisions.parquet")
    links = read(run, "links")
    earlier_records = set(pd.read_parquet(run / RELEASE / "links.parquet")["record_id"])
    new_records = set(links["record_id"]) - earlier_records
    assert new_records, "the later search should find records the first did not"
    carried = decisions[decisions["previous_version"].notna()]
    kept = carried.merge(published, on=["record_id", "phase"], suffixes=("", "_published"))
    assert len(kept) == len(carried) > 0
    for column in ("decision", "reason", "decided_by"):
        assert kept[column].fillna("").tolist() == kept[f"{column}_published"].fillna("").tolist()
    assert set(carried["previous_version"]) == {"2024-09-30"}
    # What awaits a reviewer is new to this version, and the gate stops the update there.
    awaiting = decisions[decisions["decision"] == "awaiting"]
    members = links[links["canonical_id"].isin(awaiting["record_id"])]
    assert len(awaiting) > 0 and set(members["record_id"]) <= new_records
    assert first_pass.returncode != 0
    assert "no_record_awaits_a_reviewer" in first_pass.stderr
    assert all(r in first_pass.stderr for r in awaiting["record_id"])


def test_status_counts_only_the_new_records_as_awaiting(update):
    run, decisions, _ = update
    shown = json.loads(prismaflow(run, "status", "--json").stdout)
    awaiting = decisions[decisions["decision"] == "awaiting"]
    assert shown["pending"]["title_abstract records awaiting a reviewer"] == len(awaiting) > 0
    assert awaiting["previous_version"].isna().all()


@pytest.fixture(scope="module")
def decided_update(update):
    """The update after a reviewer includes every record that awaited one."""
    run, decisions, _ = update
    awaiting = decisions.loc[decisions["decision"] == "awaiting", "record_id"]
    for phase in ("title_abstract", "full_text"):
        sheet = run / "config" / "decisions" / phase / "alice.csv"
        sheet.parent.mkdir(parents=True, exist_ok=True)
        sheet.write_text("record,decision,reason\n" + "".join(f"{r},include,\n" for r in awaiting))
    snakemake(run)
    return run, set(awaiting)


def test_the_prisma_counts_follow_the_template_for_updated_reviews(decided_update):
    run, newly_decided = decided_update
    counts = read(run, "prisma").groupby("box")["count"].sum()
    published = pd.read_parquet(run / RELEASE / "prisma.parquet").groupby("box")["count"].sum()
    links = read(run, "links")
    assert counts["identified"] == len(links)
    assert counts["previous_included"] == published["included"]
    assert counts["included"] == len(newly_decided)
    assert counts["total_included"] == published["included"] + len(newly_decided)
    removed = ("duplicates_removed", "previously_screened", "automation_removed")
    assert counts["identified"] - sum(counts[box] for box in removed) == counts["screened"]
    svg = catalog.under(run / "results", "prisma_svg").read_text(encoding="utf-8")
    for label in ("Studies included in previous version of review", "New studies included"):
        assert label in svg
    html = (run / "results" / "report" / "review.html").read_text(encoding="utf-8")
    assert "updated systematic reviews" in html and RELEASE in html


def test_published_extractions_carry_over_and_new_studies_are_prefilled(decided_update):
    run, newly_decided = decided_update
    studies = read(run, "studies").set_index("record_id")
    published = pd.read_parquet(run / RELEASE / "studies.parquet").set_index("record_id")
    carried = studies.loc[published.index]
    assert set(carried["previous_version"]) == {"2024-09-30"}
    pd.testing.assert_frame_equal(
        carried[published.columns.drop("previous_version")],
        published[published.columns.drop("previous_version")],
        check_dtype=False,
    )
    new = studies.loc[sorted(newly_decided)]
    assert new["previous_version"].isna().all()
    assert (new["condition_group_by"] == "machine").all()


def test_a_new_and_a_previous_study_trace_to_their_versions_boxes(decided_update):
    run, newly_decided = decided_update
    published = pd.read_parquet(run / RELEASE / "studies.parquet")
    for record, expected in (
        (sorted(newly_decided)[0], ["screened", "included", "total_included"]),
        (published["record_id"].iloc[0], ["previously_screened", "previous_included"]),
    ):
        shown = prismaflow(run, "trace", record, "--json")
        assert shown.returncode == 0, shown.stderr
        boxes = json.loads(shown.stdout)["synthesis"]["prisma_boxes"]
        assert all(box in boxes for box in expected) and boxes[-1] == "total_included"
