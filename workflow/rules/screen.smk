rule screen_records:
    input:
        records=rules.dedupe_records.output.records,
        links=rules.dedupe_records.output.links,
        gate=gate_verdict("dedupe"),
        sheets=decision_sheets(),
        code=package_files(
            "screen", "sheets.py", "spreadsheet.py", "../schemas/decisions.schema.yaml"
        ),
    output:
        decisions=report(
            "results/03_screen/decisions.parquet",
            caption="../report/decisions.rst",
            category="03 Screen",
        ),
        agreement="results/03_screen/agreement.parquet",
        conflicts="results/03_screen/conflicts.parquet",
        worklist=report(
            "results/03_screen/worklist.xlsx",
            caption="../report/worklist.rst",
            category="03 Screen",
        ),
    log:
        "results/logs/screen/screen.log",
    benchmark:
        "results/benchmarks/screen/screen.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        screening=config["screening"],
        window=config["search"]["window"],
        question=config["review"]["question"],
    script:
        "../scripts/screen.py"
