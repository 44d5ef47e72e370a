"""Deduplication against labelled gold standards, and at scale on synthetic records.

Run: python benchmarks/dedupe.py DIR [DIR ...] [--json OUT] [--synthetic N]

Each DIR holds `merged_record_ids.csv` (gold clusters: one `;`-joined list of ids per row) and
either `records_pre_merged.csv` (bib-dedupe layout, ids `id_%07d`) or `labelled_test_set.csv`
(ASySD layout, cp1252, ids in `record_id`). Counting follows ASySD and bib-dedupe: a positive is
a record that should be removed. In a true cluster where the method keeps k > 0 members, n - k
records are true positives and k - 1 are false negatives. If it keeps none of them (the whole
cluster was merged into another), that counts as one false positive. A true singleton that is
removed is a false positive.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import resource
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
from synthetic import synthetic_records

from prismaflow.dedupe.stage import deduplicate
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
        issue, doi = raw["number"], pd.Series([None] * len(raw))
        abstract = pd.Series([None] * len(raw))
    else:
        raw = pd.read_csv(folder / "labelled_test_set.csv", encoding="cp1252", dtype=str)
        raw = raw.drop(columns=["label", "source"])  # the truth: never shown to the method
        ids = raw["record_id"].map(lambda r: f"id_{int(r):07d}")
        authors, issue = raw["author"].map(_authors_asysd), raw["number"]
        doi = [normalise_doi(d) if isinstance(d, str) else None for d in raw["doi"]]
        abstract = raw["abstract"]
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
    sensitivity = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    f1 = 2 * precision * sensitivity / (precision + sensitivity) if precision + sensitivity else 0
    return {
        "to_remove": sum(len(c) - 1 for c in gold),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "sensitivity": round(sensitivity, 4),
        "specificity": round(tn / (tn + fp) if tn + fp else 1.0, 4),
        "precision": round(precision, 4),
        "f1": round(f1, 4),
    }


def _dedupe_in_child(frame: pd.DataFrame, queue: multiprocessing.Queue) -> None:
    start = time.perf_counter()
    links, _ = deduplicate([frame], year_tolerance=1, min_title_length=30)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((set(links["canonical_id"]), seconds, peak_mib))


def measured(frame: pd.DataFrame) -> tuple[set[str], float, float]:
    """Kept (canonical) ids, seconds, and the peak resident memory (MiB) of a process that
    holds the records and deduplicates them (a forked child, so earlier runs do not count)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_dedupe_in_child, args=(frame, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def run_dataset(folder: Path) -> dict:
    frame, gold = load_dataset(folder)
    kept, seconds, peak = measured(frame)
    return {
        "dataset": folder.name,
        "records": len(frame),
        **score(frame["record_id"], kept, gold),
        "seconds": round(seconds, 2),
        "peak_mb": round(peak, 1),
    }


def run_synthetic(n: int) -> dict:
    frame, gold = synthetic_records(n, seed=20241001)
    kept, seconds, peak = measured(frame)
    return {
        "dataset": f"synthetic_{n}",
        "records": len(frame),
        **score(frame["record_id"], kept, gold),
        "seconds": round(seconds, 2),
        "peak_mb": round(peak, 1),
    }


COLUMNS = (
    "dataset",
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
    args = parser.parse_args()
    if not args.folders and not args.synthetic:
        parser.error("name at least one dataset folder, or --synthetic N")
    rows = [run_dataset(folder) for folder in args.folders]
    if args.synthetic:
        rows.append(run_synthetic(args.synthetic))
    print(pd.DataFrame(rows, columns=COLUMNS).to_string(index=False))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()
