"""Results that cannot lie: an artifact edited by hand (schema, metadata and modification time
kept), one cut short, and one older than its inputs are each named, never believed, and rebuilt
by the command the message gives."""

import os
import shutil

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from prismaflow import catalog
from tests.integration.conftest import copy_of, prismaflow, read, snakemake

pytestmark = pytest.mark.integration


def forge(path, change) -> None:
    """Rewrite a table with `change` applied, its schema and metadata (the lineage and the
    content hash its rule recorded) kept, and its modification time restored."""
    before = os.stat(path)
    table = pq.read_table(path)
    frame = change(table.to_pandas())
    forged = pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False)
    pq.write_table(forged.replace_schema_metadata(table.schema.metadata), path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def exclude_one_study(decisions: pd.DataFrame) -> pd.DataFrame:
    row = decisions.index[
        (decisions["phase"] == "full_text") & (decisions["decision"] == "include")
    ][0]
    decisions.loc[row, ["decision", "reason", "decided_by"]] = ["exclude", "wrong_design", "alice"]
    return decisions


@pytest.fixture
def run(finished_run, tmp_path):
    return copy_of(finished_run, tmp_path, "review")


def test_a_hand_edited_decision_is_named_by_verify_status_and_trace(run):
    path = catalog.under(run / "results", "decisions")
    included = read(run, "studies")["record_id"].iloc[0]
    forge(path, exclude_one_study)
    assert "Nothing to be done" in snakemake(run, "-n").stdout  # timestamps cannot tell
    checked = prismaflow(run, "verify")
    assert checked.returncode == 1
    assert "results/03_screen/decisions.parquet: its content is not what rule screen_records" in (
        checked.stdout
    )
    assert "not the file the screen gate checked" in checked.stdout
    state = prismaflow(run, "status")
    assert "screen      no" in state.stdout and "Not as the workflow made it" in state.stdout
    traced = prismaflow(run, "trace", included)
    assert traced.returncode == 2 and "by alice" not in traced.stdout
    exported = prismaflow(run, "export-docx")
    assert exported.returncode == 2 and "decisions.parquet" in exported.stderr
    assert not (run / "results" / "report" / "tables.docx").exists()
    fix = "rebuild it: snakemake --cores 2 --forcerun results/03_screen/decisions.parquet"
    assert fix in traced.stderr and "Traceback" not in traced.stderr
    snakemake(run, "--forcerun", "results/03_screen/decisions.parquet")
    assert prismaflow(run, "verify").returncode == 0
    assert read(run, "studies")["record_id"].iloc[0] == included


def test_a_truncated_artifact_is_named_with_the_fix_and_rebuilt_once_deleted(run):
    path = catalog.under(run / "results", "records")
    path.write_bytes(path.read_bytes()[:2048])  # newer than its gate: the gate runs again
    failed = snakemake(run, "dedupe", check=False)
    assert failed.returncode != 0
    log = (run / catalog.log_file("qc", "dedupe")).read_text()
    assert "results/02_dedupe/records.parquet: not a readable Parquet table" in log
    assert "snakemake --cores 2 --forcerun results/02_dedupe/records.parquet" in log
    assert "Traceback" not in log
    snakemake(run, "dedupe", "--forcerun", "results/02_dedupe/records.parquet")
    assert prismaflow(run, "verify").returncode == 0


def test_an_artifact_older_than_its_inputs_is_out_of_date(run, tmp_path):
    links = catalog.under(run / "results", "links")
    older = tmp_path / "links.parquet"
    shutil.copy(links, older)
    forge(links, lambda frame: frame)  # same content: verify has nothing to say
    assert prismaflow(run, "verify").returncode == 0
    table = pq.read_table(links)
    metadata = dict(table.schema.metadata)
    pq.write_table(table.slice(1).replace_schema_metadata(metadata), links)  # one link fewer
    checked = prismaflow(run, "verify")
    assert checked.returncode == 1
    assert "results/02_dedupe/links.parquet: its content is not what rule dedupe_records" in (
        checked.stdout
    )
    assert "out of date: made from another version of results/02_dedupe/links.parquet" in (
        checked.stdout
    )
