"""The embedded review on a real single-node SLURM cluster (benchmarks/slurm_cluster.sh): every
rule that should be is submitted, the local rules stay local, and the artifacts are a local
run's. Opt-in (`make test-slurm`): it installs and starts daemons as root and takes minutes."""

import os
import sys

import pytest

from prismaflow import catalog
from prismaflow.sandbox import copy_project
from tests.conftest import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slurm]
sys.path.insert(0, str(ROOT / "benchmarks"))
slurm_review = pytest.importorskip("slurm_review")

if os.environ.get("PRISMAFLOW_SLURM_TEST") != "1":
    pytest.skip("opt-in: run `make test-slurm` (starts a SLURM cluster)", allow_module_level=True)
if os.geteuid() != 0:
    pytest.skip("starting SLURM's daemons needs root", allow_module_level=True)

# Every rule of the catalog but the localrules the Snakefile keeps on the submitting machine.
SUBMITTED = {
    rule
    for stage in catalog.STAGES
    for rule in (*stage.rules, stage.gate_rule)
    if rule and rule not in (*slurm_review.LOCAL_RULES, "search_file")
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("slurm")
    exports = slurm_review.start_cluster(state)
    yield exports
    slurm_review.stop_cluster(state)


def test_the_review_on_the_cluster_is_the_local_review(cluster, finished_run, tmp_path):
    remote = copy_project(tmp_path / "cluster")
    _, jobs = slurm_review.measured_on_cluster(remote, cluster, "the embedded default")
    assert set(jobs["rule"]) == SUBMITTED  # searches, search log, report, provenance: local
    assert (jobs["state"] == "COMPLETED").all() and (jobs["max_rss_mb"] > 0).all()
    assert slurm_review.compare(finished_run / "results", remote / "results") == []


def test_a_failing_gate_on_the_cluster_stops_the_run_and_keeps_its_verdict(cluster, tmp_path):
    project = copy_project(tmp_path / "failing")
    (project / "humans.yaml").write_text("screening:\n  completeness: humans\n")
    done = slurm_review.on_cluster(project, cluster, "--configfile", "humans.yaml")
    assert done.returncode != 0
    verdict = project / "results" / "qc" / "screen.gate.failed.json"
    assert "no_record_awaits_a_reviewer" in verdict.read_text()
    assert not (project / "results" / "04_extract").exists()
