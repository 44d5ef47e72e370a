rule synthesise_review:
    input:
        links=rules.dedupe_records.output.links,
        decisions=rules.screen_records.output.decisions,
        studies=rules.extract_studies.output.studies,
        gate=gate_verdict("extract"),
        risk_of_bias=rules.appraise_studies.output.risk_of_bias,
        appraise_gate=gate_verdict("appraise"),
        ratings=certainty_sheets(),
        previous=release_files("decisions"),
        code=code("synthesise.py"),
    output:
        prisma=artifact("prisma"),
        groups=artifact("groups"),
        pooled=artifact("pooled"),
        study_effects=artifact("study_effects"),
        subgroups=artifact("subgroups"),
        sensitivity=artifact("sensitivity"),
        small_studies=artifact("small_studies"),
        certainty=artifact("certainty"),
        certainty_problems=artifact("certainty_problems"),
        certainty_sheet=artifact("certainty_sheet"),
        evidence=artifact("evidence"),
        prisma_svg=artifact("prisma_svg"),
        prisma_png=artifact("prisma_png"),
        forest=artifact("forest"),
        funnel=artifact("funnel"),
        evidence_map=artifact("evidence_map"),
        per_year=artifact("per_year"),
    log:
        job_log("synthesise", "synthesise"),
    benchmark:
        job_benchmark("synthesise", "synthesise")
    params:
        reasons=sealed(config["screening"]["reasons"]),
        exports=sealed({"file": config["search"]["sources"].get("file", {})}),
        synthesis=sealed(config["synthesis"]),
        certainty=sealed(config["certainty"]),
        fields=sealed(config["extraction"]["fields"]),
        living=sealed(config["update"]),
    script:
        "../scripts/synthesise.py"
