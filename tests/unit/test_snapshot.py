import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prismaflow.errors import InputFileError, ReconciliationError
from prismaflow.search import snapshot, stage
from tests.conftest import ROOT

SNAPSHOT = ROOT / "resources" / "snapshots" / "ruxolitinib"


def queries(config, source):
    return [{"id": q["id"], source: q[source]} for q in config["search"]["queries"]]


def test_replay_retrieves_what_each_query_reported(config):
    for source in ("pubmed", "scopus"):
        for result in snapshot.replay(SNAPSHOT, source, queries(config, source)):
            assert result.reported == len(result.records) > 0
            assert {r["query_id"] for r in result.records} == {result.query_id}
            assert all(
                r["raw_sha256"] in {x.sha256 for x in result.responses} for r in result.records
            )


def test_scopus_recording_pages_through_results(config):
    results = snapshot.replay(SNAPSHOT, "scopus", queries(config, "scopus"))
    assert all(len(r.responses) >= 2 for r in results)


def test_stage_outputs_account_for_every_hit(config, tmp_path):
    results = snapshot.replay(SNAPSHOT, "pubmed", queries(config, "pubmed"))
    records = stage.source_records(results)
    hits = stage.hits(results)
    log = stage.log_rows(results, mode="snapshot", window=None, timestamp="t")
    assert len(hits) == sum(len(r.records) for r in results)
    assert set(hits["record_id"]) == set(records.column("record_id").to_pylist())
    assert log["retrieved_count"].tolist() == log["reported_count"].tolist()
    stage.store_raw(results, tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.gz")} == {
        f for files in log["raw_files"] for f in files
    }


def test_a_query_that_differs_from_the_recording_is_refused(config):
    changed = queries(config, "pubmed")
    changed[0]["pubmed"] = "ruxolitinib AND dermatology"
    with pytest.raises(ReconciliationError, match="differs from the recorded one"):
        snapshot.replay(SNAPSHOT, "pubmed", changed)


def test_an_unrecorded_query_is_refused(config):
    with pytest.raises(ReconciliationError, match="'baricitinib' is not in the snapshot"):
        snapshot.replay(SNAPSHOT, "pubmed", [{"id": "baricitinib", "pubmed": "baricitinib"}])


def copy_snapshot(tmp_path: Path) -> Path:
    target = tmp_path / "snap"
    shutil.copytree(SNAPSHOT, target, ignore=shutil.ignore_patterns("source", "*.py", "*.md"))
    return target


def test_an_edited_response_is_refused(config, tmp_path):
    target = copy_snapshot(tmp_path)
    efetch = target / "pubmed" / "ruxolitinib_cream" / "efetch_000000.xml"
    efetch.write_bytes(efetch.read_bytes().replace(b"Ruxolitinib", b"Tofacitinib", 1))
    with pytest.raises(InputFileError, match="differs from the snapshot manifest"):
        snapshot.replay(target, "pubmed", queries(config, "pubmed"))


def test_a_recording_short_of_its_reported_count_fails_with_the_shortfall(config, tmp_path):
    target = copy_snapshot(tmp_path)
    manifest = json.loads((target / "snapshot.json").read_text())
    responses = manifest["sources"]["scopus"]["queries"]["ruxolitinib_cream"]["responses"]
    responses.pop()  # the last page never arrived
    (target / "snapshot.json").write_text(json.dumps(manifest))
    with pytest.raises(
        ReconciliationError, match=r"holds 31 records but 25 distinct ones were retrieved"
    ):
        snapshot.replay(target, "scopus", queries(config, "scopus"))


def test_the_build_script_reproduces_the_committed_snapshot(tmp_path):
    script = SNAPSHOT / "build_snapshot.py"
    subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)], check=True, capture_output=True
    )
    committed = sorted(
        p.relative_to(SNAPSHOT)
        for p in SNAPSHOT.rglob("*")
        if p.is_file() and p.parts[len(SNAPSHOT.parts)] in ("pubmed", "scopus")
    )
    rebuilt = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert rebuilt == sorted([*committed, Path("snapshot.json")])
    for relative in rebuilt:
        assert (tmp_path / relative).read_bytes() == (SNAPSHOT / relative).read_bytes(), relative
