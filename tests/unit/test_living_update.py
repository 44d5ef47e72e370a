"""A living review's update: what carries over from the published version, and how PRISMA
counts an update."""

import json

import pandas as pd
import pytest

from prismaflow import catalog
from prismaflow.errors import InputFileError
from prismaflow.extract.fields import field_specs
from prismaflow.extract.reviewers import ReviewerSheets
from prismaflow.extract.stage import extract
from prismaflow.published import artifact_path, read_artifact, read_release
from prismaflow.quality.synthesise import prisma_identities
from prismaflow.release import freeze_release
from prismaflow.screen.carry import carried_decisions
from prismaflow.screen.reviewers import ReviewerDecision
from prismaflow.screen.rules import protocol_rules
from prismaflow.screen.stage import DECISIONS_SCHEMA, screen
from prismaflow.synthesise.prisma import count_of, prisma_counts, studies_in_review
from tests.unit.test_extract import DECISIONS, RECORDS
from tests.unit.test_screen import records


def published(*rows):
    """A published version's decisions: (record, phase, decision, decided_by, rule)."""
    frame = pd.DataFrame(rows, columns=["record_id", "phase", "decision", "decided_by", "rule"])
    return frame.reindex(columns=DECISIONS_SCHEMA.names)


PUBLISHED = published(
    ("r0", "title_abstract", "include", "alice", None),
    ("r0", "full_text", "include", "alice", None),
    ("r1", "title_abstract", "exclude", "rule", "off_topic_title"),
    ("r2", "title_abstract", "include", "model", None),
    ("r2", "full_text", "awaiting", None, None),
    ("r3", "title_abstract", "exclude", "rule", "date_window"),
)


def test_only_records_settled_at_every_stage_carry_over():
    carried = carried_decisions(PUBLISHED, "v1")
    # r2 awaited a reviewer at full text and r3 was excluded only for the old search date:
    # both are screened again, whole.
    assert sorted(carried) == [
        ("r0", "full_text"),
        ("r0", "title_abstract"),
        ("r1", "title_abstract"),
    ]
    assert carried[("r0", "full_text")]["decided_by"] == "alice"
    assert {row["previous_version"] for row in carried.values()} == {"v1"}


def update_screen(config, frame, human=(), completeness="humans"):
    rules = protocol_rules(config["screening"]["rules"], config["search"]["window"])
    carried = carried_decisions(PUBLISHED, "v1")
    reasons = config["screening"]["reasons"]
    return screen(frame, human, rules, reasons, completeness, carried=carried)


def test_earlier_decisions_are_kept_and_only_new_records_await(config):
    frame = records(*["Cream for lichen planus"] * 5)  # no rule excludes these titles
    out = update_screen(config, frame).set_index(["record_id", "phase"])
    assert out.loc[("r0", "full_text"), "decision"] == "include"
    assert out.loc[("r1", "title_abstract"), ["decision", "decided_by"]].tolist() == [
        "exclude",
        "rule",
    ]
    awaiting = out[out["decision"] == "awaiting"].index.get_level_values(0)
    assert sorted(awaiting) == ["r2", "r3", "r4"]
    assert out["previous_version"].groupby(level=0).first().to_dict() == {
        "r0": "v1",
        "r1": "v1",
        "r2": None,
        "r3": None,
        "r4": None,
    }


def test_a_reviewer_may_revise_a_published_decision_and_it_stays_that_versions_record(config):
    human = [ReviewerDecision("r1", "title_abstract", "bob", "include", None, None, None, "b:2")]
    out = update_screen(config, records(*["Cream for lichen planus"] * 2), human)
    revised = out[(out["record_id"] == "r1") & (out["phase"] == "title_abstract")].iloc[0]
    assert (revised["decision"], revised["decided_by"]) == ("include", "bob")
    assert revised["previous_version"] == "v1"


def links(*pairs):
    """(record id, canonical id, source) rows of links.parquet."""
    return pd.DataFrame(pairs, columns=["record_id", "canonical_id", "source"])


