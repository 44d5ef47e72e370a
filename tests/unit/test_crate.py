"""The run's Workflow Run RO-Crate: written, read back with the rocrate library, and saying
what ran, on what, with what and what came out."""

from pathlib import Path

from rocrate.rocrate import ROCrate

from prismaflow.crate import PROFILES, build_crate, write_crate

MANIFEST = {
    "code_version": "0.1.0+abc",
    "config_sha256": "c" * 64,
    "search_modes": {"pubmed": "snapshot", "scopus": "live"},
    "packages": {"snakemake": "9.27.1", "pandas": "2.3.3"},
    "created": "2026-11-24T18:00:00+00:00",
    "artifacts": [
        {
            "path": "results/02_dedupe/records.parquet",
            "sha256": "a" * 64,
            "bytes": 10,
            "rule": "dedupe",
        },
        {"path": "results/report/review.html", "sha256": "b" * 64, "bytes": 20},
    ],
}


def test_crate_reads_back_with_the_run_described(tmp_path):
    crate_dir = Path("results/provenance")
    metadata = build_crate(MANIFEST, ["config/config.yaml"], crate_dir)
    write_crate(metadata, tmp_path / crate_dir)
    crate = ROCrate(tmp_path / crate_dir)
    assert crate.mainEntity.id == "../../Snakefile"
    profiles = {ref["@id"] for ref in crate.root_dataset.as_jsonld()["conformsTo"]}
    assert set(PROFILES) <= profiles
    (action,) = crate.get_by_type("CreateAction")
    assert action["instrument"].id == crate.mainEntity.id
    results = {entity.id: entity for entity in action["result"]}
    records = "../../results/02_dedupe/records.parquet"
    assert set(results) == {records, "../../results/report/review.html"}
    assert results[records]["sha256"] == "a" * 64
    inputs = {entity.id for entity in action["object"]}
    assert "../../config/config.yaml" in inputs and "#param-search_mode_scopus" in inputs
    software = {s["name"]: s["softwareVersion"] for s in crate.get_by_type("SoftwareApplication")}
    assert software == {"snakemake": "9.27.1", "pandas": "2.3.3"}
