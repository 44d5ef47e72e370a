"""`prismaflow verify --release`: a frozen release whose file differs from its manifest is
named; an intact one passes."""

import json

import pandas as pd

from prismaflow.cli import main
from prismaflow.parquet_io import write_artifact
from prismaflow.provenance import sha256_file
from prismaflow.published import MANIFEST, artifact_path


def test_a_release_edited_after_it_was_frozen_is_named(tmp_path, capsys):
    release = tmp_path / "releases" / "v1"
    release.mkdir(parents=True)
    decisions = artifact_path(release, "decisions")
    write_artifact(pd.DataFrame({"record_id": ["a"], "decision": ["include"]}), decisions, rule="r")
    manifest = {"name": "v1", "files": {"decisions": {"sha256": sha256_file(decisions)}}}
    (release / MANIFEST).write_text(json.dumps(manifest))
    results = tmp_path / "results"
    results.mkdir()
    assert main(["verify", "--results", str(results), "--release", str(release)]) == 0
    write_artifact(pd.DataFrame({"record_id": ["a"], "decision": ["exclude"]}), decisions, rule="r")
    assert main(["verify", "--results", str(results), "--release", str(release)]) == 1
    out = capsys.readouterr()
    assert f"{decisions}: sha256" in out.out and "differs from the release manifest" in out.out
    assert "1 file(s) not as the workflow made them" in out.err
