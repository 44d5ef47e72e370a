rule extract_studies:
    input:
        records=rules.dedupe_records.output.records,
        links=rules.dedupe_records.output.links,
        decisions=rules.screen_records.output.decisions,
        gate=gate_verdict("screen"),
        sheets=extraction_sheets(),
        code=package_files("extract", "sheets.py", "spreadsheet.py"),
    output:
        studies="results/04_extract/studies.parquet",
        disagreements="results/04_extract/disagreements.parquet",
        problems="results/04_extract/sheet_problems.parquet",
        sheet="results/04_extract/extraction_sheet.xlsx",
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
