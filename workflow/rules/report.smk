rule report_review:
    input:
        search_log=rules.search_log.output.search_log,
        prisma=rules.synthesise_review.output.prisma,
        records=rules.dedupe_records.output.records,
        decisions=rules.screen_records.output.decisions,
        agreement=rules.screen_records.output.agreement,
        studies=rules.extract_studies.output.studies,
        evidence=rules.synthesise_review.output.evidence,
        groups=rules.synthesise_review.output.groups,
        pooled=rules.synthesise_review.output.pooled,
        study_effects=rules.synthesise_review.output.study_effects,
        subgroups=rules.synthesise_review.output.subgroups,
        sensitivity=rules.synthesise_review.output.sensitivity,
        small_studies=rules.synthesise_review.output.small_studies,
        certainty=rules.synthesise_review.output.certainty,
        prisma_svg=rules.synthesise_review.output.prisma_svg,
        forest=rules.synthesise_review.output.forest,
        funnel=rules.synthesise_review.output.funnel,
        evidence_map=rules.synthesise_review.output.evidence_map,
        per_year=rules.synthesise_review.output.per_year,
        risk_of_bias=rules.appraise_studies.output.risk_of_bias,
        traffic_light=rules.appraise_studies.output.traffic_light,
        bias_summary=rules.appraise_studies.output.bias_summary,
        appraise_gate=gate_verdict("appraise"),
        gate=gate_verdict("synthesise"),
        code=code("report.py"),
    output:
        review_html=artifact("review_html"),
    log:
        job_log("report", "report"),
    benchmark:
        job_benchmark("report", "report")
    params:
        config=sealed(config),
    script:
        "../scripts/report.py"
