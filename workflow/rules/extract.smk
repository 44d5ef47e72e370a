rule extract_studies:
    input:
        records=rules.dedupe_records.output.records,
        links=rules.dedupe_records.output.links,
        decisions=rules.screen_records.output.decisions,
        gate=gate_verdict("screen"),
        sheets=extraction_sheets(),
        previous=release_files("studies"),
        code=package_files("extract", "sheets.py", "spreadsheet.py", "release.py"),
    output:
        studies=report(
            "results/04_extract/studies.parquet",
            caption="../report/studies.rst",
            category="04 Extract",
        ),
        disagreements="results/04_extract/disagreements.parquet",
        problems="results/04_extract/sheet_problems.parquet",
        sheet=report(
            "results/04_extract/extraction_sheet.xlsx",
            caption="../report/extraction_sheet.rst",
            category="04 Extract",
        ),
    log:
        "results/logs/extract/extract.log",
    benchmark:
        "results/benchmarks/extract/extract.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        extraction=config["extraction"],
        release=config["update"]["previous_release"],
    script:
        "../scripts/extract.py"
