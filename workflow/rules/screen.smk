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
    conda:
        "../../envs/prismaflow.yaml"
    params:
        screening=config["screening"],
        window=config["search"]["window"],
        question=config["review"]["question"],
        release=config["update"]["previous_release"],
    script:
        "../scripts/screen.py"
