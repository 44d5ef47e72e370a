rule dedupe_records:
    input:
        records=expand(rules.search_source.output.records, source=SOURCES),
        gate=gate_verdict("search"),
        overrides=optional_file(config["dedupe"]["overrides"]),
        previous=release_files("links"),
        code=package_files("dedupe", "release.py"),
    output:
        links=report(
            "results/02_dedupe/links.parquet",
            caption="../report/links.rst",
            category="02 Dedupe",
        ),
        records="results/02_dedupe/records.parquet",
    log:
        "results/logs/dedupe/dedupe.log",
    benchmark:
        "results/benchmarks/dedupe/dedupe.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        dedupe=config["dedupe"],
        release=config["update"]["previous_release"],
    script:
        "../scripts/dedupe.py"