def test_an_update_counts_new_records_and_adds_the_previous_studies(config):
    reasons = config["screening"]["reasons"]
    now = pd.concat(
        [
            PUBLISHED[PUBLISHED["record_id"].isin(["r0", "r1"])].assign(previous_version="v1"),
            published(
                ("n0", "title_abstract", "include", "alice", None),
                ("n0", "full_text", "include", "alice", None),
                ("n1", "title_abstract", "exclude", "rule", "publication_type"),
            ).assign(reason=[None, None, "review"]),
        ]
    )
    found = links(
        ("pubmed:r0", "r0", "pubmed"),
        ("scopus:r0", "r0", "scopus"),
        ("pubmed:r1", "r1", "pubmed"),
        ("pubmed:n0", "n0", "pubmed"),
        ("scopus:n0", "n0", "scopus"),
        ("scopus:n1", "n1", "scopus"),
    )
    counts = prisma_counts(found, now, reasons, previous=PUBLISHED)
    boxes = {box: count_of(counts, box) for box in counts["box"]}
    assert boxes["identified"] == 6
    assert (boxes["previously_screened"], boxes["duplicates_removed"]) == (3, 1)
    # The rule's exclusion is the automation's, before screening (PRISMA 2020).
    assert (boxes["automation_removed"], boxes["screened"], boxes["excluded"]) == (1, 1, 0)
    assert boxes["included"] == 1
    assert (boxes["previous_included"], boxes["withdrawn"], boxes["total_included"]) == (1, 0, 2)
    assert studies_in_review(counts) == 2
    assert all(check.success for check in prisma_identities(counts))
    labels = counts.set_index("box")["label"]
    assert labels["included"] == "New studies included in review"


def test_a_new_review_has_no_update_boxes(config):
    found = links(("pubmed:n0", "n0", "pubmed"))
    decisions = published(
        ("n0", "title_abstract", "include", "alice", None),
        ("n0", "full_text", "include", "alice", None),
    )
    counts = prisma_counts(found, decisions, config["screening"]["reasons"])
    assert not {"previously_screened", "total_included"} & set(counts["box"])
    assert studies_in_review(counts) == 1


def test_published_extraction_carries_over_and_only_new_studies_are_prefilled(config):
    fields = field_specs(config["extraction"]["fields"])
    first, _, _ = extract(RECORDS, DECISIONS, config["extraction"], fields, ReviewerSheets([], []))
    earlier = first.assign(n_patients=7, n_patients_by="alice", n_patients_source="alice.csv, 2")
    both = DECISIONS.assign(decision="include")  # b, excluded before, is now included
    studies, _, _ = extract(
        RECORDS, both, config["extraction"], fields, ReviewerSheets([], []), ("v1", earlier)
    )
    by_id = studies.set_index("record_id")
    assert by_id.loc["a", ["n_patients", "n_patients_by", "previous_version"]].tolist() == [
        7,
        "alice",
        "v1",
    ]
    assert by_id.loc["b", "previous_version"] is None
    assert by_id.loc["b", "condition_group"] is None  # pre-filled, and nothing supports a value


def finished(results, passed=True):
    """A run's release artifacts and gate verdicts; unless `passed`, the search gate failed."""
    for stage in catalog.GATED:
        verdict = catalog.gate_verdict(stage, results)
        verdict.parent.mkdir(parents=True, exist_ok=True)
        if passed or stage != "search":
            verdict.write_text(json.dumps({"success": True}))
        else:
            failed = {"failed": [{"name": "no_record_awaits_a_reviewer"}]}
            catalog.gate_failure(stage, results).write_text(json.dumps(failed))
    for name in catalog.RELEASED:
        path = catalog.under(results, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        PUBLISHED.to_parquet(path)
    return results


def test_a_release_is_verified_when_read_and_never_overwritten(tmp_path):
    results = finished(tmp_path / "results")
    release = tmp_path / "releases" / "v1"
    manifest = freeze_release(results, release, name="v1", window={"end": "2024-09-30"})
    assert read_release(release)["files"] == manifest["files"]
    name, decisions = read_artifact(release, "decisions")
    assert name == "v1" and decisions.equals(PUBLISHED)
    with pytest.raises(InputFileError, match="already holds files"):
        freeze_release(results, release, name="v1", window={})
    PUBLISHED.head(1).to_parquet(artifact_path(release, "decisions"))
    with pytest.raises(InputFileError, match=r"decisions\.parquet: sha256 .* must not be edited"):
        read_release(release)


def test_only_a_finished_review_can_be_released(tmp_path):
    results = finished(tmp_path / "results", passed=False)
    failed = r"search\.gate\.json: the search gate has failed: no_record_awaits_a_reviewer"
    with pytest.raises(InputFileError, match=failed):
        freeze_release(results, tmp_path / "v1", name="v1", window={})
