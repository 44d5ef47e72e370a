"""Facts said once: the decision words in prismaflow.vocabulary, the results tree in the
catalog, the enumerations the protocol's schema describes in the code that reads them, and the
dependency pins in pyproject.toml. A copy elsewhere fails here when it drifts."""

from __future__ import annotations

import ast
import re
import tomllib

import pytest

from prismaflow import catalog
from prismaflow.codegraph import PACKAGE_DIR
from prismaflow.config import CONFIG_SCHEMA, load_yaml
from prismaflow.vocabulary import BY_MODEL, DECISIONS, PHASES
from tests.conftest import ROOT

WORDS = set(DECISIONS) | set(PHASES)
# Modules whose own words coincide with a decision's: JBI checklists' overall appraisal, and
# the words other screening tools export (Rayyan's "maybe"), mapped to ours.
OWN_WORDS = {"appraise/judgements.py", "screen/imported.py"}


def literals(tree: ast.AST):
    """String constants a module compares with or lists (not a docstring, not a key it reads
    from a mapping)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            yield from (n for n in [node.left, *node.comparators] if isinstance(n, ast.Constant))
        elif isinstance(node, ast.Dict):
            yield from (n for n in [*node.keys, *node.values] if isinstance(n, ast.Constant))
        elif isinstance(node, (ast.Set, ast.Tuple, ast.List)):
            yield from (n for n in node.elts if isinstance(n, ast.Constant))


def test_decision_words_are_written_only_in_the_vocabulary():
    found = [
        f"{path.relative_to(PACKAGE_DIR)}:{node.lineno} {node.value!r}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path.name != "vocabulary.py" and str(path.relative_to(PACKAGE_DIR)) not in OWN_WORDS
        for node in literals(ast.parse(path.read_text(encoding="utf-8")))
        if node.value in WORDS
    ]
    assert found == []


def test_the_snakefiles_results_tree_is_the_catalogs():
    """The workflow's table of contents maps results/ as the catalog writes it."""
    snakefile = (ROOT / "workflow" / "Snakefile").read_text(encoding="utf-8")
    assert "\n".join(catalog.results_tree()) in snakefile, "\n" + "\n".join(catalog.results_tree())


def test_the_schemas_descriptions_name_the_words_the_code_writes():
    """What a description says the code writes is what it writes (decided_by, measures)."""
    schema = load_yaml(CONFIG_SCHEMA)
    completeness = schema["properties"]["screening"]["properties"]["completeness"]
    said = set(re.findall(r"decided_by=(\w+)", completeness["description"]))
    assert said == {BY_MODEL}
    measures = schema["properties"]["synthesis"]["properties"]["analyses"]["items"]
    from prismaflow.measures import MEASURE_NAMES
    from prismaflow.synthesise.effects import DOUBLE_ZERO, MEASURES, TRANSFORMS

    properties = measures["properties"]
    assert tuple(properties["measure"]["enum"]) == MEASURE_NAMES == tuple(MEASURES)
    assert tuple(properties["proportion_scale"]["enum"]) == TRANSFORMS
    assert tuple(properties["double_zero"]["enum"]) == DOUBLE_ZERO


@pytest.mark.parametrize("extra", ["test", "dev", "cluster", "benchmark"])
def test_every_pin_is_pyprojects_and_the_lock_agrees(extra):
    """pyproject.toml pins the direct dependencies; envs/requirements.lock the whole one,
    with the same version of each."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"][extra]]
    locked = dict(
        line.split("==")
        for line in (ROOT / "envs" / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    folded = {name.lower().replace("_", "-"): v for name, v in locked.items()}
    for pin in pins:
        if pin.startswith("prismaflow"):
            continue
        name, version = pin.split(";")[0].split("==")
        assert folded[name.lower().replace("_", "-")] == version.strip(), pin
