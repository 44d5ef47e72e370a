rule extract_studies:
    input:
        records=rules.dedupe_records.output.records,
        links=rules.dedupe_records.output.links,
        decisions=rules.screen_records.output.decisions,
        gate=gate_verdict("screen"),
        sheets=extraction_sheets(),
        previous=release_files("studies"),
        code=code("extract.py"),
    output:
        studies=artifact("studies"),
        disagreements=artifact("disagreements"),
        sheet_problems=artifact("sheet_problems"),
        machine_values=artifact("machine_values"),
        extraction_sheet=artifact("extraction_sheet"),
    log:
        job_log("extract", "extract"),
    benchmark:
        job_benchmark("extract", "extract")
    params:
        extraction=sealed(config["extraction"]),
        living=sealed(config["update"]),
    script:
        "../scripts/extract.py"
