# One gate per stage: a Great Expectations suite (prismaflow/quality/<stage>.py) plus invariants,
# over the artifacts the catalog says it checks. A failed gate writes
# results/qc/<stage>.gate.failed.json and stops the DAG, since the next stage needs its verdict.

# What each gate needs of the protocol besides the artifacts.
GATE_PARAMS = {
    "search": {
        "sources": SOURCES,
        "queries": {source: query_ids(source) for source in SOURCES},
    },
    "dedupe": {},
    "screen": {
        "reasons": config["screening"]["reasons"],
        "completeness": config["screening"]["completeness"],
    },
    "extract": {
        "fields": config["extraction"]["fields"],
        "outcome": config["synthesis"]["outcome"],
    },
    "appraise": {"tools": config["risk_of_bias"]["tools"]},
    "synthesise": {},
}


for gated in catalog.GATED:

    rule:
        name:
            f"gate_{gated}"
        input:
            **gate_inputs(gated),
            code=code("gate.py", f"prismaflow.quality.{gated}"),
        output:
            verdict=gate_verdict(gated),
        log:
            job_log("qc", gated),
        benchmark:
            job_benchmark("qc", gated)
        conda:
            "../../envs/prismaflow.yaml"
        params:
            stage=gated,
            gate=GATE_PARAMS[gated],
        script:
            "../scripts/gate.py"
