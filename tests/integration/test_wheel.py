"""The package installed from a wheel, far from the repository, finds its schemas, templates
and code graph as package data and reads a review's protocol."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

# One wheel for the module: pip builds it in the checkout's build/, which two builds at once
# would both write.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_wheel")]

PROBE = """
import importlib, json, pkgutil, sys
from pathlib import Path
import prismaflow
from prismaflow import catalog
from prismaflow.codegraph import PACKAGE_DIR, closure
from prismaflow.config import load_yaml, validate_config
from prismaflow.report.build import TEMPLATES
names = [m.name for m in pkgutil.walk_packages(prismaflow.__path__, "prismaflow.")]
for name in names:
    importlib.import_module(name)
config = validate_config(load_yaml("config.yaml"))
report = [f.name for f in closure([PACKAGE_DIR / "report" / "build.py"]) if f.suffix == ".j2"]
print(json.dumps({
    "package": prismaflow.__file__,
    "modules": len(names),
    "queries": [q["id"] for q in config["search"]["queries"]],
    "template": (TEMPLATES / "review.html.j2").is_file(),
    "closure_data": report,
    "gated": list(catalog.GATED),
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The package installed from a wheel built from the checkout, far from it."""
    pip = [sys.executable, "-m", "pip"]
    folder = tmp_path_factory.mktemp("wheel")
    offline = ["--no-deps", "--no-build-isolation", "-q"]
    build = subprocess.run(
        [*pip, "wheel", *offline, "-w", str(folder / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (folder / "dist").glob("prismaflow-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", str(folder / "site"), str(wheel)],
        check=True,
        capture_output=True,
    )
    return folder / "site"


def test_the_package_works_installed_from_a_wheel(site, tmp_path):
    review = tmp_path / "elsewhere"
    review.mkdir()
    shutil.copy(ROOT / "config" / "config.yaml", review / "config.yaml")
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r})\n{PROBE}"],
        cwd=review,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["package"].startswith(str(site)), "the wheel, not the checkout, was imported"
    assert found["modules"] > 60 and found["template"]
    assert found["closure_data"] == ["review.html.j2"]
    assert found["queries"] and found["gated"][0] == "search"


def test_a_review_folder_runs_on_the_workflow_the_wheel_installed(site, tmp_path):
    """`prismaflow init` from the wheel writes a folder whose Snakefile finds the installed
    workflow; a dry run there plans every stage from the wheel's rules and scripts."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    review = tmp_path / "review"
    python = [sys.executable, "-m"]
    made = subprocess.run(
        [*python, "prismaflow.cli", "init", str(review)], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    shutil.copy(ROOT / "config" / "config.yaml", review / "config" / "config.yaml")
    shutil.copytree(ROOT / "resources", review / "resources")
    planned = subprocess.run(
        [*python, "snakemake", "-n", "--verbose", "--cores", "1", "--directory", str(review)],
        cwd=review,
        env=env,
        capture_output=True,
        text=True,
    )
    assert planned.returncode == 0, planned.stderr + planned.stdout
    installed = site / "prismaflow"
    assert f"{installed / 'search' / 'stage.py'}," in planned.stdout  # code inputs: the wheel's
    assert f"Snakefile: {review / 'Snakefile'}" in planned.stdout
    for rule in ("search_source", "dedupe_records", "synthesise_review", "report_review"):
        assert f"rule {rule}:" in planned.stdout
