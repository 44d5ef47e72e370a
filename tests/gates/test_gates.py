import json

import pandas as pd
import pytest

from prismaflow.catalog import GATED as STAGES
from prismaflow.errors import GateFailedError
from prismaflow.extract.fields import field_specs
from prismaflow.extract.reviewers import DISAGREEMENTS_SCHEMA, PROBLEMS_SCHEMA, read_sheets
from prismaflow.extract.stage import extract, studies_schema
from prismaflow.identifiers import record_index
from prismaflow.parquet_io import read_frame, write_artifact
from prismaflow.quality.gate import failure_message, run_gate, verdict, write_verdict
from prismaflow.vocabulary import included_ids
from tests.gates.conftest import inputs_for


def failed(checks):
    return {c.name: c for c in checks if not c.success}


def broken(artifacts, tmp_path, name, edit):
    """A copy of the artifacts where one file has been edited."""
    frame = edit(
        read_frame(artifacts[name] if not isinstance(artifacts[name], list) else artifacts[name][0])
    )
    path = tmp_path / f"broken_{name}.parquet"
    write_artifact(frame, path, rule="test")
    copy = dict(artifacts)
    copy[name] = [path, *artifacts[name][1:]] if isinstance(artifacts[name], list) else path
    return copy


@pytest.mark.parametrize("stage", STAGES)
def test_every_gate_passes_the_good_artifacts(stage, artifacts, gate_params):
    checks = run_gate(stage, inputs_for(stage, artifacts), gate_params[stage])
    assert checks, "a gate that checks nothing passes everything"
    assert failed(checks) == {}


def test_search_gate_fails_a_duplicated_record_and_a_short_query(artifacts, gate_params, tmp_path):
    dup = broken(artifacts, tmp_path, "source_records", lambda f: pd.concat([f, f.iloc[:1]]))
    problems = failed(run_gate("search", inputs_for("search", dup), gate_params["search"]))
    assert "expect_column_values_to_be_unique" in problems
    first_id = read_frame(artifacts["source_records"][0])["record_id"].iloc[0]
    assert first_id in problems["expect_column_values_to_be_unique"].unexpected_ids
    short = broken(
        artifacts,
        tmp_path,
        "search_log",
        lambda f: f.assign(retrieved_count=f["retrieved_count"] - (f.index == 0)),
    )
    problems = failed(run_gate("search", inputs_for("search", short), gate_params["search"]))
    pair = problems["expect_column_pair_values_to_be_equal"]
    assert pair.unexpected_ids == ["pubmed/ruxolitinib_cream"]
    assert "hits_per_query_equal_retrieved_count" in problems


def test_search_gate_counts_distinct_records_not_hits(artifacts, gate_params, tmp_path):
    """A query that lost one record and retrieved another twice keeps its count of hits."""

    def repeat_one(hits):
        hits = hits.copy()
        hits.loc[1, "record_id"] = hits.loc[0, "record_id"]
        return hits

    hits = read_frame(artifacts["source_hits"][0])
    lost, repeated = hits.loc[1, "record_id"], hits.loc[0, "record_id"]
    query = f"{hits.loc[0, 'source']}/{hits.loc[0, 'query_id']}"
    changed = broken(artifacts, tmp_path, "source_hits", repeat_one)
    problems = failed(run_gate("search", inputs_for("search", changed), gate_params["search"]))
    assert "hits_per_query_equal_retrieved_count" not in problems  # the count still agrees
    assert problems["distinct_records_per_query_equal_reported_count"].unexpected_ids == [query]
    twice = problems["no_record_retrieved_twice_by_a_query"].unexpected_ids
    assert twice == [f"{query}: {repeated}"]
    assert problems["every_record_was_retrieved_by_a_query"].unexpected_ids == [lost]


