"""Snakemake adapter for rule provenance_manifest: every artifact with its hashes and lineage."""

import json
from pathlib import Path

from prismaflow.manifest import build_manifest
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], "provenance_manifest") as log:
    config = snakemake.params.config
    modes = {name: spec["mode"] for name, spec in config["search"]["sources"].items()}
    manifest = build_manifest(snakemake.input.artifacts, config, modes)
    output = Path(snakemake.output.manifest)
    output.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log.info("%d artifacts recorded, code %s", len(manifest["artifacts"]), manifest["code_version"])
