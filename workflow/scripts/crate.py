"""Snakemake adapter for rule provenance_crate: the run as a Workflow Run RO-Crate."""

import json
from pathlib import Path

from prismaflow.crate import build_crate, write_crate
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], "provenance_crate") as log:
    manifest = json.loads(Path(snakemake.input.manifest).read_text(encoding="utf-8"))
    crate_dir = Path(snakemake.output.crate).parent
    metadata = build_crate(manifest, list(snakemake.input.inputs), crate_dir)
    write_crate(metadata, crate_dir)
    log.info("crate: %d entities", len(metadata["@graph"]))
