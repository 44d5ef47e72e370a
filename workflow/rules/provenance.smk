rule provenance_manifest:
    input:
        artifacts=[
            *expand(rules.search_source.output.records, source=SOURCES),
            *expand(rules.search_source.output.hits, source=SOURCES),
            rules.search_log.output.log,
            *rules.dedupe_records.output,
            *rules.screen_records.output,
            *rules.extract_studies.output,
            *rules.synthesise_review.output,
            rules.report_review.output.html,
            *[gate_verdict(stage) for stage in STAGES],
        ],
        code=package_files("manifest.py"),
    output:
        manifest="results/provenance/manifest.json",
    log:
        "results/logs/provenance/manifest.log",
    conda:
        "../../envs/prismaflow.yaml"
    params:
        config=config,
    script:
        "../scripts/manifest.py"


rule provenance_crate:
    input:
        manifest=rules.provenance_manifest.output.manifest,
        inputs=[
            "config/config.yaml",
            *optional_file(str(Path(config["search"]["snapshot"]) / "snapshot.json")),
            *decision_sheets(),
            *extraction_sheets(),
            *export_files(),
        ],
        code=package_files("crate.py"),
    output:
        crate="results/provenance/ro-crate-metadata.json",
    log:
        "results/logs/provenance/crate.log",
    conda:
        "../../envs/prismaflow.yaml"
    script:
        "../scripts/crate.py"
