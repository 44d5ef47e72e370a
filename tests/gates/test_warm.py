"""The warm gate server forks each gate from one process that imported GX: its verdicts and
failures are those of a gate run in its own process, and without a server a gate still runs."""

import json
import os
import subprocess
import sys
import time

import pytest

from prismaflow import catalog
from prismaflow.errors import GateFailedError
from prismaflow.quality import warm
from tests.gates.conftest import inputs_for
from tests.gates.test_gates import broken


def job(tmp_path, stage, inputs, params, name):
    return warm.GateJob(
        rule=f"gate_{stage}",
        stage=stage,
        inputs={
            k: [str(p) for p in v] if isinstance(v, list) else str(v) for k, v in inputs.items()
        },
        params=params,
        verdict=str(catalog.gate_verdict(stage, tmp_path / name)),
        log=str(tmp_path / name / f"{stage}.log"),
        cwd=str(tmp_path),
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sock")
    path = str(folder / "gates.sock")
    process = subprocess.Popen(
        [sys.executable, "-m", "prismaflow.quality.warm", path, str(os.getpid())]
    )
    deadline = time.monotonic() + 60
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield path
    warm.stop(path)
    process.wait(timeout=10)


def comparable(path):
    verdict = json.loads(path.read_text())
    return {k: v for k, v in verdict.items() if k != "code_version"}


@pytest.mark.parametrize("stage", catalog.GATED)
def test_a_gate_through_the_server_writes_the_verdict_of_a_gate_run_alone(
    stage, server, artifacts, gate_params, tmp_path
):
    inputs = inputs_for(stage, artifacts)
    served = job(tmp_path, stage, inputs, gate_params[stage], "served")
    alone = job(tmp_path, stage, inputs, gate_params[stage], "alone")
    warm.run(served, server)
    warm.check(alone)
    assert comparable(catalog.gate_verdict(stage, tmp_path / "served")) == comparable(
        catalog.gate_verdict(stage, tmp_path / "alone")
    )
    log = (tmp_path / "served" / f"{stage}.log").read_text()
    assert f"gate {stage}: passed" in log
    assert " INFO great_expectations" not in log, "GX's own chatter is kept at WARNING"


def test_a_failed_gate_through_the_server_fails_the_job_and_keeps_its_verdict(
    server, artifacts, gate_params, tmp_path
):
    lost = broken(artifacts, tmp_path, "links", lambda f: f.iloc[1:])
    failing = job(tmp_path, "dedupe", inputs_for("dedupe", lost), {}, "served")
    with pytest.raises(GateFailedError, match="every_searched_record_is_linked"):
        warm.run(failing, server)
    assert not catalog.gate_verdict("dedupe", tmp_path / "served").exists()
    failure = json.loads(catalog.gate_failure("dedupe", tmp_path / "served").read_text())
    assert failure["success"] is False


def test_without_a_server_the_gate_runs_in_its_own_process(artifacts, gate_params, tmp_path):
    alone = job(tmp_path, "screen", inputs_for("screen", artifacts), gate_params["screen"], "x")
    warm.run(alone, str(tmp_path / "no-such-folder" / "gates.sock"))
    assert json.loads(catalog.gate_verdict("screen", tmp_path / "x").read_text())["success"]
