"""The code version in the results is the tool's: editing a review's own files (the protocol,
a reviewer's sheet) never marks it dirty; editing the package does."""

import shutil
import subprocess
import sys

from tests.conftest import ROOT

PRINT_VERSION = "from prismaflow.provenance import code_version; print(code_version())"


def version_in(checkout) -> str:
    return subprocess.run(
        [sys.executable, "-c", PRINT_VERSION],
        env={"PYTHONPATH": str(checkout / "workflow"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_only_the_tools_own_files_make_the_code_version_dirty(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(
        ROOT / "workflow" / "prismaflow",
        checkout / "workflow" / "prismaflow",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / ".gitignore", checkout / ".gitignore")
    (checkout / "config").mkdir()
    (checkout / "config" / "config.yaml").write_text("review: {}\n")
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "tool"], check=True)
    clean = version_in(checkout)
    assert clean.startswith("0.") and "+" in clean and not clean.endswith("-dirty")
    (checkout / "config" / "config.yaml").write_text("review: {title: edited}\n")
    (checkout / "config" / "alice.csv").write_text("record,decision\n")
    assert version_in(checkout) == clean
    with open(checkout / "workflow" / "prismaflow" / "vocabulary.py", "a") as module:
        module.write("\n# edited\n")
    assert version_in(checkout) == clean + "-dirty"
