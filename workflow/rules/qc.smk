# One gate per stage: a Great Expectations suite (prismaflow/quality/<stage>.py) plus invariants,
# over the artifacts the catalog says it checks. A failed gate writes
# results/qc/<stage>.gate.failed.json and stops the DAG, since the next stage needs its verdict.

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
        params:
            stage=gated,
            gate=gate_params(gated, config),
        script:
            "../scripts/gate.py"
