"""An edit to a package module re-runs exactly the rules whose code reaches it, for a module
of every layer: the code inputs are computed from each script's imports, not listed by hand."""

import os
import subprocess
import sys

import pytest

from prismaflow import catalog
from prismaflow.sandbox import copy_project
from tests.conftest import ROOT
from tests.integration.conftest import own_code, scheduled_rules

# Its tests share a module's run: one worker runs them all (make test: --dist loadgroup).
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("test_code_edits")]
ORDER = [rule for stage in catalog.STAGES for rule in (*stage.rules, stage.gate_rule) if rule]


def from_(rule: str, *, but: tuple[str, ...] = ()) -> set[str]:
    """A rule and every rule after it in the pipeline (they read what it rewrites)."""
    return {r for r in ORDER[ORDER.index(rule) :] if r not in but} - {"search_file"}


# module edited -> the rules a dry run must schedule (the targets `all` and `review` aside)
EDITS = {
    # contracts: the sheet reader, reached by dedupe (overrides) and screening, not search
    "sheets.py": from_("dedupe_records"),
    # the vocabulary: the decision words, which the sheet reader takes from it
    "vocabulary.py": from_("dedupe_records"),
    # formats: a database parser runs only in the searches (and all that follows them)
    "formats/scopus_json.py": from_("search_source"),
    # stages: a figure changes synthesis and what follows, not extraction
    "synthesise/figures.py": from_("synthesise_review"),
    # quality: one suite re-runs its own gate and what waits on it
    "quality/extract.py": from_("gate_extract"),
    # outputs: the manifest is the provenance rule's alone
    "manifest.py": {"provenance"},
    "report/review.html.j2": {"report_review", "provenance"},
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A review run on its own copy of the package, whose modules the tests edit. Its jobs
    run in-process (tests/matrix/inprocess.py): what is tested is which jobs Snakemake then
    schedules, from the code its rules declare."""
    directory = copy_project(tmp_path_factory.mktemp("edits") / "review")
    env = own_code(directory)
    env["PYTHONPATH"] += os.pathsep + str(ROOT)  # the tests' own modules, after the copy's
    subprocess.run(
        [sys.executable, "-m", "tests.matrix.inprocess", str(directory)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return directory


@pytest.mark.parametrize("module", sorted(EDITS))
def test_a_module_edit_reruns_exactly_the_rules_that_run_it(run, module):
    path = run / "workflow" / "prismaflow" / module
    text, before = path.read_bytes(), path.stat()
    try:
        # Snakemake compares a newer input's checksum too: the content must really change.
        comment = b"\n{# edited #}\n" if module.endswith(".j2") else b"\n# edited\n"
        path.write_bytes(text + comment)
        scheduled = set(scheduled_rules(run, env=own_code(run))) - {"all", "review"}
    finally:
        path.write_bytes(text)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert scheduled == EDITS[module]


def test_nothing_is_scheduled_when_no_module_changed(run):
    assert scheduled_rules(run, env=own_code(run)) == {}
