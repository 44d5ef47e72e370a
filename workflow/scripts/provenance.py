"""Snakemake adapter for rule provenance: the run manifest (every artifact with its hashes and
lineage) and the same run as a Workflow Run RO-Crate."""

from prismaflow.warm import delegate

delegate(__real_file__)  # in the run's warm process, when there is one (prismaflow.warm)


import json
from pathlib import Path

from prismaflow.crate import build_crate, write_crate
from prismaflow.manifest import build_manifest
from prismaflow.runlog import logged_to

with logged_to(snakemake.log[0], snakemake.rule) as log:
    config = snakemake.params.config
    modes = {name: spec["mode"] for name, spec in config["search"]["sources"].items()}
    manifest = build_manifest(
        snakemake.input.artifacts, config, modes, list(snakemake.input.inputs)
    )
    output = Path(snakemake.output.manifest)
    output.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    crate_dir = Path(snakemake.output.crate).parent
    write_crate(build_crate(manifest, list(snakemake.input.inputs), crate_dir), crate_dir)
    log.info("%d artifacts recorded, code %s", len(manifest["artifacts"]), manifest["code_version"])
