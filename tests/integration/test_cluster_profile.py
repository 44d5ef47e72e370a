"""The SLURM profile, validated by a dry run: Snakemake loads it with the executor plugin, and
every job gets the account, partition, memory and run time the profile promises. (A dry run
does not say which jobs are local: Snakemake leaves that to execution.)"""

import os
import re

import pytest
import yaml

from prismaflow.sandbox import PROJECT_DIR, copy_project
from tests.integration.conftest import snakemake

pytestmark = pytest.mark.integration
PROFILE = PROJECT_DIR / "profiles" / "slurm" / "config.yaml"


def planned_resources(output: str) -> dict[str, dict[str, str]]:
    """rule -> its resources, from a dry run's job listing."""
    jobs = {}
    for match in re.finditer(r"^rule (\w+):\n((?:    .*\n)+)", output, re.M):
        resources = re.search(r"^    resources: (.*)$", match.group(2), re.M)
        jobs[match.group(1)] = dict(p.split("=", 1) for p in resources.group(1).split(", "))
    return jobs


def test_the_slurm_profile_dry_runs_with_the_measured_resources(tmp_path):
    run = copy_project(tmp_path / "review")
    env = {**os.environ, "PRISMAFLOW_SLURM_ACCOUNT": "lab42", "PRISMAFLOW_SLURM_PARTITION": "short"}
    result = snakemake(run, "-n", "--profile", "profiles/slurm", env=env)
    jobs = planned_resources(result.stdout + result.stderr)
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    assert {"dedupe_records", "screen_records", "gate_search", "synthesise_review"} <= set(jobs)
    for rule, resources in jobs.items():
        if rule in ("all", "review"):  # targets: nothing to submit
            continue
        wanted = {**profile["default-resources"], **profile["set-resources"].get(rule, {})}
        assert resources["slurm_account"] == "lab42" and resources["slurm_partition"] == "short"
        assert int(resources["mem_mb"]) == wanted["mem_mb"], rule
        assert int(resources["runtime"]) == wanted["runtime"], rule
