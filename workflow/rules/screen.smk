rule screen_records:
    input:
        records=rules.dedupe_records.output.records,
        links=rules.dedupe_records.output.links,
        gate=gate_verdict("dedupe"),
        sheets=decision_sheets(),
        previous=release_files("decisions"),
        code=code("screen.py"),
    output:
        decisions=artifact("decisions"),
        agreement=artifact("agreement"),
        conflicts=artifact("conflicts"),
        worklist=artifact("worklist"),
    log:
        job_log("screen", "screen"),
    benchmark:
        job_benchmark("screen", "screen")
    params:
        screening=sealed(config["screening"]),
        window=sealed(config["search"]["window"]),
        review=sealed({"question": config["review"]["question"]}),
        living=sealed(config["update"]),
    script:
        "../scripts/screen.py"
