rule extract_studies:
    input:
        records=rules.dedupe_records.output.records,
        decisions=rules.screen_records.output.decisions,
        gate=gate_verdict("screen"),
        code=package_files("extract"),
    output:
        studies="results/04_extract/studies.parquet",
    params:
        extraction=config["extraction"],
    log:
        "results/logs/extract/extract.log",
    benchmark:
        "results/benchmarks/extract/extract.tsv"
    script:
        "../scripts/extract.py"
