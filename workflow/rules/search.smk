rule search_source:
    input:
        snapshot=snapshot_files,
        code=package_files("search"),
    output:
        records="results/01_search/{source}.parquet",
        hits="results/01_search/{source}.hits.parquet",
        log_rows="results/01_search/{source}.log.parquet",
        raw=directory("results/01_search/raw/{source}"),
    log:
        "results/logs/search/{source}.log",
    benchmark:
        "results/benchmarks/search/{source}.tsv"
    conda:
        "../../envs/prismaflow.yaml"
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
        code=package_files("search", "formats", "sheets.py"),
    output:
        records="results/01_search/file.parquet",
        hits="results/01_search/file.hits.parquet",
        log_rows="results/01_search/file.log.parquet",
        raw=directory("results/01_search/raw/file"),
    log:
        "results/logs/search/file.log",
    benchmark:
        "results/benchmarks/search/file.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        exports=config["search"]["sources"].get("file", {}).get("exports", []),
    script:
        "../scripts/search_file.py"


rule search_log:
    input:
        log_rows=expand(rules.search_source.output.log_rows, source=SOURCES),
        code=package_files("search/stage.py"),
    output:
        log=report(
            "results/01_search/search_log.parquet",
            caption="../report/search_log.rst",
            category="01 Search",
        ),
    log:
        "results/logs/search/search_log.log",
    benchmark:
        "results/benchmarks/search/search_log.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    script:
        "../scripts/search_log.py"
