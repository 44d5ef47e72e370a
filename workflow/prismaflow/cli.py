"""The `prismaflow` command: check a review protocol, run the workflow.

Errors a user can fix print as one message and exit 2; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prismaflow import catalog
from prismaflow.catalog import PROTOCOL
from prismaflow.config import file_errors, load_protocol, validate_config
from prismaflow.errors import ConfigError, InputFileError, PrismaflowError
from prismaflow.extract.fields import field_specs
from prismaflow.extract.sheet import write_extraction_sheet
from prismaflow.formats.detect import FORMATS, format_from_extension
from prismaflow.formats.exporter import WRITABLE, export_records
from prismaflow.formats.importer import import_file
from prismaflow.installed import workflow_command
from prismaflow.new_review import create_review
from prismaflow.parquet_io import read_frame
from prismaflow.records import describe_fields, fields_present
from prismaflow.release import freeze_release
from prismaflow.report.manuscript import write_manuscript
from prismaflow.search.freeze import freeze
from prismaflow.status import render as render_status
from prismaflow.status import status
from prismaflow.trace import render, to_json, trace
from prismaflow.verify import verify_release, verify_results
from prismaflow.vocabulary import PHASES

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Command:
    """One `prismaflow` command: its name and help, its arguments, and what it does."""

    name: str
    help: str
    arguments: tuple[tuple[tuple[str, ...], dict[str, Any]], ...]
    handler: Handler


COMMANDS: list[Command] = []


def arg(*names: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    return names, options


def command(name: str, help: str, *arguments: tuple[tuple[str, ...], dict[str, Any]]):
    """Declare a command where its code is: the parser is made from these (parser())."""

    def register(handler: Handler) -> Handler:
        COMMANDS.append(Command(name, help, arguments, handler))
        return handler

    return register


CONFIG = arg("--config", default=Path(PROTOCOL), type=Path)
RESULTS = arg("--results", type=Path, default=Path(catalog.RESULTS))
AS_JSON = arg("--json", action="store_true", help="machine-readable output")
EXPORT = (
    arg("input", type=Path),
    arg(
        "--format",
        "--from",
        dest="format",
        choices=FORMATS,
        help="input format (default: detected)",
    ),
    arg(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="for --format table: which column holds a field, e.g. --map title='Article Title'",
    ),
)


@command(
    "check-config",
    "validate a review protocol (a config.yaml, or a review folder)",
    arg("config", nargs="?", default=Path(PROTOCOL), type=Path),
)
def check_config(args: argparse.Namespace) -> int:
    """The protocol and what it names in the review folder: key by key, the synthesis
    contract, the export files."""
    path = args.config / PROTOCOL if args.config.is_dir() else args.config
    config = validate_config(load_protocol(path))
    folder = path.parent.parent if path.parent.name == "config" else path.parent
    missing = file_errors(config, folder)
    if missing:
        raise ConfigError(f"{path}: " + "; ".join(missing))
    search, analyses = config["search"], config["synthesis"]["analyses"]
    queries = ", ".join(q["id"] for q in search["queries"]) or "none"
    planned = "; ".join(
        f"{a['id']}: {a['outcome']} as a {a['measure'].replace('_', ' ')} of "
        + ", ".join(f"{role}={field}" for role, field in a["data"].items())
        for a in analyses
    )
    print(
        f"{path}: valid (sources {', '.join(search['sources'])}; queries {queries}; "
        f"analyses {planned})"
    )
    return 0


@command(
    "init",
    "start a review: a new folder with a protocol template to fill in",
    arg("folder", type=Path),
)
def init(args: argparse.Namespace) -> int:
    """A new review folder: protocol template, Snakefile, folders for exports and sheets."""
    written = create_review(args.folder)
    print(
        f"{args.folder}: a new review ({len(written)} files). Next: write the protocol in "
        f"{args.folder / PROTOCOL}, put the database exports in {args.folder / 'exports'}, "
        f"check it with `prismaflow check-config {args.folder}`, then `prismaflow run "
        f"{args.folder}`"
    )
    return 0


@command(
    "extraction-sheet",
    "write the XLSX extraction sheet for reviewers, machine values pre-filled; save a filled "
    "copy as config/extraction/<reviewer>.xlsx",
    CONFIG,
    arg("--studies", default=catalog.path("studies"), type=Path),
    arg("--out", default="extraction_sheet.xlsx", type=Path),
)
def extraction_sheet(args: argparse.Namespace) -> int:
    """The sheet reviewers fill, from the studies the last run extracted."""
    config = validate_config(load_protocol(args.config))
    fields = field_specs(config["extraction"]["fields"])
    studies = read_frame(args.studies)
    write_extraction_sheet(studies, fields, args.out)
    print(f"{args.out}: {len(studies)} studies, {len(fields)} fields (machine values pre-filled)")
    return 0


@command(
    "import",
    "read an export file (any supported format) into records.parquet",
    *EXPORT,
    arg("--out", type=Path, default=Path("records.parquet")),
)
def import_records(args: argparse.Namespace) -> int:
    """Any export file into canonical records (Parquet), its count reconciled."""
    imported = _imported(args)
    written = export_records(imported.records, args.out, "parquet")
    print(
        f"{args.input}: {written} records read as {imported.format} "
        f"(the file holds {imported.counted}){_controls(imported)}; written to {args.out}"
    )
    if written == 0:
        print(
            "  it holds no records: an API's last page, or a search that found nothing "
            "(if it should hold some, export it again, or name its format with --format)"
        )
        return 0
    counts = fields_present(imported.records.to_pylist())
    print(f"  fields: {describe_fields(counts, written)}")
    return 0


@command(
    "convert",
    "convert an export file: formats from extensions, or --from/--to",
    *EXPORT,
    arg("output", type=Path),
    arg("--to", choices=WRITABLE, help="output format (default: from extension)"),
)
def convert(args: argparse.Namespace) -> int:
    """Any export file into another format (RIS, BibTeX, CSV, XLSX, Parquet)."""
    target = args.to or format_from_extension(args.output)
    if target is None:
        raise InputFileError(args.output, "unknown output format", fix="add --to FORMAT")
    imported = _imported(args)
    written = export_records(imported.records, args.output, target)
    print(
        f"{args.input} ({imported.format}, {imported.counted} records{_controls(imported)}) -> "
        f"{args.output} ({target}, {written} records)"
    )
    return 0


def _controls(imported) -> str:
    removed = imported.controls_removed
    return f"; {removed} control characters removed from its text" if removed else ""


def _imported(args: argparse.Namespace):
    mapping = dict(item.split("=", 1) for item in args.map or [])
    return import_file(args.input, args.format, mapping or None)


@command(
    "status", "per stage: up to date, gate verdict; and what waits for reviewers", CONFIG, AS_JSON
)
def review_status(args: argparse.Namespace) -> int:
    """Per stage: up to date, gate verdict; and what waits for reviewers."""
    config = validate_config(load_protocol(args.config))
    report = status(Path(), config["extraction"]["fields"])
    print(json.dumps(report, indent=2) if args.json else render_status(report))
    return 0


@command(
    "verify",
    "check every artifact against what made it (content, inputs, gates, manifest, crate), and "
    "any frozen release",
    RESULTS,
    arg("--release", type=Path, action="append", help="a release folder"),
)
def verify(args: argparse.Namespace) -> int:
    """Every artifact against what made it; exit 1 naming each one that is not."""
    findings = verify_results(args.results) if args.results.is_dir() else []
    for release in args.release or []:
        findings += verify_release(release)
    for finding in findings:
        print(finding)
    if findings:
        print(f"prismaflow: {len(findings)} file(s) not as the workflow made them", file=sys.stderr)
        return 1
    tables = len(list(args.results.rglob("*.parquet")))
    print(f"{args.results}: {tables} tables, the gates' files, the manifest and the crate as made")
    return 0


@command(
    "export-docx",
    "the manuscript's tables (characteristics of studies, results, risk of bias, exclusions, "
    "references) as an editable Word document",
    CONFIG,
    RESULTS,
    arg("--out", type=Path, default=Path(catalog.RESULTS) / "report" / "tables.docx"),
)
def export_docx(args: argparse.Namespace) -> int:
    """The manuscript's tables as a Word document, from a finished run."""
    config = validate_config(load_protocol(args.config))
    tables = write_manuscript(config, args.results, args.out)
    print(f"{args.out}: {tables} tables")
    return 0


