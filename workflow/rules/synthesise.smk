rule synthesise_review:
    input:
        links=rules.dedupe_records.output.links,
        decisions=rules.screen_records.output.decisions,
        studies=rules.extract_studies.output.studies,
        gate=gate_verdict("extract"),
        previous=release_files("decisions"),
        code=package_files("synthesise", "extract/sheet.py", "release.py"),
    output:
        prisma="results/05_synthesis/prisma.parquet",
        groups="results/05_synthesis/groups.parquet",
        pooled="results/05_synthesis/pooled.parquet",
        evidence="results/05_synthesis/evidence.parquet",
        prisma_svg=report(
            "results/05_synthesis/prisma.svg",
            caption="../report/prisma.rst",
            category="05 Synthesis",
        ),
        prisma_png="results/05_synthesis/prisma.png",
        forest=report(
            "results/05_synthesis/figures/forest.png",
            caption="../report/forest.rst",
            category="05 Synthesis",
        ),
        evidence_map=report(
            "results/05_synthesis/figures/evidence_map.png",
            caption="../report/evidence_map.rst",
            category="05 Synthesis",
        ),
        per_year=report(
            "results/05_synthesis/figures/publications_per_year.png",
            caption="../report/publications_per_year.rst",
            category="05 Synthesis",
        ),
    log:
        "results/logs/synthesise/synthesise.log",
    benchmark:
        "results/benchmarks/synthesise/synthesise.tsv"
    conda:
        "../../envs/prismaflow.yaml"
    params:
        reasons=config["screening"]["reasons"],
        groups=config["synthesis"]["groups"],
        designs=[d["design"] for d in config["extraction"]["designs"]],
        release=config["update"]["previous_release"],
    script:
        "../scripts/synthesise.py"
