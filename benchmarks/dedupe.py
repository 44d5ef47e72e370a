"""Deduplication against labelled gold standards, and at scale on synthetic records, for
prismaflow and for bib-dedupe (the open-source anchor) in the same run on the same fields.

Run: python benchmarks/dedupe.py DIR [DIR ...] [--json OUT] [--synthetic N] [--no-bib-dedupe]
     [--bib-dedupe-limit SECONDS]

Each DIR holds `merged_record_ids.csv` (gold clusters: one `;`-joined list of ids per row) and
either `records_pre_merged.csv` (bib-dedupe layout, ids `id_%07d`) or `labelled_test_set.csv`
(ASySD layout, cp1252, ids in `record_id`); every field either holds (DOI, abstract, issue) is
read. Counting follows ASySD and bib-dedupe: a positive is a record that should be removed. In a
true cluster where the method keeps k > 0 members, n - k records are true positives and k - 1
are false negatives. If it keeps none of them (the whole cluster was merged into another), that
counts as one false positive. A true singleton that is removed is a false positive.

A DIR may also hold an EndNote XML export whose duplicates carry `<caption>Duplicate</caption>`
(every member of a duplicate set, with no cluster link). It is read by prismaflow's own
importer and scored as Rathbone et al. count: a positive is a record in a duplicate set, and a
record the method links to another is called one.

bib-dedupe (`pip install -e '.[benchmark]'`) runs on the same records in its own process, with
its time and peak memory measured the same way; `--bib-dedupe-limit` stops it after that many
seconds (its row then says so).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from queue import Empty
from xml.etree import ElementTree

import pandas as pd
from synthetic import synthetic_records

from prismaflow.dedupe.compare import compare, comparison_keys
from prismaflow.dedupe.stage import deduplicate
from prismaflow.formats.importer import import_file
from prismaflow.identifiers import normalise_doi
from prismaflow.records import records_table

ASYSD_AUTHOR = re.compile(r"(?<=\.)\s*(?=[A-Z][^\s.]+\s)")


def _authors_bib(value: object) -> list[str]:
    """'Surname, A. B. and Other, C.' -> ['Surname A B', 'Other C']"""
    if not isinstance(value, str):
        return []
    names = []
    for name in value.split(" and "):
        surname, _, given = name.partition(",")
        names.append(f"{surname.strip()} {given.replace('.', '').strip()}".strip())
    return names


def _authors_asysd(value: object) -> list[str]:
    """'Adeli K.Lewis G. F.' -> ['Adeli K', 'Lewis G F'] (ASySD joins names without a separator)."""
    if not isinstance(value, str):
        return []
    return [n.replace(".", "").strip() for n in ASYSD_AUTHOR.split(value) if n.strip()]


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text or None


def _year(value: object) -> int | None:
    found = re.search(r"\d{4}", str(value)) if value is not None else None
    return int(found.group(0)) if found else None


def load_dataset(folder: Path) -> tuple[pd.DataFrame, list[list[str]]]:
    """Records in the canonical schema (record_id = the gold standard's id) and gold clusters."""
    gold = [row.split(";") for row in pd.read_csv(folder / "merged_record_ids.csv")["merged_ids"]]
    if (folder / "records_pre_merged.csv").is_file():
        raw = pd.read_csv(folder / "records_pre_merged.csv", dtype=str)
        ids, authors = raw["ID"], raw["author"].map(_authors_bib)
    else:
        raw = pd.read_csv(folder / "labelled_test_set.csv", encoding="cp1252", dtype=str)
        raw = raw.drop(columns=["label", "source"])  # the truth: never shown to the method
        ids = raw["record_id"].map(lambda r: f"id_{int(r):07d}")
        authors = raw["author"].map(_authors_asysd)
    missing = pd.Series([None] * len(raw), dtype=object)
    issue = raw.get("number", missing)
    doi = [normalise_doi(d) if isinstance(d, str) else None for d in raw.get("doi", missing)]
    abstract = raw.get("abstract", missing)
    columns = pd.DataFrame(
        {
            "record_id": list(ids),
            "source": "benchmark",
            "source_id": list(ids),
            "title": [_text(t) for t in raw["title"]],
            "abstract": [_text(a) for a in abstract],
            "authors": list(authors),
            "year": [_year(y) for y in raw["year"]],
            "journal": [_text(j) for j in raw["journal"]],
            "volume": [_text(v) for v in raw["volume"]],
            "issue": [_text(i) for i in issue],
            "pages": [_text(p) for p in raw["pages"]],
            "doi": list(doi),
        },
        dtype=object,
    )
    rows = columns.to_dict("records")
    return records_table(rows).to_pandas(), gold


def score(record_ids: Iterable[str], kept: set[str], gold: Sequence[Sequence[str]]) -> dict:
    """ASySD / bib-dedupe counting (see the module docstring)."""
    in_gold = {r for cluster in gold for r in cluster}
    tp = fp = fn = tn = 0
    for record_id in record_ids:
        if record_id not in in_gold:
            tn, fp = (tn + 1, fp) if record_id in kept else (tn, fp + 1)
    for cluster in gold:
        k = sum(1 for r in cluster if r in kept)
        if k == 0:
            fp, tp = fp + 1, tp + len(cluster) - 1
        else:
            tn, fn, tp = tn + 1, fn + k - 1, tp + len(cluster) - k
    return metrics(sum(len(c) - 1 for c in gold), tp, fp, fn, tn)


def metrics(positives: int, tp: int, fp: int, fn: int, tn: int) -> dict:
    sensitivity = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    f1 = 2 * precision * sensitivity / (precision + sensitivity) if precision + sensitivity else 0
    return {
        "to_remove": positives,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "sensitivity": round(sensitivity, 4),
        "specificity": round(tn / (tn + fp) if tn + fp else 1.0, 4),
        "precision": round(precision, 4),
        "f1": round(f1, 4),
    }


def prismaflow_kept(frame: pd.DataFrame) -> set[str]:
    links, _ = deduplicate([frame], year_tolerance=1, min_title_length=30)
    return set(links["canonical_id"])


def bib_dedupe_kept(frame: pd.DataFrame) -> set[str]:
    """bib-dedupe's prep, block, match and cluster on the same fields; one record kept per
    cluster it finds."""
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    records = pd.DataFrame(
        {
            "ID": frame["record_id"],
            "ENTRYTYPE": "article",
            "author": [" and ".join(a) if a is not None else "" for a in frame["authors"]],
            "title": frame["title"].fillna(""),
            "year": frame["year"].map(lambda y: "" if pd.isna(y) else str(int(y))),
            "journal": frame["journal"].fillna(""),
            "volume": frame["volume"].fillna(""),
            "number": frame["issue"].fillna(""),
            "pages": frame["pages"].fillna(""),
            "doi": frame["doi"].fillna(""),
            "abstract": frame["abstract"].fillna(""),
        }
    )
    prepared = prep(records, verbosity_level=0, cpu=1)
    clusters = cluster(match(block(prepared, verbosity_level=0, cpu=1), verbosity_level=0, cpu=1))
    removed = {i for ids in clusters for i in sorted(ids)[1:]}
    return set(frame["record_id"]) - removed


TOOLS = {"prismaflow": prismaflow_kept, "bib-dedupe": bib_dedupe_kept}


def _in_child(tool: str, frame: pd.DataFrame, queue: multiprocessing.Queue) -> None:
    start = time.perf_counter()
    kept = TOOLS[tool](frame)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((kept, seconds, peak_mib))


def measured(
    frame: pd.DataFrame, tool: str = "prismaflow", limit: float | None = None
) -> tuple[set[str], float, float] | None:
    """Kept (canonical) ids, seconds, and the peak resident memory (MiB) of a process that
    holds the records and deduplicates them (a forked child, so earlier runs do not count);
    None when the tool did not finish within `limit` seconds."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_in_child, args=(tool, frame, queue))
    child.start()
    try:
        result = queue.get(timeout=limit)
    except Empty:
        child.kill()
        result = None
    child.join()
    return result


def _row(name: str, tool: str, frame: pd.DataFrame, scored, limit: float | None) -> dict:
    result = measured(frame, tool, limit)
    if result is None:
        return {"dataset": name, "tool": tool, "records": len(frame), "seconds": f"> {limit:g}"}
    kept, seconds, peak = result
    return {
        "dataset": name,
        "tool": tool,
        "records": len(frame),
        **scored(kept),
        "seconds": round(seconds, 2),
        "peak_mb": round(peak, 1),
    }


def endnote_flags(path: Path) -> tuple[pd.DataFrame, set[str]] | None:
    """An EndNote XML export read by prismaflow's importer, and the ids of the records its
    caption flags as duplicates; None when the file flags none."""
    records = import_file(path, "endnote_xml", None, source="file", name=path.stem).records
    frame = records.to_pandas()
    captions = [
        "".join(c.itertext()).strip().casefold() == "duplicate" if c is not None else False
        for c in (r.find("caption") for r in ElementTree.parse(path).getroot().iter("record"))
    ]
    if not any(captions):
        return None
    return frame, {
        rid for rid, flagged in zip(frame["record_id"], captions, strict=True) if flagged
    }


def score_sets(record_ids: Iterable[str], linked: set[str], flagged: set[str]) -> dict:
    """Rathbone et al.'s counting: a positive is a record in a duplicate set."""
    record_ids = list(record_ids)
    tp = len(linked & flagged)
    fp = len(linked - flagged)
    fn = len(flagged - linked)
    return metrics(len(flagged), tp, fp, fn, len(record_ids) - tp - fp - fn)


def linked_ids(frame: pd.DataFrame) -> set[str]:
    """The records prismaflow puts in a duplicate set: every member of a cluster of two or more
    (deduplicated once more in this process: the timed run is the child's)."""
    links, _ = deduplicate([frame], year_tolerance=1, min_title_length=30)
    sizes = links.groupby("canonical_id")["record_id"].transform("size")
    return set(links.loc[sizes > 1, "record_id"])


def classified(frame: pd.DataFrame, gold: Sequence[Sequence[str]]) -> dict[str, dict[str, int]]:
    """prismaflow's misses by the reason compare() keeps the parts of a true cluster apart, and
    its false merges by the rule that linked them: the next improvement chosen from data."""
    links, _ = deduplicate([frame], year_tolerance=1, min_title_length=30)
    canonical = dict(zip(links["record_id"], links["canonical_id"], strict=True))
    rule = dict(zip(links["record_id"], links["rule"], strict=True))
    rows = {row["record_id"]: row for row in comparison_keys(frame).to_dict("records")}
    misses: Counter[str] = Counter()
    for members in gold:
        parts = sorted({canonical[r] for r in members if r in canonical})
        for a, b in pairwise(parts):
            verdict = compare(rows[a], rows[b], year_tolerance=1, min_title_length=30)
            misses[verdict.reason or f"{verdict.rule} (linked, not joined)"] += 1
    cluster_of = {r: i for i, members in enumerate(gold) for r in members}
    false_merges: Counter[str] = Counter(
        rule[r]
        for r, c in canonical.items()
        if r != c and cluster_of.get(r, r) != cluster_of.get(c, c)
    )
    return {"misses": dict(misses.most_common()), "false_merges": dict(false_merges.most_common())}


def run_dataset(folder: Path, tools: Sequence[str], limit: float | None) -> list[dict]:
    frame, gold = load_dataset(folder)
    rows = [
        _row(folder.name, tool, frame, lambda kept: score(frame["record_id"], kept, gold), limit)
        for tool in tools
    ]
    rows[0]["classified"] = classified(frame, gold)
    for path in sorted(folder.glob("*.xml")):
        flagged = endnote_flags(path)
        if flagged is None:
            continue
        records, duplicates = flagged
        _, seconds, peak = measured(records)
        rows.append(
            {
                "dataset": f"{folder.name} ({path.name}, records in duplicate sets)",
                "tool": "prismaflow",
                "records": len(records),
                **score_sets(records["record_id"], linked_ids(records), duplicates),
                "seconds": round(seconds, 2),
                "peak_mb": round(peak, 1),
            }
        )
    return rows


def run_synthetic(n: int, tools: Sequence[str], limit: float | None) -> list[dict]:
    frame, gold = synthetic_records(n, seed=20241001)
    return [
        _row(
            f"synthetic_{n}", tool, frame, lambda kept: score(frame["record_id"], kept, gold), limit
        )
        for tool in tools
    ]


COLUMNS = (
    "dataset",
    "tool",
    "records",
    "to_remove",
    "tp",
    "fp",
    "fn",
    "sensitivity",
    "specificity",
    "precision",
    "f1",
    "seconds",
    "peak_mb",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--json", type=Path, help="write the rows as a JSON list here")
    parser.add_argument(
        "--synthetic",
        type=int,
        default=0,
        metavar="N",
        help="also deduplicate N synthetic records (e.g. 100000)",
    )
    parser.add_argument("--no-bib-dedupe", action="store_true", help="prismaflow alone")
    parser.add_argument(
        "--bib-dedupe-limit", type=float, metavar="SECONDS", help="stop bib-dedupe after this long"
    )
    args = parser.parse_args()
    if not args.folders and not args.synthetic:
        parser.error("name at least one dataset folder, or --synthetic N")
    tools = ["prismaflow"]
    if not args.no_bib_dedupe:
        try:
            import bib_dedupe  # noqa: F401
        except ImportError:
            print("bib-dedupe is not installed (pip install -e '.[benchmark]'); prismaflow only")
        else:
            tools.append("bib-dedupe")
    rows = [
        row for folder in args.folders for row in run_dataset(folder, tools, args.bib_dedupe_limit)
    ]
    if args.synthetic:
        rows += run_synthetic(args.synthetic, tools, args.bib_dedupe_limit)
    print(pd.DataFrame(rows, columns=COLUMNS).to_string(index=False))
    for row in rows:
        if "classified" in row:
            print(f"{row['dataset']}, prismaflow: {json.dumps(row['classified'])}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