@command(
    "trace",
    "one record's path: searches, merges, decisions, extraction, synthesis",
    arg("record", help="a record id, DOI or PMID"),
    RESULTS,
    AS_JSON,
)
def trace_record(args: argparse.Namespace) -> int:
    """One record's whole path through the review."""
    path = trace(args.results, args.record)
    print(to_json(path) if args.json else render(path))
    return 0


@command(
    "snapshot",
    "freeze a finished search into resources/snapshots/NAME",
    arg("name"),
    arg("--results", type=Path, default=Path(catalog.path("search_log")).parent),
    arg("--out", type=Path, default=Path("resources/snapshots")),
)
def snapshot(args: argparse.Namespace) -> int:
    """Freeze the last search (live) into resources/snapshots/NAME for offline re-runs."""
    target = args.out / args.name
    manifest = freeze(args.results, target, args.name)
    queries = sum(len(s["queries"]) for s in manifest["sources"].values())
    print(
        f"{target}: {queries} queries from {', '.join(manifest['sources'])} frozen; "
        f"set search.snapshot: {target} and each source's mode: snapshot to replay them"
    )
    return 0


@command(
    "release",
    "freeze a finished review as the published version an update builds on",
    arg("dest", type=Path, help="a new folder, e.g. releases/2024-09-30"),
    arg("--name", help="the version's name (default: the folder's name)"),
    CONFIG,
    RESULTS,
)
def release(args: argparse.Namespace) -> int:
    """Freeze a finished review as the published version a living update builds on."""
    config = validate_config(load_protocol(args.config))
    manifest = freeze_release(
        args.results, args.dest, name=args.name or args.dest.name, window=config["search"]["window"]
    )
    print(
        f"{args.dest}: release {manifest['name']!r} of {len(manifest['files'])} artifacts; to "
        f"update the review, set update.previous_release: {args.dest} and a later "
        "search.window.end, then run the workflow"
    )
    return 0


