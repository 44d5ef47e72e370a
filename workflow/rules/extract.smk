rule extract_studies:
    input:
        records=rules.dedupe_records.output.records,
        decisions=rules.screen_records.output.decisions,
        gate=gate_verdict("screen"),
        code=package_files("extract"),
    output:
        studies="results/04_extract/studies.parquet",
    log:
        "results/logs/extract/extract.log",
    benchmark:
        "results/benchmarks/extract/extract.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        extraction=config["extraction"],
    script:
        "../scripts/extract.py"
