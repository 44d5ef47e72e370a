rule appraise_studies:
    input:
        records=rules.dedupe_records.output.records,
        links=rules.dedupe_records.output.links,
        studies=rules.extract_studies.output.studies,
        gate=gate_verdict("extract"),
        sheets=bias_sheets(),
        code=code("appraise.py"),
    output:
        risk_of_bias=artifact("risk_of_bias"),
        bias_problems=artifact("bias_problems"),
        bias_sheet=artifact("bias_sheet"),
        traffic_light=artifact("traffic_light"),
        bias_summary=artifact("bias_summary"),
    log:
        job_log("appraise", "appraise"),
    benchmark:
        job_benchmark("appraise", "appraise")
    params:
        risk_of_bias=sealed(config["risk_of_bias"]),
    script:
        "../scripts/appraise.py"