@command(
    "run",
    "run the review workflow over a folder; other arguments go to snakemake (e.g. -n, or a "
    "target: `prismaflow run . screen`)",
    arg("folder", nargs="?", default=Path(), type=Path),
    arg("--cores", type=int, default=2),
)
def run(args: argparse.Namespace) -> int:
    """Snakemake over a review folder, with any further Snakemake options passed on: on the
    folder's own Snakefile, or else on the workflow prismaflow is installed with."""
    folder = args.folder
    if not (folder / PROTOCOL).is_file():
        raise InputFileError(
            folder,
            f"not a review folder (it has no {PROTOCOL})",
            fix="name the folder first (`prismaflow run . screen`), or make one with "
            "`prismaflow init`",
        )
    command = workflow_command(folder, args.cores, args.snakemake_args)
    return subprocess.run(command, check=False).returncode


@command(
    "serve",
    "screen in the browser: a local web app over a review folder (blinded dual review, "
    "ranking refitted as decisions arrive, adjudication)",
    arg("folder", nargs="?", default=Path(), type=Path),
    arg(
        "--host",
        default="127.0.0.1",
        help="where to listen (default: only this machine; any other address needs --reviewers)",
    ),
    arg("--port", type=int, default=8000, help="0: any free port"),
    arg(
        "--reviewers",
        help="comma-separated reviewer names, each given a sign-in token (add `adjudication` "
        "for the adjudicator)",
    ),
    arg("--cores", type=int, default=2, help="cores for workflow runs"),
)
def serve(args: argparse.Namespace) -> int:
    """The screening app (prismaflow.app); imported here, when asked for, as it loads Flask."""
    from prismaflow.app.serve import serve as serve_app

    reviewers = [name.strip() for name in (args.reviewers or "").split(",") if name.strip()]
    serve_app(args.folder, args.host, args.port, reviewers, args.cores)
    return 0


@command(
    "import-decisions",
    "add decisions exported from ASReview LAB or Rayyan to a reviewer's sheet (records matched "
    "by DOI, PMID or title; what cannot be matched is listed)",
    arg("export", type=Path, help="the tool's CSV or XLSX export"),
    arg("--reviewer", required=True, help="whose sheet they go to"),
    arg("--phase", default="title_abstract", choices=PHASES),
    arg("--folder", default=Path(), type=Path, help="the review folder"),
    arg(
        "--exclude-reason",
        help="the reason code of exclusions the export gives no mapped reason for",
    ),
    arg(
        "--reason",
        action="append",
        default=[],
        help="'their words=code': a Rayyan exclusion reason and the protocol's code (repeatable)",
    ),
    arg(
        "--rayyan-reviewer",
        help="whose Rayyan decisions to import, when the export holds several reviewers'",
    ),
)
def import_decisions(args: argparse.Namespace) -> int:
    """Decisions made in ASReview LAB or Rayyan into a reviewer's sheet, through the app's
    store (so the history says where they came from)."""
    from prismaflow.app.store import DecisionStore
    from prismaflow.identifiers import record_index
    from prismaflow.screen.imported import read_export, reason_map, title_index

    folder = args.folder
    config = validate_config(load_protocol(folder / PROTOCOL))
    codes = [
        c
        for c, spec in config["screening"]["reasons"].items()
        if spec["phase"] in (args.phase, "both")
    ]
    if args.exclude_reason and args.exclude_reason not in codes:
        raise InputFileError("--exclude-reason", f"{args.exclude_reason!r} is not one of {codes}")
    records = read_frame(folder / catalog.path("records"))
    index = record_index(records, read_frame(folder / catalog.path("links")))
    found = read_export(
        args.export,
        index,
        title_index(records),
        reason_map(args.reason, codes),
        args.exclude_reason,
        args.rayyan_reviewer,
    )
    store = DecisionStore(folder)
    for row in found.decisions:
        store.decide(
            args.phase, args.reviewer, row["record"], row["decision"], row["reason"], row["note"]
        )
    print(found.report())
    if found.decisions:
        print(f"written to {store.sheet(phase=args.phase, reviewer=args.reviewer)}")
    return 0 if found.decisions else 2


def parser() -> argparse.ArgumentParser:
    """The commands as declared where their code is (@command)."""
    main = argparse.ArgumentParser(prog="prismaflow", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)
    for declared in COMMANDS:
        sub = commands.add_parser(declared.name, help=declared.help)
        for names, options in declared.arguments:
            sub.add_argument(*names, **options)
        sub.set_defaults(handler=declared.handler)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    cli = parser()
    args, args.snakemake_args = cli.parse_known_args(argv)
    if args.snakemake_args and args.command != "run":
        cli.error(f"unrecognized arguments: {' '.join(args.snakemake_args)}")
    try:
        return args.handler(args)
    except PrismaflowError as exc:
        print(f"prismaflow: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        missing = exc.filename or str(exc)
        print(f"prismaflow: {missing}: no such file (has the workflow run?)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
