"""Benchmarks that cannot rot: every script in benchmarks/ runs at a small size here, and
must end well and print its figures (the figures themselves are what the scripts are for,
not what is asserted); those that need what this machine's suite lacks are named with why."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration
BENCHMARKS = ROOT / "benchmarks"
# Scripts the default suite does not run, and the command that does.
ELSEWHERE = {
    "slurm_review.py": "a SLURM cluster started as root: make test-slurm",
    "slurm_cluster.sh": "starts that cluster: make test-slurm",
    "synthetic.py": "no command of its own: the records scale.py and dedupe.py use",
}


def labelled_set(path: Path, records: int = 80, relevant: int = 8) -> Path:
    """A small labelled set in the layout the screening benchmark reads (ASReview's)."""
    rng = random.Random(7)
    words = "trial drug placebo outcome cohort adults children dose week survey".split()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "title", "abstract", "label_included"])
        for i in range(records):
            hit = i < relevant
            text = " ".join(rng.choice(words) for _ in range(12)) + (" asthma" * 3 if hit else "")
            writer.writerow([i, f"Study {i} of {text[:40]}", text, int(hit)])
    return path


def arguments(name: str, tmp_path: Path) -> list[str]:
    return {
        "dedupe.py": ["--synthetic", "300", "--no-bib-dedupe"],
        "end_to_end.py": ["--repeat", "1"],
        "extraction.py": [str(BENCHMARKS / "labels" / "ruxolitinib_extraction.tsv")],
        "fuzz_import.py": ["--examples", "3"],
        "live_search.py": ["--pubmed", "300", "--scopus", "120"],
        "scale.py": ["200", "--warm"],
        "screening.py": [str(labelled_set(tmp_path / "set.csv")), "--seeds", "1"],
        "serve.py": ["200", "--decisions", "5"],
    }[name]


RUN = sorted(p.name for p in BENCHMARKS.iterdir() if p.suffix in (".py", ".sh"))


def test_every_benchmark_is_run_here_or_named_with_where():
    runnable = {name for name in RUN if name not in ELSEWHERE}
    assert runnable == {
        "dedupe.py",
        "end_to_end.py",
        "extraction.py",
        "fuzz_import.py",
        "live_search.py",
        "scale.py",
        "screening.py",
        "serve.py",
    }
    assert set(ELSEWHERE) <= set(RUN)


@pytest.mark.parametrize("name", [n for n in RUN if n not in ELSEWHERE])
def test_a_benchmark_runs_to_its_figures_at_a_small_size(name, tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *arguments(name, tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.strip(), f"{name} printed no figures"
