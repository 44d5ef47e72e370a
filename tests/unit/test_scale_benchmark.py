"""The scale benchmark's synthetic review (benchmarks/scale.py): the files it writes are read
back whole by the parsers a real review uses, and its decisions name real records."""

import sys

import pandas as pd
import yaml

from prismaflow.formats.importer import import_file
from prismaflow.search.snapshot import replay
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import scale


def test_the_synthetic_review_reads_back_whole_from_its_three_sources(tmp_path):
    project = tmp_path / "review"
    held = scale.build_review(400, project)
    snapshot = project / "resources" / "snapshots" / "synthetic"
    found = {
        source: [r for result in replay(snapshot, source, [scale.QUERY]) for r in result.records]
        for source in ("pubmed", "scopus")
    }
    exported = import_file(project / "resources" / "exports" / "embase.ris")
    assert len(found["pubmed"]) == held["pubmed"] and len(found["scopus"]) == held["scopus"]
    assert exported.records.num_rows == exported.counted == held["file"]
    assert held["pubmed"] + held["scopus"] + held["file"] == 400
    # A database returns an article once: no PMID twice in PubMed's answer.
    pmids = [r["pmid"] for r in found["pubmed"]]
    assert len(pmids) == len(set(pmids))
    config = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))
    assert config["search"]["snapshot"] == "resources/snapshots/synthetic"
    sheet = pd.read_csv(project / "config" / "decisions" / "title_abstract" / "alice.csv")
    assert len(sheet) == held["reviewed"] > 0
    assert set(sheet["record"].astype(str)) <= set(pmids)
