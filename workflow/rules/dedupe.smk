rule dedupe_records:
    input:
        source_records=expand(rules.search_source.output.source_records, source=SOURCES),
        gate=gate_verdict("search"),
        overrides=optional_file(config["dedupe"]["overrides"]),
        previous=release_files("links"),
        code=code("dedupe.py"),
    output:
        links=artifact("links"),
        records=artifact("records"),
    log:
        job_log("dedupe", "dedupe"),
    benchmark:
        job_benchmark("dedupe", "dedupe")
    params:
        dedupe=sealed(config["dedupe"]),
        living=sealed(config["update"]),
    script:
        "../scripts/dedupe.py"
