"""The dedupe benchmark's counting, loaders and synthetic data (benchmarks/dedupe.py)."""

import sys

import pytest

from tests.conftest import ROOT, shared_path

sys.path.insert(0, str(ROOT / "benchmarks"))
import dedupe as benchmark
from synthetic import synthetic_records


def test_score_counts_as_asysd_and_bib_dedupe_do():
    gold = [["a", "b", "c"], ["d", "e"], ["x", "y"]]
    ids = ["a", "b", "c", "d", "e", "f", "g", "x", "y"]
    kept = {"a", "c", "d", "e", "f"}  # x and y both merged into something else
    result = benchmark.score(ids, kept, gold)
    # cluster abc keeps 2: tp 1, fn 1; cluster de keeps 2: tp 0, fn 1; cluster xy keeps none:
    # fp 1, tp 1; singleton f kept (tn), g removed (fp).
    assert (result["tp"], result["fp"], result["fn"]) == (2, 2, 2)
    assert result["to_remove"] == 4
    assert result["sensitivity"] == 0.5
    assert result["specificity"] == round(3 / 5, 4)  # tn: abc, de, f
    assert result["precision"] == 0.5


def test_loaders_read_both_layouts(tmp_path):
    bib = tmp_path / "bib"
    bib.mkdir()
    (bib / "records_pre_merged.csv").write_text(
        "ID,title,year,author,pages,volume,number,ENTRYTYPE,journal\n"
        'id_0000001,A title,1996,"Ziegler, T. R. and Smith, A.",91-92,20,1112,article,JPEN\n'
        "id_0000002,A title,1996,,91-2,20,,article,JPEN\n"
    )
    (bib / "merged_record_ids.csv").write_text('merged_ids\n"id_0000001;id_0000002"\n')
    frame, gold = benchmark.load_dataset(bib)
    assert frame["authors"].iloc[0].tolist() == ["Ziegler T R", "Smith A"]
    assert gold == [["id_0000001", "id_0000002"]]
    asysd = tmp_path / "asysd"
    asysd.mkdir()
    (asysd / "labelled_test_set.csv").write_bytes(
        "author,title,year,journal,abstract,doi,number,pages,volume,isbn,record_id,label,source\n"
        "Adeli K.Lewis G. F.,Lipoprotein \xa9,2008,Curr Opin,,http://dx.doi.org/10.1097/MOL.1,"
        "3,221-8,19,,1,In_database,unique\n".encode("cp1252")
    )
    (asysd / "merged_record_ids.csv").write_text("merged_ids\n")
    frame, gold = benchmark.load_dataset(asysd)
    assert frame["record_id"].tolist() == ["id_0000001"]
    assert frame["authors"].iloc[0].tolist() == ["Adeli K", "Lewis G F"]
    assert frame["doi"].iloc[0] == "10.1097/mol.1"
    assert (frame["year"].iloc[0], frame["pages"].iloc[0]) == (2008, "221-8")


@pytest.mark.parametrize(
    ("name", "records", "clusters"), [("asysd_diabetes", 1845, 573), ("sra_respiratory", 1988, 368)]
)
def test_real_gold_standards_load_completely(name, records, clusters):
    frame, gold = benchmark.load_dataset(shared_path("benchmarks", "dedupe", name))
    assert len(frame) == records and frame["record_id"].is_unique
    assert len(gold) == clusters
    assert {r for c in gold for r in c} <= set(frame["record_id"])


def test_synthetic_records_are_reproducible_and_their_gold_is_consistent():
    frame, gold = synthetic_records(3000, seed=7)
    again, gold_again = synthetic_records(3000, seed=7)
    assert frame.equals(again) and gold == gold_again
    assert len(frame) == 3000 and frame["record_id"].is_unique
    members = [r for cluster in gold for r in cluster]
    assert len(members) == len(set(members)) and set(members) <= set(frame["record_id"])
    assert all(len(cluster) >= 2 for cluster in gold)
    titles = frame["title"].str.lower()
    assert titles.str.contains("part 2").any() and titles.str.startswith("erratum").any()


def test_endnote_duplicate_flags_are_read_and_scored_as_records_in_duplicate_sets(tmp_path):
    record = (
        '<record><ref-type name="Journal Article">17</ref-type>{caption}'
        "<titles><title>{title}</title></titles><dates><year>2020</year></dates></record>"
    )
    flagged = '<caption><style face="normal">Duplicate</style></caption>'
    path = tmp_path / "library.xml"
    path.write_text(
        "<xml><records>"
        + record.format(caption=flagged, title="Inhaled steroids in asthma: a trial")
        + record.format(caption=flagged, title="Inhaled steroids in asthma: a trial.")
        + record.format(caption="", title="Something else entirely, at length")
        + "</records></xml>"
    )
    records, duplicates = benchmark.endnote_flags(path)
    assert len(records) == 3 and len(duplicates) == 2
    linked = benchmark.linked_ids(records)
    assert linked == duplicates
    result = benchmark.score_sets(records["record_id"], linked, duplicates)
    assert (result["tp"], result["fp"], result["fn"], result["specificity"]) == (2, 0, 0, 1.0)
    result = benchmark.score_sets(records["record_id"], set(records["record_id"]), duplicates)
    assert (result["fp"], result["specificity"]) == (1, 0.0)


def test_misses_and_false_merges_are_classified_by_the_deciding_rule():
    frame, gold = synthetic_records(300, seed=7)
    found = benchmark.classified(frame, gold)
    assert set(found) == {"misses", "false_merges"}
    assert all(isinstance(n, int) and n > 0 for n in found["misses"].values())
    # Splitting a true cluster's gold in two makes the method's joined pair a false merge.
    split = next(members for members in gold if len(members) > 1)
    regrouped = [c for c in gold if c is not split] + [[m] for m in split]
    merged = benchmark.classified(frame, regrouped)["false_merges"]
    assert sum(merged.values()) == sum(found["false_merges"].values()) + len(split) - 1
