# Helpers shared by the stage rules: validated config, the inputs each rule depends on.
from pathlib import Path

from prismaflow.config import validate_config

# Fails before any job runs, naming every wrong key (prismaflow.config).
config.update(validate_config(config))

PACKAGE = Path(workflow.basedir) / "workflow" / "prismaflow"
SOURCES = sorted(config["search"]["sources"])
STAGES = ["search", "dedupe", "screen", "extract", "synthesise"]
# The databases prismaflow searches itself; `file` imports reviewers' exports instead.
DATABASES = [source for source in SOURCES if source != "file"]
# Modules every stage's code relies on; an edit to them re-runs every stage.
CORE_MODULES = [
    "__init__.py",
    "errors.py",
    "records.py",
    "parquet_io.py",
    "provenance.py",
    "runlog.py",
    "identifiers.py",
    "config.py",
]


def package_files(*parts):
    """The package modules a rule runs. Snakemake's code trigger sees only the script itself,
    so these are inputs, and editing one re-runs exactly the rules that use it. Paths are
    relative to the review folder where they can be, so a moved or copied review is still
    up to date."""
    files = [PACKAGE / name for name in CORE_MODULES]
    for part in parts:
        path = PACKAGE / part
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return [_relative(f) for f in files]


def _relative(path):
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def gate_verdict(stage):
    """A stage's gate file: the next stage takes it as input, so a failed gate stops the DAG."""
    return f"results/qc/{stage}.gate.json"


def query_ids(source):
    """What counts as one query of a source: a search string, or one imported export file."""
    if source == "file":
        return [
            export["id"] for export in config["search"]["sources"]["file"]["exports"]
        ]
    return [q["id"] for q in config["search"]["queries"]]


def export_files():
    """The `file` source's exports: editing one re-runs its import and everything after."""
    file_source = config["search"]["sources"].get("file", {})
    return [export["path"] for export in file_source.get("exports", [])]


def source_queries(source):
    """Each query's id and its text for this database only."""
    return [{"id": q["id"], source: q[source]} for q in config["search"]["queries"]]


def snapshot_files(wildcards):
    root = Path(config["search"]["snapshot"])
    recorded = sorted(p for p in (root / wildcards.source).rglob("*") if p.is_file())
    return [str(root / "snapshot.json"), *map(str, recorded)]


def optional_file(path):
    """[path] if the file exists, else []: an absent optional input is no input at all."""
    return [path] if path and Path(path).is_file() else []


def release_files(*artifacts):
    """A living review's update reads artifacts of the published version, with the release
    manifest that vouches for them; a new review reads none."""
    release = config["update"]["previous_release"]
    if not release:
        return []
    names = ["release.json", *(f"{artifact}.parquet" for artifact in artifacts)]
    return [str(Path(release) / name) for name in names]


def decision_sheets():
    """Every reviewer's sheet: adding or editing one re-runs screening and what follows."""
    return sorted(str(p) for p in Path("config/decisions").glob("*/*.csv"))


def extraction_sheets():
    """Every reviewer's extraction sheet (CSV or XLSX): adding or editing one re-runs
    extraction and synthesis, never search, dedupe or screening."""
    folder = Path("config/extraction")
    return sorted(
        str(p)
        for p in folder.glob("*")
        if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("~$", "."))
    )
