rule provenance:
    input:
        artifacts=[
            path
            for stage in catalog.STAGES
            for entry in stage.artifacts
            if not entry.directory and entry.name not in ("manifest", "crate")
            for path in every_path(entry.name)
        ]
        + [gate_verdict(stage) for stage in catalog.GATED],
        inputs=[
            catalog.PROTOCOL,
            *optional_file(snapshot_manifest()),
            *decision_sheets(),
            *extraction_sheets(),
            *export_files(),
            *release_files(*catalog.RELEASED),
        ],
        code=code("provenance.py"),
    output:
        manifest=artifact("manifest"),
        crate=artifact("crate"),
    log:
        job_log("report", "provenance"),
    benchmark:
        job_benchmark("report", "provenance")
    params:
        config=sealed(config),
    script:
        "../scripts/provenance.py"
