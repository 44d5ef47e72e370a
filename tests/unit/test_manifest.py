"""The run manifest records each artifact's hash and lineage, and finds files changed since."""

import json

import pandas as pd

from prismaflow.manifest import build_manifest, verify
from prismaflow.parquet_io import write_artifact


def test_manifest_records_hashes_lineage_and_versions_and_detects_changes(tmp_path):
    source = tmp_path / "a.parquet"
    write_artifact(pd.DataFrame({"x": [1]}), source, rule="first")
    derived = tmp_path / "b.parquet"
    write_artifact(
        pd.DataFrame({"y": [2]}), derived, rule="second", inputs={"a": [source]}, params={"k": 1}
    )
    figure = tmp_path / "c.svg"
    figure.write_text("<svg/>")
    manifest = build_manifest([source, derived, figure], {"review": {}}, {"pubmed": "snapshot"})
    json.dumps(manifest)  # serialisable as written
    entries = {e["path"].rsplit("/", 1)[-1]: e for e in manifest["artifacts"]}
    assert entries["b.parquet"]["rule"] == "second"
    assert entries["b.parquet"]["inputs"] == [
        {"name": "a", "path": str(source), "sha256": entries["a.parquet"]["sha256"]}
    ]
    assert "rule" not in entries["c.svg"] and entries["c.svg"]["bytes"] == 6
    assert manifest["packages"]["pandas"] == pd.__version__
    assert manifest["search_modes"] == {"pubmed": "snapshot"}
    assert verify(manifest) == []
    figure.write_text("<svg>changed</svg>")
    source.unlink()
    assert verify(manifest) == sorted([str(figure), str(source)])