def test_dedupe_gate_fails_a_lost_record_and_a_cluster_with_two_dois(
    artifacts, gate_params, tmp_path
):
    lost = broken(artifacts, tmp_path, "links", lambda f: f.iloc[1:])
    problems = failed(run_gate("dedupe", inputs_for("dedupe", lost), gate_params["dedupe"]))
    missing = read_frame(artifacts["links"])["record_id"].iloc[0]
    assert problems["every_searched_record_is_linked"].unexpected_ids == [missing]

    def merge_two_doi_clusters(links):
        searched = pd.concat([read_frame(p) for p in artifacts["source_records"]])
        with_doi = links.merge(searched[["record_id", "doi"]]).dropna(subset=["doi"])
        a, b = with_doi.drop_duplicates("doi")["canonical_id"].iloc[:2]
        return links.assign(canonical_id=links["canonical_id"].replace(b, a))

    mixed = broken(artifacts, tmp_path, "links", merge_two_doi_clusters)
    problems = failed(run_gate("dedupe", inputs_for("dedupe", mixed), gate_params["dedupe"]))
    assert len(problems["no_cluster_mixes_different_dois_unless_overridden"].unexpected_ids) == 1
    assert "canonical_records_equal_link_targets" in problems

    def vouched_by_all_but_doi(links):
        merged = merge_two_doi_clusters(links)
        moved = merged["canonical_id"].ne(links["canonical_id"])
        return merged.assign(rule=merged["rule"].mask(moved, "all_but_doi"))

    vouched = broken(artifacts, tmp_path, "links", vouched_by_all_but_doi)
    problems = failed(run_gate("dedupe", inputs_for("dedupe", vouched), gate_params["dedupe"]))
    assert "no_cluster_mixes_different_dois_unless_overridden" not in problems


def test_screen_gate_fails_unscreened_records_and_exclusions_without_reason(
    artifacts, gate_params, tmp_path
):
    decisions = read_frame(artifacts["decisions"])
    excluded_id = decisions.loc[decisions["decision"] == "exclude", "record_id"].iloc[0]
    no_reason = broken(
        artifacts,
        tmp_path,
        "decisions",
        lambda f: f.assign(reason=f["reason"].where(f["record_id"] != excluded_id)),
    )
    problems = failed(run_gate("screen", inputs_for("screen", no_reason), gate_params["screen"]))
    assert problems["expect_column_values_to_not_be_null"].unexpected_ids == [excluded_id]
    unscreened = broken(
        artifacts, tmp_path, "decisions", lambda f: f[f["record_id"] != excluded_id]
    )
    problems = failed(run_gate("screen", inputs_for("screen", unscreened), gate_params["screen"]))
    assert problems["every_record_screened_at_title_abstract"].unexpected_ids == [excluded_id]


def test_screen_gate_blocks_while_records_await_reviewers(artifacts, gate_params, tmp_path):
    waiting = broken(
        artifacts,
        tmp_path,
        "decisions",
        lambda f: f.assign(decision=f["decision"].replace("include", "awaiting")),
    )
    params = {**gate_params["screen"], "completeness": "humans"}
    problems = failed(run_gate("screen", inputs_for("screen", waiting), params))
    awaiting = problems["no_record_awaits_a_reviewer"]
    assert awaiting.unexpected_ids
    assert awaiting.statistics == {"policy": "humans"}


def test_extract_gate_fails_an_unknown_category(artifacts, gate_params, tmp_path):
    studies = read_frame(artifacts["studies"])
    target = studies["record_id"].iloc[0]
    unknown = broken(
        artifacts,
        tmp_path,
        "studies",
        lambda f: f.assign(
            condition_group=f["condition_group"].where(f["record_id"] != target, "vascular")
        ),
    )
    problems = failed(run_gate("extract", inputs_for("extract", unknown), gate_params["extract"]))
    assert problems["expect_column_values_to_be_in_set"].unexpected_ids == [target]


