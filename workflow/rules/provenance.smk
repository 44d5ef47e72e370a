rule provenance:
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
        inputs=[
            "config/config.yaml",
            *optional_file(str(Path(config["search"]["snapshot"]) / "snapshot.json")),
            *decision_sheets(),
            *extraction_sheets(),
            *export_files(),
            *release_files("links", "decisions", "studies"),
        ],
        code=package_files("manifest.py", "crate.py"),
    output:
        manifest="results/provenance/manifest.json",
        crate="results/provenance/ro-crate-metadata.json",
    log:
        "results/logs/provenance/provenance.log",
    benchmark:
        "results/benchmarks/provenance/provenance.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        config=config,
    script:
        "../scripts/provenance.py"
