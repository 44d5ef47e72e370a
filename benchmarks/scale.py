"""A synthetic review of N records, run end to end: per-stage wall time and peak memory.

Run: python benchmarks/scale.py N [N ...] [--cores 2] [--keep DIR] [--warm]

For each N, the records of `synthetic.py` (studies with the duplicate variants databases
export) are spread over three sources and written as those sources write them: PubMed
ESearch/EFetch XML and Scopus Search API JSON pages in a recorded snapshot, and an Embase RIS
export for the `file` source. A reviewer's sheets decide a fraction of the records at
title/abstract and full text; the protocol's rules and the relevance model decide the rest.
The whole workflow then runs in snapshot mode in a temporary copy of the project, and the
script prints each rule's wall time and peak memory from its `benchmark:` file, and the
end-to-end figures. Targets on 2 cores: 100,000 records in <= 5 minutes with <= 4 GB, and
10,000 -> 100,000 costing at most 12x the time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import itertools
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import yaml
from end_to_end import timed_snakemake
from synthetic import WORDS, synthetic_records

from prismaflow.formats.exporter import export_records
from prismaflow.records import records_table
from prismaflow.sandbox import PROJECT_DIR, copy_project

SOURCES = ("pubmed", "scopus", "file")
QUERY = {
    "id": "synthetic",
    "pubmed": "topical ruxolitinib AND dermatology",
    "scopus": "TITLE-ABS-KEY(topical ruxolitinib AND dermatology)",
}
EFETCH_BATCH = 500  # records per EFetch response, as a live search's batch_size writes them
TOPIC_SHARE = 0.03  # studies about the review's question: the rest are off-topic for its rules
REVIEWED_SHARE = 0.02  # records a reviewer decided at title/abstract
SEED = 20241001
# What an on-topic study's title says, so that the pre-fill finds the condition and design the
# extraction form requires, as it would in the abstracts of real case reports and series.
CONDITIONS = ("lichen planus", "alopecia areata", "necrobiosis lipoidica", "hand eczema", "morphea")
DESIGNS = ("a case report", "a case series", "an open-label trial", "a retrospective cohort")


def _snapshot_builder():
    """The embedded snapshot's writers of PubMed XML and Scopus JSON, reused as they are."""
    path = PROJECT_DIR / "resources" / "snapshots" / "ruxolitinib" / "build_snapshot.py"
    spec = importlib.util.spec_from_file_location("build_snapshot", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _initials(authors: Iterable[str] | None) -> str:
    """'Smith Anna B' -> 'Smith AB': the 'Surname Initials' form the snapshot writers expect."""
    names = []
    for author in authors if authors is not None else []:
        parts = author.rsplit(" ", 2)
        names.append(f"{parts[0]} {parts[1][0]}{parts[2]}" if len(parts) == 3 else author)
    return "; ".join(names)


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def study_rows(n: int, seed: int) -> list[dict]:
    """Synthetic records with a source each, an abstract, and the question's words in a few.

    The members of one study go to different sources where they can (a database returns an
    article once), and a study's PubMed record always carries its PMID.
    """
    frame, gold = synthetic_records(n, seed=seed)
    rng = random.Random(seed)
    cluster_of = {m: i for i, members in enumerate(gold) for m in members}
    records = frame.to_dict("records")
    pmids: dict[int, str] = {}
    for record in records:
        cluster = cluster_of.get(record["record_id"])
        if cluster is not None and record["pmid"]:
            pmids.setdefault(cluster, record["pmid"])
    order: dict[int, list[str]] = {}
    topical: dict[int, bool] = {}
    rows = []
    for number, record in enumerate(records):
        cluster = cluster_of.get(record["record_id"], -1 - number)
        # A database returns an article once; an export file may hold it twice.
        sources = order.setdefault(cluster, rng.sample(SOURCES, len(SOURCES)))
        source = sources.pop(0) if sources else "file"
        if cluster not in topical:
            topical[cluster] = (
                f"Topical ruxolitinib cream in {rng.choice(CONDITIONS)}, {rng.choice(DESIGNS)}: "
                if rng.random() < TOPIC_SHARE
                else ""
            )
        words = rng.sample(WORDS, rng.randint(40, 90))
        pmid = record["pmid"] or pmids.get(cluster)
        if source == "pubmed" and not pmid:
            pmid = pmids.setdefault(cluster, str(30_000_000 + number))
        rows.append(
            {
                "record_key": f"s{number:07d}",
                "source": source,
                "pmid": _text(pmid) if source == "pubmed" else _text(record["pmid"]),
                "doi": _text(record["doi"]),
                "title": topical[cluster] + record["title"],
                "authors": _initials(record["authors"]),
                "year": _text(record["year"]),
                "journal": _text(record["journal"]),
                "volume": _text(record["volume"]),
                "issue": _text(record["issue"]),
                "pages": _text(record["pages"]),
                "publication_types": "Journal Article",
                "language": "eng",
                "keywords": "",
                "summary": topical[cluster] + " ".join(words) + ".",
            }
        )
    return rows


def write_snapshot(rows: Sequence[dict], folder: Path) -> dict[str, int]:
    """PubMed and Scopus responses as a recorded snapshot; returns records per source."""
    build = _snapshot_builder()
    journals = {r["journal"]: {"full_name": r["journal"]} for r in rows if r["journal"]}
    manifest = {"name": "synthetic", "recorded_at": "2025-01-01T00:00:00Z", "sources": {}}
    written = {}

    def keep(source: str, name: str, data: bytes) -> dict[str, str]:
        path = folder / source / QUERY["id"] / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return {
            "file": f"{source}/{QUERY['id']}/{name}",
            "sha256": hashlib.sha256(data).hexdigest(),
        }

    pubmed = [r for r in rows if r["source"] == "pubmed"]
    pmids = [r["pmid"] for r in pubmed]
    responses = [keep("pubmed", "esearch.xml", build.esearch_document(len(pmids), pmids, ""))]
    for start in range(0, len(pubmed), EFETCH_BATCH):
        batch = build.efetch_document(pubmed[start : start + EFETCH_BATCH], journals)
        responses.append(keep("pubmed", f"efetch_{start:07d}.xml", batch))
    scopus = [r for r in rows if r["source"] == "scopus"]
    entries = [
        build.scopus_entry(r, f"2-s2.0-98{int(r['record_key'][1:]):09d}", journals) for r in scopus
    ]
    pages = [
        keep(
            "scopus",
            f"page_{start:07d}.json",
            build.scopus_page(entries[start : start + 25], len(entries), start, QUERY["scopus"]),
        )
        for start in range(0, len(entries), 25)
    ]
    for source, files, count in (
        ("pubmed", responses, len(pubmed)),
        ("scopus", pages, len(scopus)),
    ):
        manifest["sources"][source] = {
            "api": source,
            "queries": {QUERY["id"]: {"query": QUERY[source], "request": {}, "responses": files}},
        }
        written[source] = count
    (folder / "snapshot.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return written


def write_export(rows: Sequence[dict], path: Path) -> int:
    """The `file` source's records as an Embase RIS export."""
    records = [
        {
            "record_id": f"embase:{r['record_key']}",
            "source": "embase",
            "source_id": r["record_key"],
            "title": r["title"],
            "abstract": r["summary"],
            "authors": r["authors"].split("; ") if r["authors"] else None,
            "year": int(r["year"]) if r["year"] else None,
            "journal": r["journal"] or None,
            "volume": r["volume"] or None,
            "issue": r["issue"] or None,
            "pages": r["pages"] or None,
            "doi": r["doi"] or None,
            "pmid": r["pmid"] or None,
            "language": ["eng"],
        }
        for r in rows
        if r["source"] == "file"
    ]
    return export_records(records_table(records), path, "ris")


def write_decisions(rows: Sequence[dict], decisions: Path, seed: int) -> int:
    """A reviewer's title/abstract sheet for a share of the PubMed records (included when on
    topic, else excluded as off-topic), and full-text inclusions for half of those included."""
    rng = random.Random(seed)
    # PubMed holds about a third of the records: deciding three times the share of them
    # decides about REVIEWED_SHARE of all.
    chosen = [r for r in rows if r["source"] == "pubmed" and rng.random() < REVIEWED_SHARE * 3]
    header = "record,decision,reason\n"
    lines, full_text = [], []
    for row in chosen:
        on_topic = "ruxolitinib" in row["summary"]
        lines.append(f"{row['pmid']},{'include,' if on_topic else 'exclude,off_topic'}\n")
        if on_topic and rng.random() < 0.5:
            full_text.append(f"{row['pmid']},include,\n")
    for stage, body in (("title_abstract", lines), ("full_text", full_text)):
        (decisions / stage).mkdir(parents=True, exist_ok=True)
        (decisions / stage / "alice.csv").write_text(header + "".join(body), encoding="utf-8")
    return len(lines)


def configure(project: Path) -> None:
    path = project / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["search"]["snapshot"] = "resources/snapshots/synthetic"
    config["search"]["window"]["end"] = "2024-12-31"
    config["search"]["queries"] = [QUERY]
    # The synthetic vocabulary is dermatology's ("topical", "cream"...): the drug's name is
    # what tells the review's studies from the rest, as the published search's terms did.
    config["screening"]["rules"]["required_concepts"]["terms"] = ["ruxolitinib"]
    config["search"]["sources"]["file"] = {
        "exports": [{"id": "embase", "path": "resources/exports/embase.ris", "database": "Embase"}]
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def build_review(n: int, project: Path, seed: int = SEED) -> dict[str, int]:
    """A copy of the project whose review is the synthetic one; returns what it holds."""
    copy_project(project)
    shutil.rmtree(project / "config" / "decisions", ignore_errors=True)
    rows = study_rows(n, seed)
    counts = write_snapshot(rows, project / "resources" / "snapshots" / "synthetic")
    counts["file"] = write_export(rows, project / "resources" / "exports" / "embase.ris")
    counts["reviewed"] = write_decisions(rows, project / "config" / "decisions", seed)
    configure(project)
    return counts


def rule_figures(project: Path) -> pd.DataFrame:
    """Each rule's wall time (s) and peak resident memory (MB) from its benchmark file."""
    rows = []
    for path in sorted((project / "results" / "benchmarks").rglob("*.tsv")):
        measured = pd.read_csv(path, sep="\t").iloc[0]
        rows.append(
            {
                "rule": str(path.relative_to(project / "results" / "benchmarks"))[:-4],
                "seconds": float(measured["s"]),
                "max_rss_mb": float(measured["max_rss"]),
            }
        )
    return pd.DataFrame(rows)


def run(n: int, cores: int, keep: Path | None, warm: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"prismaflow-scale-{n}-") as tmp:
        project = (keep or Path(tmp)) / f"review_{n}"
        shutil.rmtree(project, ignore_errors=True)
        started = time.perf_counter()
        held = build_review(n, project)
        generated = time.perf_counter() - started
        # Each job in its own process, so that its benchmark file holds its own peak memory
        # (through the warm process it would hold the waiting job's); --warm trades that
        # figure for the time a user's run takes.
        env = {**os.environ, "PRISMAFLOW_WARM": "on" if warm else "off"}
        wall, _ = timed_snakemake(project, cores, env)
        figures = rule_figures(project)
        prisma = pd.read_parquet(project / "results" / "06_synthesis" / "prisma.parquet")
        counts = prisma.groupby("box")["count"].sum().to_dict()
    return {
        "n": n,
        "held": held,
        "generated_s": generated,
        "wall_s": wall,
        "rules": figures,
        "prisma": counts,
    }


def report(outcome: dict) -> None:
    held, prisma, rules = outcome["held"], outcome["prisma"], outcome["rules"]
    print(f"\n== N = {outcome['n']:,} records ==")
    print(
        f"sources: PubMed {held['pubmed']:,}, Scopus {held['scopus']:,}, Embase RIS "
        f"{held['file']:,}; reviewer decided {held['reviewed']:,} at title/abstract"
    )
    print(
        f"PRISMA: identified {prisma['identified']:,}, duplicates {prisma['duplicates_removed']:,},"
        f" screened {prisma['screened']:,}, excluded {prisma['excluded']:,}, included "
        f"{prisma['included']:,}"
    )
    print(rules.to_string(index=False, float_format=lambda x: f"{x:,.1f}"))
    print(
        f"generation {outcome['generated_s']:.1f} s; end to end {outcome['wall_s']:.1f} s; "
        f"largest job {rules['max_rss_mb'].max():,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+", help="record counts, e.g. 1000 10000 100000")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="build the reviews here and keep them")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="run jobs through the warm process (faster; memory figures then not the jobs')",
    )
    args = parser.parse_args()
    outcomes = [run(n, args.cores, args.keep, args.warm) for n in args.sizes]
    for outcome in outcomes:
        report(outcome)
    if len(outcomes) > 1:
        print("\nscaling (end to end):")
        for small, large in itertools.pairwise(outcomes):
            ratio, size = large["wall_s"] / small["wall_s"], large["n"] / small["n"]
            print(f"  {small['n']:,} -> {large['n']:,}: x{ratio:.1f} time for x{size:.0f} records")


if __name__ == "__main__":
    main()