def test_extract_gate_keeps_the_machine_trail_to_included_studies_and_their_sources(
    artifacts, gate_params, tmp_path
):
    machine = read_frame(artifacts["machine_values"])
    first = machine.iloc[0]
    stray = pd.DataFrame([{**first.to_dict(), "record_id": "pubmed:0"}])
    unsourced = pd.DataFrame([{**first.to_dict(), "source": None}])
    edited = broken(
        artifacts, tmp_path, "machine_values", lambda f: pd.concat([f, stray, unsourced])
    )
    problems = failed(run_gate("extract", inputs_for("extract", edited), gate_params["extract"]))
    assert problems["of_included_studies_and_protocol_fields"].unexpected_ids == [
        f"pubmed:0 {first['field']}"
    ]
    assert problems["one_per_study_and_field_with_its_source"].unexpected_ids == [
        f"{first['record_id']} {first['field']}"
    ]


def test_synthesise_gate_enforces_the_prisma_identities(artifacts, gate_params, tmp_path):
    inflated = broken(
        artifacts,
        tmp_path,
        "prisma",
        lambda f: f.assign(count=f["count"] + (f["box"] == "included")),
    )
    problems = failed(
        run_gate("synthesise", inputs_for("synthesise", inflated), gate_params["synthesise"])
    )
    assert {"every_included_study_has_a_report", "included_equals_extracted_studies"} <= set(
        problems
    )


def test_failed_verdict_is_kept_and_the_message_names_checks_and_records(
    tmp_path, artifacts, gate_params
):
    lost = broken(artifacts, tmp_path, "links", lambda f: f.iloc[1:])
    report = verdict("dedupe", run_gate("dedupe", inputs_for("dedupe", lost), {}))
    output = tmp_path / "qc" / "dedupe.gate.json"
    with pytest.raises(GateFailedError) as error:
        write_verdict(report, output)
    message = str(error.value)
    assert "gate 'dedupe' failed" in message
    assert "every_searched_record_is_linked" in message
    assert read_frame(artifacts["links"])["record_id"].iloc[0] in message
    assert not output.exists()
    kept = json.loads((tmp_path / "qc" / "dedupe.gate.failed.json").read_text())
    assert kept["success"] is False and kept["failed"]


def test_passing_verdict_replaces_an_old_failure(tmp_path, artifacts, gate_params):
    output = tmp_path / "qc" / "extract.gate.json"
    output.parent.mkdir()
    (tmp_path / "qc" / "extract.gate.failed.json").write_text("{}")
    report = verdict(
        "extract", run_gate("extract", inputs_for("extract", artifacts), gate_params["extract"])
    )
    write_verdict(report, output)
    saved = json.loads(output.read_text())
    assert saved["success"] is True and saved["expectations_run"] == len(saved["checks"])
    assert not (tmp_path / "qc" / "extract.gate.failed.json").exists()


def test_extract_gate_fails_a_bad_reviewer_sheet_naming_study_and_field(
    artifacts, gate_params, config, tmp_path
):
    records, decisions = read_frame(artifacts["records"]), read_frame(artifacts["decisions"])
    first, second, third = read_frame(artifacts["studies"])["record_id"].iloc[:3]
    sheet = tmp_path / "alice.csv"
    sheet.write_text(
        "record_id,n_patients,n_responders,response\n"
        f"{first},twelve,,\n{second},,,good\n{third},2,5,partial\n",
        encoding="utf-8",
    )
    (tmp_path / "bob.csv").write_text(f"record_id,response\n{third},complete\n", encoding="utf-8")
    fields = field_specs(config["extraction"]["fields"])
    index = record_index(records, read_frame(artifacts["links"]))
    sheets = read_sheets([sheet, tmp_path / "bob.csv"], fields, index, set(included_ids(decisions)))
    studies, disagreements, _ = extract(records, decisions, config["extraction"], fields, sheets)
    paths = dict(artifacts)
    for name, frame, schema in (
        ("studies", studies, studies_schema(fields)),
        ("sheet_problems", sheets.problems_frame(), PROBLEMS_SCHEMA),
        ("disagreements", disagreements, DISAGREEMENTS_SCHEMA),
    ):
        paths[name] = tmp_path / f"{name}.parquet"
        write_artifact(frame, paths[name], rule="test", schema=schema)
    problems = failed(run_gate("extract", inputs_for("extract", paths), gate_params["extract"]))
    cells = problems["every_cell_valid"].unexpected_ids
    assert any(f"line 2: {first} n_patients: 'twelve' is not a number" in c for c in cells)
    assert any(f"line 3: {second} response: 'good' is not one of" in c for c in cells)
    assert problems["events_at_most_total"].unexpected_ids == [
        f"{third} n_responders: 5 > n_patients 2"
    ]
    assert problems["disagreements_settled"].unexpected_ids == [
        f"{third} response: alice=partial; bob=complete (add the value to adjudication.csv)"
    ]
    report = verdict("extract", list(problems.values()))
    assert f"{third} n_responders" in failure_message(report)


