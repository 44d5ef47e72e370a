rule search_source:
    input:
        snapshot=snapshot_files,
        code=code("search.py"),
    output:
        source_records=artifact("source_records"),
        source_hits=artifact("source_hits"),
        source_log=artifact("source_log"),
        raw_responses=artifact("raw_responses"),
    log:
        job_log("search", "{source}"),
    benchmark:
        job_benchmark("search", "{source}")
    params:
        snapshot=config["search"]["snapshot"],
        queries=lambda wildcards: source_queries(wildcards.source),
        source=lambda wildcards: config["search"]["sources"][wildcards.source],
        window=config["search"]["window"],
    script:
        "../scripts/search.py"


rule search_file:
    input:
        exports=export_files(),
        code=code("search_file.py"),
    output:
        source_records=catalog.path("source_records", source="file"),
        source_hits=catalog.path("source_hits", source="file"),
        source_log=catalog.path("source_log", source="file"),
        raw_responses=directory(catalog.path("raw_responses", source="file")),
    log:
        job_log("search", "file"),
    benchmark:
        job_benchmark("search", "file")
    params:
        exports=config["search"]["sources"].get("file", {}).get("exports", []),
    script:
        "../scripts/search_file.py"


rule search_log:
    input:
        source_log=expand(rules.search_source.output.source_log, source=SOURCES),
        code=code("search_log.py"),
    output:
        search_log=artifact("search_log"),
    log:
        job_log("search", "search_log"),
    benchmark:
        job_benchmark("search", "search_log")
    script:
        "../scripts/search_log.py"
