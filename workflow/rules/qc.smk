# One gate per stage: a Great Expectations suite (prismaflow/quality/<stage>.py) plus invariants.
# A failed gate writes results/qc/<stage>.gate.failed.json and stops the DAG.


rule gate_search:
    input:
        records=expand(rules.search_source.output.records, source=SOURCES),
        hits=expand(rules.search_source.output.hits, source=SOURCES),
        log=rules.search_log.output.log,
        code=package_files("quality", "search/stage.py"),
    output:
        verdict=gate_verdict("search"),
    log:
        "results/logs/qc/search.log",
    benchmark:
        "results/benchmarks/qc/search.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        stage="search",
        gate={
            "sources": SOURCES,
            "queries": {source: query_ids(source) for source in SOURCES},
        },
    script:
        "../scripts/gate.py"


rule gate_dedupe:
    input:
        searched=expand(rules.search_source.output.records, source=SOURCES),
        links=rules.dedupe_records.output.links,
        records=rules.dedupe_records.output.records,
        code=package_files("quality"),
    output:
        verdict=gate_verdict("dedupe"),
    log:
        "results/logs/qc/dedupe.log",
    benchmark:
        "results/benchmarks/qc/dedupe.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        stage="dedupe",
        gate={},
    script:
        "../scripts/gate.py"


rule gate_screen:
    input:
        records=rules.dedupe_records.output.records,
        decisions=rules.screen_records.output.decisions,
        code=package_files("quality"),
    output:
        verdict=gate_verdict("screen"),
    log:
        "results/logs/qc/screen.log",
    benchmark:
        "results/benchmarks/qc/screen.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        stage="screen",
        gate={
            "reasons": config["screening"]["reasons"],
            "completeness": config["screening"]["completeness"],
        },
    script:
        "../scripts/gate.py"


rule gate_extract:
    input:
        studies=rules.extract_studies.output.studies,
        problems=rules.extract_studies.output.problems,
        disagreements=rules.extract_studies.output.disagreements,
        decisions=rules.screen_records.output.decisions,
        code=package_files("quality", "extract/stage.py", "extract/fields.py"),
    output:
        verdict=gate_verdict("extract"),
    log:
        "results/logs/qc/extract.log",
    benchmark:
        "results/benchmarks/qc/extract.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        stage="extract",
        gate={"fields": config["extraction"]["fields"]},
    script:
        "../scripts/gate.py"


rule gate_synthesise:
    input:
        prisma=rules.synthesise_review.output.prisma,
        groups=rules.synthesise_review.output.groups,
        pooled=rules.synthesise_review.output.pooled,
        evidence=rules.synthesise_review.output.evidence,
        studies=rules.extract_studies.output.studies,
        code=package_files("quality", "synthesise/prisma.py"),
    output:
        verdict=gate_verdict("synthesise"),
    log:
        "results/logs/qc/synthesise.log",
    benchmark:
        "results/benchmarks/qc/synthesise.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        stage="synthesise",
        gate={},
    script:
        "../scripts/gate.py"
