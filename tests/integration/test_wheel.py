"""The package installed from a wheel, far from the repository, finds its schemas, templates
and code graph as package data and reads a review's protocol."""

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration

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


def test_the_package_works_installed_from_a_wheel(tmp_path):
    pip = [sys.executable, "-m", "pip"]
    offline = ["--no-deps", "--no-build-isolation", "-q"]
    build = subprocess.run(
        [*pip, "wheel", *offline, "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (tmp_path / "dist").glob("prismaflow-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
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