def test_extract_gate_requires_the_protocols_required_fields(artifacts, gate_params, tmp_path):
    target = read_frame(artifacts["studies"])["record_id"].iloc[0]
    emptied = broken(
        artifacts,
        tmp_path,
        "studies",
        lambda f: f.assign(
            study_design=f["study_design"].where(f["record_id"] != target),
            study_design_source=f["study_design_source"].where(f["record_id"] != target),
        ),
    )
    problems = failed(run_gate("extract", inputs_for("extract", emptied), gate_params["extract"]))
    assert problems["required_fields_filled"].unexpected_ids == [f"{target} study_design"]


def test_gx_sees_only_the_columns_its_expectations_read():
    import great_expectations.expectations as gxe

    from prismaflow.quality.gx_runner import Suite, examined, run_suites

    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "b"],
            "authors": [["X Y"], ["Z W"], []],  # a list column GX cannot hash
            "n": [1, 5, 3],
            "m": [0, 9, 1],
        }
    )
    suite = Suite(
        "t",
        frame,
        [
            gxe.ExpectColumnValuesToBeUnique(column="record_id"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="n", column_B="m"),
        ],
    )
    assert list(examined(suite).columns) == ["record_id", "n", "m"]
    unique, pair = run_suites([suite])
    assert not unique.success and not pair.success and pair.unexpected_ids == ["b"]


def test_appraise_gate_names_unsettled_domains_unread_rows_and_unexplained_overalls(
    artifacts, gate_params, tmp_path
):
    def assessed(frame):
        first = frame["record_id"].iloc[0]
        one = (frame["record_id"] == first) & (frame["domain"] == frame["domain"].iloc[0])
        overall = (frame["domain"] == "overall") & frame["proposed"].notna()
        frame.loc[one, ["judgement", "status"]] = [None, "conflict"]
        frame.loc[overall.idxmax(), "judgement"] = "high"  # not what the algorithm gives
        return frame

    bad = broken(artifacts, tmp_path, "risk_of_bias", assessed)
    bad = broken(
        bad,
        tmp_path,
        "bias_problems",
        lambda f: pd.DataFrame(
            [["ana.csv", 3, None, "D9", "x", "'D9' is not a domain"]], columns=f.columns
        ),
    )
    problems = failed(run_gate("appraise", inputs_for("appraise", bad), gate_params["appraise"]))
    assert set(problems) == {
        "every_domain_is_settled",
        "every_sheet_row_is_read",
        "an_overall_judgement_changed_from_the_algorithm_gives_a_reason",
    }
    assert problems["every_sheet_row_is_read"].unexpected_ids == [
        "ana.csv, line 3: 'D9' is not a domain"
    ]
    uncovered = {**gate_params["appraise"], "tools": {"case report": "jbi_case_report"}}
    problems = failed(run_gate("appraise", inputs_for("appraise", artifacts), uncovered))
    assert "every_included_study_has_a_tool" in problems
