# Helpers shared by the stage rules: validated config, the catalog's paths, each rule's inputs.
from pathlib import Path

from prismaflow import catalog
from prismaflow.codegraph import closure
from prismaflow.config import load_protocol, file_errors, validate_config
from prismaflow.quality.gate import gate_params
from prismaflow.errors import ConfigError
from prismaflow.published import release_inputs
from prismaflow.jobs import Sealed
from prismaflow.sheets import SHEET_SUFFIXES, reviewer_sheets
from prismaflow.vocabulary import PHASES
from prismaflow import lifeline, warm

# Fails before any job runs, naming every wrong key (prismaflow.config). Snakemake's own YAML
# reading keeps the last of two equal keys, so each config file is read once more, strictly.
for protocol_file in workflow.configfiles:
    load_protocol(protocol_file)
config.update(validate_config(config))
PATH_ERRORS = file_errors(config, Path.cwd())
if PATH_ERRORS:
    raise ConfigError(f"{catalog.PROTOCOL}: " + "; ".join(PATH_ERRORS))

SCRIPTS = Path(workflow.current_basedir).parent / "scripts"
SOURCES = sorted(config["search"]["sources"])
ANALYSES = [analysis["id"] for analysis in config["synthesis"]["analyses"]]
# The databases prismaflow searches itself; `file` imports reviewers' exports instead.
DATABASES = [source for source in SOURCES if source != "file"]


def sealed(part):
    """A protocol part as a job parameter, hashed and never printed (prismaflow.jobs.Sealed)."""
    return Sealed(part)


def artifact(name):
    """An artifact's path from the catalog, with a report caption where the catalog gives one;
    one path per planned analysis for a per-analysis artifact."""
    entry = catalog.ARTIFACTS[name]
    if "{analysis}" in entry.path:
        return [_captioned(name, p) for p in expand(entry.path, analysis=ANALYSES)]
    path = directory(entry.path.rstrip("/")) if entry.directory else entry.path
    return _captioned(name, path)


def _captioned(name, path):
    caption = catalog.ARTIFACTS[name].caption
    if caption is None:
        return path
    return report(
        path,
        caption=f"../report/{caption}.rst",
        category=catalog.stage_of_artifact(name).category,
    )


def code(script, *modules):
    """The package files a rule's script runs (its import closure, and modules it loads by
    name). Snakemake's code trigger sees only the script itself, so these are inputs: editing
    one re-runs exactly the rules whose code reaches it. Paths are relative to the review
    folder where they can be, so a moved or copied review is still up to date."""
    return [_relative(f) for f in closure([SCRIPTS / script], modules)]


def _relative(path):
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def gate_verdict(stage):
    """A stage's gate file: the next stage takes it as input, so a failed gate stops the DAG."""
    return str(catalog.gate_verdict(stage))


def job_log(stage, job):
    return catalog.log_file(stage, job)


def job_benchmark(stage, job):
    return catalog.benchmark_file(stage, job)


def export_files():
    """The `file` source's exports: editing one re-runs its import and everything after."""
    file_source = config["search"]["sources"].get("file", {})
    return [export["path"] for export in file_source.get("exports", [])]


def source_queries(source):
    """Each query's id and its text for this database only."""
    return [{"id": q["id"], source: q[source]} for q in config["search"]["queries"]]


def snapshot_manifest():
    """The recorded search's manifest, when the protocol replays one."""
    snapshot = config["search"]["snapshot"]
    return str(Path(snapshot) / "snapshot.json") if snapshot else None


def snapshot_files(wildcards):
    """A replayed source's recorded responses; a live source reads none."""
    if config["search"]["sources"][wildcards.source]["mode"] != "snapshot":
        return []
    root = Path(config["search"]["snapshot"])
    recorded = sorted(p for p in (root / wildcards.source).rglob("*") if p.is_file())
    return [str(root / "snapshot.json"), *map(str, recorded)]


def optional_file(path):
    """[path] if the file exists, else []: an absent optional input is no input at all."""
    return [path] if path and Path(path).is_file() else []


def release_files(*artifacts):
    """A living review's update reads artifacts of the published version, with the release
    manifest that vouches for them; a new review reads none."""
    return release_inputs(config["update"]["previous_release"], *artifacts)


def decision_sheets():
    """Every reviewer's sheet: adding or editing one re-runs screening and what follows. Any
    other file there stops the run (prismaflow.sheets.reviewer_sheets)."""
    return reviewer_sheets(
        Path(catalog.DECISIONS), SHEET_SUFFIXES, PHASES, kept_apart=[catalog.HISTORY]
    )


def extraction_sheets():
    """Every reviewer's extraction sheet (CSV or XLSX): adding or editing one re-runs
    extraction and synthesis, never search, dedupe or screening."""
    return reviewer_sheets(
        Path(catalog.EXTRACTION), SHEET_SUFFIXES, kept_apart=[catalog.HISTORY]
    )


def certainty_sheets():
    """Every reviewer's GRADE ratings (CSV or XLSX): editing one re-runs the synthesis and the
    report."""
    return reviewer_sheets(Path(catalog.CERTAINTY), SHEET_SUFFIXES)


def bias_sheets():
    """Every reviewer's risk-of-bias sheet (CSV or XLSX): adding or editing one re-runs the
    risk-of-bias stage, the synthesis (GRADE reads it) and the report, nothing before them.
    """
    return reviewer_sheets(
        Path(catalog.RISK_OF_BIAS), SHEET_SUFFIXES, kept_apart=[catalog.HISTORY]
    )


def gate_inputs(stage):
    """The artifacts a stage's gate checks, by their catalog names: a path, or a list of them
    for a per-source artifact."""
    checked = {name: catalog.path(name) for name in catalog.stage(stage).checked}
    return {
        name: every_path(name) if "{" in path else path
        for name, path in checked.items()
    }


def every_path(name):
    """An artifact's paths: one per source or analysis where it has one each."""
    return expand(catalog.path(name), source=SOURCES, analysis=ANALYSES)
