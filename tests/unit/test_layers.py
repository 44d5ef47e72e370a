"""The package's layers import one way, its parts form no cycle, and the code inputs the
workflow declares are exactly what Python imports."""

import subprocess
import sys
from collections import defaultdict

import pytest

from prismaflow.codegraph import PACKAGE_DIR, closure, module_name
from tests.conftest import ROOT

# Bottom to top: a module may import its own layer and those below it, never one above.
LAYERS = (
    (
        "contracts",
        "__init__ errors records identifiers provenance parquet_io config sheets spreadsheet "
        "runlog catalog codegraph vocabulary published jobs warm installed hostile_text "
        "limits lifeline measures plotting".split(),
    ),
    ("formats", ["formats"]),
    ("stages", "search dedupe screen extract appraise synthesise".split()),
    ("quality", ["quality"]),
    ("outputs", "report release status trace manifest crate verify".split()),
    ("interfaces", "cli sandbox new_review app".split()),
)
MODULES = sorted(module_name(f) for f in PACKAGE_DIR.rglob("*.py"))


def part(module: str) -> str:
    """The top-level part of the package a module belongs to ('__init__' for the package)."""
    return module.split(".")[1] if "." in module else "__init__"


def layer(module: str) -> int:
    return next(i for i, (_, parts) in enumerate(LAYERS) if part(module) in parts)


def reached(module: str) -> set[str]:
    """The package modules importing this one runs (transitively, so a layer cannot be
    skipped through an intermediary either)."""
    return {module_name(f) for f in closure([], [module]) if f.suffix == ".py"} - {module}


def test_every_module_belongs_to_a_layer():
    assert all(layer(m) is not None for m in MODULES)


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{m} ({LAYERS[layer(m)][0]}) reaches {d} ({LAYERS[layer(d)][0]})"
        for m in MODULES
        for d in reached(m)
        if layer(d) > layer(m)
    ]
    assert upward == []


def test_the_parts_of_the_package_form_no_cycle():
    edges = defaultdict(set)
    for m in MODULES:
        edges[part(m)] |= {part(d) for d in reached(m)} - {part(m), "__init__"}
    for start in edges:
        stack, seen = list(edges[start]), set()
        while stack:
            node = stack.pop()
            assert node != start, f"{start} reaches itself through {sorted(seen)}"
            if node not in seen:
                seen.add(node)
                stack.extend(edges[node])


@pytest.mark.parametrize(
    "script", sorted(p.name for p in (ROOT / "workflow" / "scripts").glob("*.py"))
)
def test_stage_jobs_load_neither_the_gates_nor_status(script):
    reached = {module_name(f) for f in closure([ROOT / "workflow" / "scripts" / script])}
    if script != "gate.py":
        assert not {m for m in reached if part(m) in ("quality", "status", "release")}


def test_the_computed_closure_holds_everything_python_imports():
    """Each module imported afresh in one process: what lands in sys.modules from the package
    is within the closure computed from its source."""
    program = (
        "import json, sys\n"
        f"names = {MODULES!r}\n"
        "found = {}\n"
        "for name in names:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('prismaflow')]:\n"
        "        del sys.modules[loaded]\n"
        "    __import__(name)\n"
        "    found[name] = sorted(m for m in sys.modules if m.startswith('prismaflow'))\n"
        "print(json.dumps(found))\n"
    )
    import json

    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    imported = json.loads(done.stdout)
    for name, loaded in imported.items():
        computed = reached(name) | {name}
        assert set(loaded) <= computed, (name, sorted(set(loaded) - computed))


def test_package_data_a_module_names_is_in_its_closure():
    config = PACKAGE_DIR / "config.py"
    files = {f.relative_to(PACKAGE_DIR).as_posix() for f in closure([config])}
    assert "schemas/config.schema.yaml" in files
    report = PACKAGE_DIR / "report" / "build.py"
    assert "report/review.html.j2" in {
        f.relative_to(PACKAGE_DIR).as_posix() for f in closure([report])
    }


def test_a_file_reached_only_through_an_unlisted_module_is_found(tmp_path):
    """A change to a module two imports away re-runs the rule: closure is transitive."""
    script = tmp_path / "job.py"
    script.write_text("from prismaflow.dedupe.stage import deduplicate\n")
    files = {f.relative_to(PACKAGE_DIR).as_posix() for f in closure([script])}
    # dedupe.stage -> dedupe.overrides -> sheets: the drift the hand-written lists had.
    assert {"dedupe/stage.py", "dedupe/overrides.py", "sheets.py", "__init__.py"} <= files
    assert not any(f.startswith("quality/") for f in files)
