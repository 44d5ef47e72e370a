"""The extraction pre-fill against a labelled table: accuracy and coverage per field.

Run: python benchmarks/extraction.py LABELS.tsv [--records FILE] [--config config.yaml] [--json OUT]

LABELS.tsv (tab-separated, '#' lines are comments) names each study by `record_key`, `pmid` or
`doi` and gives the expected value of any of: condition, condition_group, study_design,
n_patients (an empty cell: no expected value, the study does not count for that field).
FILE holds the records: a corpus TSV (record_key, pmid, doi, title, keywords, publication_types,
summary, ...; default: the embedded snapshot's source) or a records.parquet from a run.

Per field: coverage = labelled studies the pre-fill gave a value / labelled studies;
accuracy = correct values / values given; correct of labelled = correct / labelled studies.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from prismaflow.config import load_yaml, validate_config
from prismaflow.extract.prefill import Prefiller
from prismaflow.identifiers import normalise_doi, normalise_pmid
from prismaflow.parquet_io import read_frame

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("condition", "condition_group", "study_design", "n_patients")
LIST_COLUMNS = ("authors", "keywords", "publication_types")


def corpus_records(path: Path) -> pd.DataFrame:
    """A corpus TSV as records: '; '-joined lists split, the summary read as the abstract."""
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    frame = frame.rename(columns={"summary": "abstract"})
    for column in LIST_COLUMNS:
        if column in frame:
            frame[column] = [v.split("; ") if v else None for v in frame[column]]
    return frame.replace({"": None})


def load_records(path: Path) -> pd.DataFrame:
    return read_frame(path) if path.suffix == ".parquet" else corpus_records(path)


def _keys(row: Mapping[str, Any]) -> list[str]:
    keys = []
    if row.get("record_key"):
        keys.append(f"key:{row['record_key']}")
    if pmid := normalise_pmid(row.get("pmid")):
        keys.append(f"pmid:{pmid}")
    if doi := normalise_doi(row.get("doi")):
        keys.append(f"doi:{doi}")
    return keys


def match_labels(
    labels: pd.DataFrame, records: pd.DataFrame
) -> tuple[list[tuple[dict, dict]], list[str]]:
    """(label, record) pairs, and the labels whose study is not among the records (a run's
    records.parquet has no record keys, so labels named only by key cannot be found there)."""
    index = {}
    for record in records.to_dict("records"):
        for key in _keys(record):
            index.setdefault(key, record)
    pairs, missing = [], []
    for label in labels.to_dict("records"):
        record = next((index[k] for k in _keys(label) if k in index), None)
        if record is None:
            missing.append(label.get("record_key") or label.get("pmid") or label.get("doi"))
        else:
            pairs.append((label, record))
    return pairs, missing


def _same(expected: str, predicted: Any) -> bool:
    if predicted is None:
        return False
    if expected.strip().isdigit():
        return int(expected) == predicted
    return expected.strip().casefold() == str(predicted).casefold()


def field_scores(
    pairs: Sequence[tuple[dict, dict]], prefill: Prefiller, fields: Sequence[str] = FIELDS
) -> dict[str, dict[str, Any]]:
    predictions = [prefill(record) for _, record in pairs]
    scores = {}
    for field in fields:
        labelled = given = correct = 0
        misses = []
        for (label, _), predicted in zip(pairs, predictions, strict=True):
            expected = label.get(field)
            if not expected:
                continue
            labelled += 1
            value = predicted[field].value if field in predicted else None
            given += value is not None
            if _same(expected, value):
                correct += 1
            else:
                misses.append(f"{_keys(label)[0]}: expected {expected!r}, got {value!r}")
        scores[field] = {
            "labelled": labelled,
            "coverage": given / labelled if labelled else None,
            "accuracy": correct / given if given else None,
            "correct_of_labelled": correct / labelled if labelled else None,
            "misses": misses,
        }
    return scores


def _percent(value: float | None) -> str:
    return "   -" if value is None else f"{value:6.1%}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labels", type=Path)
    parser.add_argument(
        "--records", type=Path, default=ROOT / "resources/snapshots/ruxolitinib/source/records.tsv"
    )
    parser.add_argument("--config", type=Path, default=ROOT / "config/config.yaml")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    labels = pd.read_csv(args.labels, sep="\t", dtype=str, comment="#", keep_default_na=False)
    config = validate_config(load_yaml(args.config))
    pairs, missing = match_labels(labels, load_records(args.records))
    if missing:
        print(f"not among the records, left out: {', '.join(map(str, missing))}")
    if not pairs:
        print("no labelled study is among the records", file=sys.stderr)
        return 2
    scores = field_scores(pairs, Prefiller.from_config(config["extraction"]))
    print(f"{len(pairs)} labelled studies ({args.labels.name}; records {args.records.name})")
    print(f"{'field':<16}{'labelled':>9}{'coverage':>10}{'accuracy':>10}{'correct/all':>13}")
    for field, s in scores.items():
        print(
            f"{field:<16}{s['labelled']:>9}{_percent(s['coverage']):>10}"
            f"{_percent(s['accuracy']):>10}{_percent(s['correct_of_labelled']):>13}"
        )
    for field, s in scores.items():
        for miss in s["misses"]:
            print(f"  miss {field}: {miss}")
    if args.json:
        args.json.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
