"""Which package files a workflow script runs: the import closure of the script, read from the
source without importing it.

Snakemake's code trigger sees only a rule's script, so each rule declares the package files
its code reaches as inputs. Listing them by hand drifted (an edit to a shared module re-ran
nothing); computing them from the imports keeps "an edit re-runs exactly the rules whose code
reaches it" true as modules move. Data files the code opens by name (schemas, templates) count
too, found as string literals that name a file of the package.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "prismaflow"
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_SUFFIXES = (".yaml", ".j2", ".json")


def module_file(module: str, root: Path = PACKAGE_DIR) -> Path | None:
    """The file of a dotted module name inside the package, or None if it is not one."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _parents(module: str) -> list[str]:
    """Importing a.b.c runs a/__init__ and a/b/__init__ first."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


@functools.cache
def _read(path: Path) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(modules a file imports, the dotted names its `from` imports name, string literals it
    holds), parsed once per process: the Snakefile asks for every rule's closure, and most
    modules sit in many of them."""
    modules: set[str] = set()
    names: set[str] = set()
    strings: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            # `from prismaflow.search import stage` imports the submodule `stage`.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.add(node.value)
    return frozenset(modules), frozenset(names), frozenset(strings)


def _imported(path: Path, root: Path) -> set[str]:
    """Package modules a file imports, anywhere in it (lazy imports inside functions too)."""
    modules, names, _ = _read(path)
    modules = {m for m in modules | names if module_file(m, root) is not None}
    return modules | {p for m in modules for p in _parents(m)}


def libraries(files: Iterable[Path]) -> set[str]:
    """Modules from outside the package that these files import, anywhere in them."""
    modules = set().union(*(_read(file)[0] for file in files if file.suffix == ".py"))
    return {module for module in modules if module.partition(".")[0] != PACKAGE_DIR.name}


def _data_files(path: Path, data: dict[str, list[Path]]) -> set[Path]:
    """Package data files a module names in a string literal (e.g. "review.html.j2")."""
    return {file for name in _read(path)[2] & data.keys() for file in data[name]}


@functools.cache
def _package_data(root: Path) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    for file in root.rglob("*"):
        if file.suffix in DATA_SUFFIXES and "__pycache__" not in file.parts:
            files.setdefault(file.name, []).append(file)
    return files


def closure(
    sources: Iterable[Path], modules: Iterable[str] = (), root: Path = PACKAGE_DIR
) -> list[Path]:
    """Every package file reached from these source files and named modules, sorted.

    `modules` covers what no import statement names: a gate script loads its stage's suite
    with importlib, so the gate rule passes the suite's module here.
    """
    data = _package_data(root)
    pending = [m for m in modules if module_file(m, root)]
    pending += [p for m in list(pending) for p in _parents(m)]
    seen_files: set[Path] = set()
    for source in sources:
        pending += sorted(_imported(Path(source), root))
        seen_files |= _data_files(Path(source), data)
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        file = module_file(module, root)
        assert file is not None, module
        seen_files.add(file)
        seen_files |= _data_files(file, data)
        pending += sorted(_imported(file, root) - seen)
    return sorted(seen_files)


def module_name(file: Path, root: Path = PACKAGE_DIR) -> str:
    """The dotted name of a package file (the inverse of module_file)."""
    relative = file.resolve().relative_to(root).with_suffix("")
    parts = [PACKAGE, *relative.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
