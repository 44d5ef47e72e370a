"""The embedded default run end to end: artifacts, gates, PRISMA counts, re-runs."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from prismaflow import catalog
from prismaflow.parquet_io import lineage
from prismaflow.sandbox import copy_project
from prismaflow.synthesise.evidence import shown_columns
from tests.conftest import FIXTURES
from tests.integration.conftest import (
    copy_of,
    prismaflow,
    read,
    scheduled_rules,
    scheduled_with,
    snakemake,
)

pytestmark = pytest.mark.integration
SOURCES = ("pubmed", "scopus")
# Every Parquet table the catalog names, for each source of the embedded default.
TABLES = sorted(
    {
        catalog.under("", entry.name, source=source)
        for stage in catalog.STAGES
        for entry in stage.artifacts
        if entry.path.endswith(".parquet")
        for source in SOURCES
    }
)


def test_every_table_records_its_rule_and_every_input_of_its_job(finished_run):
    """The lineage is the job's own: its real rule name and all its inputs but code."""
    jobs = json.loads((finished_run / "results" / "provenance" / "manifest.json").read_text())
    for relative in TABLES:
        path = finished_run / "results" / relative
        recorded = lineage(path)
        rule = recorded["rule"]
        assert catalog.stage_of_rule(rule) is not None, (relative, rule)
        assert {"code_version", "code_sha256", "params_sha256"} <= set(recorded)
        for given in recorded["inputs"]:
            assert (finished_run / given["path"]).is_file(), given
        entry = next(e for e in jobs["artifacts"] if e["path"].endswith(str(relative)))
        assert entry["inputs"] == recorded["inputs"] and entry["rule"] == rule
    screened = {
        i["name"] for i in lineage(catalog.under(finished_run / "results", "decisions"))["inputs"]
    }
    assert {"records", "links", "gate"} <= screened


def test_every_gate_passed(finished_run):
    for stage in catalog.GATED:
        verdict = json.loads(catalog.gate_verdict(stage, finished_run / "results").read_text())
        assert verdict["success"] is True, stage
        assert verdict["expectations_run"] > 0 and verdict["failed"] == []


def test_raw_responses_are_kept_with_their_hashes(finished_run):
    import gzip
    import hashlib

    log = read(finished_run, "search_log")
    for files, hashes in zip(log["raw_files"], log["raw_sha256"], strict=True):
        for name, digest in zip(files, hashes, strict=True):
            data = gzip.decompress(
                (finished_run / "results" / "01_search" / "raw" / name).read_bytes()
            )
            assert hashlib.sha256(data).hexdigest() == digest


def test_prisma_counts_agree_with_the_artifacts(finished_run):
    counts = read(finished_run, "prisma")
    links = read(finished_run, "links")
    decisions = read(finished_run, "decisions")
    studies = read(finished_run, "studies")
    box = counts.groupby("box")["count"].sum()
    per_source = counts[counts["box"] == "identified"].set_index("source")["count"]
    for source in ("pubmed", "scopus"):
        assert per_source[source] == len(read(finished_run, "source_records", source=source))
    title_abstract = decisions[decisions["phase"] == "title_abstract"]
    full_text = decisions[decisions["phase"] == "full_text"]
    assert box["duplicates_removed"] == len(links) - links["canonical_id"].nunique()
    by_rule = title_abstract["decided_by"] == "rule"
    assert box["automation_removed"] == by_rule.sum() > 0
    assert box["screened"] == len(read(finished_run, "records")) - by_rule.sum()
    assert box["excluded"] == (title_abstract[~by_rule]["decision"] == "exclude").sum()
    assert box["sought"] == len(full_text)
    assert box["included"] == len(studies) == (full_text["decision"] == "include").sum()
    assert box["screened"] - box["excluded"] == box["sought"]


def test_every_exclusion_has_a_reason_and_machine_decisions_are_marked(finished_run):
    decisions = read(finished_run, "decisions")
    excluded = decisions[decisions["decision"] == "exclude"]
    assert excluded["reason"].notna().all() and excluded["reason_label"].notna().all()
    included = decisions[decisions["decision"] == "include"]
    assert set(included["decided_by"]) == {"model"}  # no reviewer sheets ship with the default


def test_a_second_run_does_nothing(finished_run):
    assert "Nothing to be done" in snakemake(finished_run, "-n").stdout


def test_a_new_reviewer_sheet_reruns_screening_and_downstream_only(finished_run, tmp_path):
    scheduled = scheduled_with(
        finished_run,
        "config/decisions/title_abstract/alice.csv",
        "record,decision,reason\n10.1111/exd.70095,exclude,review\n",
        tmp_path,
    )
    assert {"screen_records", "gate_screen", "extract_studies", "synthesise_review"} <= set(
        scheduled
    )
    assert not {"search_source", "search_log", "dedupe_records", "gate_dedupe"} & set(scheduled)


def test_an_edited_reviewer_sheet_reruns_screening(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "edited")
    sheet = run / "config" / "decisions" / "title_abstract" / "alice.csv"
    sheet.write_text("record,decision,reason\n10.1111/exd.70095,exclude,review\n")
    snakemake(run, "screen")  # the stage and its gate are all this test reads
    sheet.write_text("record,decision,reason\n10.1111/exd.70095,exclude,outside_window\n")
    scheduled = scheduled_rules(run)
    assert "screen_records" in scheduled and "dedupe_records" not in scheduled
    decisions = read(run, "decisions")
    mine = decisions[decisions["decided_by"] == "alice"]
    assert mine[["decision", "reason"]].values.tolist() == [["exclude", "review"]]


def test_a_stage_target_runs_only_what_that_stage_needs(tmp_path):
    scheduled = scheduled_rules(copy_project(tmp_path / "fresh"), "dedupe")
    assert set(scheduled) == {
        "search_source",
        "search_log",
        "gate_search",
        "dedupe_records",
        "gate_dedupe",
        "dedupe",
    }
    assert scheduled["search_source"] == 2  # one job per database


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("dedupe:\n  year_tolerance: one\n", "'dedupe.year_tolerance': 'one' is not of type"),
        ("screening:\n  completness: humans\n", "'screening': unknown key(s) ['completness']"),
        ("search:\n  queries:\n    - id: q1\n", "'search.queries[0].pubmed' is missing"),
        ("dedupe: {}\ndedupe: {}\n", "line 2: key 'dedupe' is given twice"),
    ],
)
def test_a_malformed_config_fails_before_any_job(finished_run, tmp_path, override, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(override)
    result = snakemake(finished_run, "--configfile", str(bad), check=False)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Select jobs to execute" not in result.stderr + result.stdout


def test_a_failed_gate_stops_the_dag_and_names_the_records(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "humans")
    policy = tmp_path / "humans.yaml"
    policy.write_text("screening:\n  completeness: humans\n")
    result = snakemake(run, "--configfile", str(policy), check=False)
    assert result.returncode != 0
    assert "gate 'screen' failed" in result.stderr
    assert "no_record_awaits_a_reviewer" in result.stderr
    failed = json.loads(catalog.gate_failure("screen", run / "results").read_text())
    waiting = read(run, "decisions").query("decision == 'awaiting'")
    (check,) = [c for c in failed["failed"] if c["name"] == "no_record_awaits_a_reviewer"]
    assert set(check["unexpected_ids"]) == set(waiting["record_id"]) != set()
    assert not catalog.gate_verdict("screen", run / "results").exists()
    assert "extract_studies" in scheduled_rules(run, "--configfile", str(policy))


def test_the_prismaflow_command_runs_snakemake_in_the_review_folder(finished_run):
    result = prismaflow(finished_run, "run", "-n")
    assert result.returncode == 0, result.stderr
    assert "Nothing to be done" in result.stdout + result.stderr


def test_a_dedupe_override_reruns_dedupe_and_downstream_only(finished_run, tmp_path):
    scheduled = scheduled_with(
        finished_run,
        "config/dedupe_overrides.csv",
        "action,record_a,record_b,note\napart,40192197,10.1111/exd.70095,\n",
        tmp_path,
    )
    assert {"dedupe_records", "gate_dedupe", "screen_records", "synthesise_review"} <= set(
        scheduled
    )
    assert not {"search_source", "search_log"} & set(scheduled)


def test_two_reviewers_conflict_agreement_and_adjudication(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "dual")
    folder = run / "config" / "decisions" / "title_abstract"
    header = "record,decision,reason\n"
    (folder / "alice.csv").write_text(header + "37099285,include,\n38417541,include,\n")
    (folder / "bob.csv").write_text(header + "37099285,include,\n38417541,exclude,off_topic\n")
    snakemake(run, "screen")  # screening and its gate; what follows is tested elsewhere
    conflicts = read(run, "conflicts")
    assert conflicts[["record_id", "adjudicated"]].values.tolist() == [["pubmed:38417541", False]]
    agreement = read(run, "agreement").iloc[0]
    assert (agreement["overlap"], agreement["conflicts_open"]) == (2, 1)
    assert agreement["percent_agreement"] == 0.5 and agreement["pabak"] == 0.0
    (folder / "adjudication.csv").write_text(header + "38417541,exclude,off_topic\n")
    snakemake(run, "screen")
    decisions = read(run, "decisions").set_index(["record_id", "phase"])
    settled = decisions.loc[("pubmed:38417541", "title_abstract")]
    assert (settled["decision"], settled["decided_by"]) == ("exclude", "adjudication")
    assert read(run, "agreement").iloc[0]["conflicts_open"] == 0
    assert decisions.loc[("pubmed:37099285", "title_abstract"), "decided_by"] == "alice+bob"


def test_every_included_study_has_group_and_design_with_a_source(finished_run):
    studies = read(finished_run, "studies")
    assert len(studies) > 0
    for field in ("condition_group", "study_design"):
        assert studies[field].notna().all(), field
        assert studies[f"{field}_source"].notna().all(), field
        assert set(studies[f"{field}_by"]) == {"machine"}
    assert catalog.under(finished_run / "results", "extraction_sheet").stat().st_size


def test_an_extraction_sheet_reruns_extraction_and_synthesis_only(finished_run, tmp_path):
    study = read(finished_run, "studies")["record_id"].iloc[0]
    scheduled = scheduled_with(
        finished_run, "config/extraction/alice.csv", f"record_id,n_patients\n{study},3\n", tmp_path
    )
    assert {"extract_studies", "gate_extract", "synthesise_review"} <= set(scheduled)
    assert not {"search_source", "dedupe_records", "screen_records", "gate_screen"} & set(scheduled)


def test_a_bad_extraction_sheet_fails_the_gate_naming_study_and_field(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "bad_sheet")
    study = read(run, "studies")["record_id"].iloc[0]
    sheet = run / "config" / "extraction" / "alice.csv"
    sheet.write_text(f"record_id,n_patients,n_responders\n{study},2,5\n", encoding="utf-8")
    result = snakemake(run, check=False)
    assert result.returncode != 0
    assert "gate 'extract' failed" in result.stderr
    assert f"{study} n_responders: 5 > n_patients 2" in result.stderr


def test_snakemake_report_collects_the_captioned_outputs_and_no_protocol_text(
    finished_run, tmp_path
):
    """Snakemake's report prints a reported rule's parameters unescaped: markup in the
    protocol (a question, a reason's label) must not reach it, only the parts' hashes."""
    run = copy_of(finished_run, tmp_path, "hostile")
    overlay = tmp_path / "hostile.yaml"
    hostile = "<img src=x onerror=alert(1)>"
    overlay.write_text(
        f"review:\n  question: 'Does it work? {hostile}'\n"
        f"screening:\n  reasons:\n    book:\n      label: 'Book {hostile}'\n"
        "      phase: both\n"
    )
    target = tmp_path / "snakemake_report.html"
    snakemake(run, "--configfile", str(overlay), "--report", str(target))
    html = target.read_text(encoding="utf-8")
    for stage in catalog.STAGES:
        assert stage.category in html, stage.category
    assert "Forest plot of one planned analysis" in html
    assert "onerror=alert(1)" not in html and "<protocol part sha256:" in html
    for name in ("prisma.svg", "forest_response.png", "funnel_response.png", "review.html"):
        assert name in html, name


def test_an_export_file_joins_the_review_as_the_file_source(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "with_export")
    (run / "config" / "searches").mkdir()
    shutil.copy(FIXTURES / "formats" / "zotero.ris", run / "config" / "searches" / "embase.ris")
    overlay = tmp_path / "files.yaml"
    overlay.write_text(
        "search:\n  sources:\n    file:\n      exports:\n"
        "        - {id: embase, path: config/searches/embase.ris, database: Embase}\n"
    )
    scheduled = scheduled_rules(run, "--configfile", str(overlay))
    assert {"search_file", "dedupe_records", "report_review"} <= set(scheduled)
    assert "search_source" not in scheduled  # PubMed and Scopus are not searched again
    snakemake(run, "synthesise", "--configfile", str(overlay))
    log = read(run, "search_log").set_index("source")
    assert (log.loc["file", "reported_count"], log.loc["file", "retrieved_count"]) == (2, 2)
    links = read(run, "links")
    assert {"file:embase:1", "file:embase:2"} <= set(links["record_id"])
    counts = read(run, "prisma")
    identified = counts[counts["box"] == "identified"].set_index("source")["count"]
    assert identified["Embase"] == 2  # the box of the database the export declares


def test_every_included_study_can_be_traced_consistently(finished_run):
    import json as json_module

    studies = read(finished_run, "studies")
    hits = pd.concat([read(finished_run, "source_hits", source=s) for s in ("pubmed", "scopus")])
    links = read(finished_run, "links")
    assert len(studies) > 0
    for study in studies.itertuples():
        # By DOI where the study has one (as a reviewer would ask), else by its id.
        done = prismaflow(finished_run, "trace", study.doi or study.record_id, "--json")
        assert done.returncode == 0, done.stderr
        path = json_module.loads(done.stdout)
        assert path["record_id"] == study.record_id
        members = set(links.loc[links["canonical_id"] == study.record_id, "record_id"])
        assert {d["record_id"] for d in path["dedupe"]} == members
        assert len(path["search"]) == hits["record_id"].isin(members).sum() > 0
        assert all(h["raw_file"] and len(h["raw_sha256"]) == 64 for h in path["search"])
        assert [s["decision"] for s in path["screening"]] == ["include", "include"]
        extracted = {e["field"]: e for e in path["extraction"]}
        assert extracted["condition_group"]["value"] == study.condition_group
        assert extracted["study_design"]["source"] == study.study_design_source
        assert path["synthesis"]["groups"] == [
            {"analysis": "response", "group": study.condition_group}
        ]
        assert path["synthesis"]["prisma_boxes"][-1] == "included"
    readable = prismaflow(finished_run, "trace", studies["record_id"].iloc[0])
    for section in ("Search", "Dedupe", "Screening:", "Extraction:", "Synthesis:", "PRISMA boxes:"):
        assert section in readable.stdout


def test_the_manifest_matches_every_artifact_and_its_lineage(finished_run):
    from prismaflow.manifest import verify

    manifest = json.loads((finished_run / "results" / "provenance" / "manifest.json").read_text())
    assert verify(manifest, finished_run) == []
    by_path = {e["path"]: e for e in manifest["artifacts"]}
    assert "results/report/review.html" in by_path and "results/qc/synthesise.gate.json" in by_path
    recorded_inputs = [i for e in manifest["artifacts"] for i in e.get("inputs", [])]
    assert recorded_inputs
    for item in recorded_inputs:
        if item["path"] in by_path:  # an input that is itself an artifact: same bytes
            assert item["sha256"] == by_path[item["path"]]["sha256"], item["path"]
    assert manifest["search_modes"] == {"pubmed": "snapshot", "scopus": "snapshot"}


def test_status_says_which_stages_are_stale_and_what_awaits_reviewers(finished_run, tmp_path):
    done = prismaflow(finished_run, "status", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert all(s["up_to_date"] and s["gate"] in ("passed", "-") for s in report["stages"])
    decisions = read(finished_run, "decisions")
    machine = decisions[(decisions["phase"] == "full_text") & (decisions["decided_by"] == "model")]
    assert report["pending"]["full_text decisions made by the model"] == len(machine)
    run = copy_of(finished_run, tmp_path, "status")
    study = read(run, "studies")["record_id"].iloc[0]
    (run / "config" / "extraction" / "alice.csv").write_text(f"record_id,n_patients\n{study},3\n")
    stale = json.loads(prismaflow(run, "status", "--json").stdout)["stages"]
    assert [s["stage"] for s in stale if not s["up_to_date"]] == [
        "extract",
        "appraise",
        "synthesise",
        "report",
    ]
    readable = prismaflow(run, "status").stdout
    assert "Waiting for people:" in readable and "extract     no" in readable


def test_the_run_crate_lists_the_manifests_artifacts(finished_run):
    from rocrate.rocrate import ROCrate

    provenance = finished_run / "results" / "provenance"
    manifest = json.loads((provenance / "manifest.json").read_text())
    (action,) = ROCrate(provenance).get_by_type("CreateAction")
    made = {entity.id.removeprefix("../../"): entity["sha256"] for entity in action["result"]}
    assert made == {e["path"]: e["sha256"] for e in manifest["artifacts"]}
    assert len(made) == len(manifest["artifacts"]) > 20


def test_a_sheet_in_the_wrong_folder_stops_the_run_naming_it(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "misfiled")
    misfiled = run / "config" / "decisions" / "fulltext" / "alice.csv"
    misfiled.parent.mkdir()
    misfiled.write_text("record,decision\n10.1111/exd.70095,include\n")
    result = snakemake(run, "-n", check=False)
    assert result.returncode != 0
    said = result.stdout + result.stderr
    assert "config/decisions/fulltext/alice.csv: is not where the workflow reads sheets" in said


def test_another_snapshot_folder_reruns_the_searches_and_all_after(finished_run, tmp_path):
    """A file-valued key (#18, item 2): the folder's files are the search's inputs."""
    run = copy_of(finished_run, tmp_path, "other_snapshot")
    shutil.copytree(
        run / "resources" / "snapshots" / "ruxolitinib", run / "resources" / "snapshots" / "other"
    )
    overlay = tmp_path / "other.yaml"
    overlay.write_text("search:\n  snapshot: resources/snapshots/other\n")
    scheduled = scheduled_rules(run, "--configfile", str(overlay))
    assert scheduled["search_source"] == 2 and "dedupe_records" in scheduled


def test_another_overrides_sheet_reruns_dedupe_and_all_after(finished_run, tmp_path):
    """A file-valued key (#18, item 2): the sheet the key names is dedupe's input, and the key
    itself is in its parameters, so pointing it elsewhere re-runs dedupe."""
    run = copy_of(finished_run, tmp_path, "other_overrides")
    records = read(run, "records")["record_id"].tolist()
    sheet = run / "config" / "team_overrides.csv"
    sheet.write_text(f"action,record_a,record_b,note\nkeep_apart,{records[0]},{records[1]},x\n")
    overlay = tmp_path / "other.yaml"
    overlay.write_text("dedupe:\n  overrides: config/team_overrides.csv\n")
    scheduled = scheduled_rules(run, "--configfile", str(overlay))
    assert "dedupe_records" in scheduled and "search_source" not in scheduled
    assert "report_review" in scheduled


BIAS_TOOLS = (
    "risk_of_bias:\n  tools:\n    randomised controlled trial: rob2\n"
    "    non-randomised trial: robins_i\n    case report: jbi_case_report\n"
    "    case series: jbi_case_series\n"
)


def filled_bias_sheet(run: Path, reviewer: str, d1: str | None = None) -> None:
    """The workflow's risk-of-bias sheet, filled as a reviewer would: the least severe judgement
    in every domain (the first randomised trial's D1 as given), a checklist's overall appraisal;
    RoB 2's signalling questions left unanswered, which the tool allows."""
    from openpyxl import load_workbook

    book = load_workbook(catalog.under(run / "results", "bias_sheet"))
    first_trial = None
    for row in book.active.iter_rows(min_row=2):
        record, domain, tool, allowed = row[0].value, row[1].value, row[4].value, row[6].value
        if "." in domain:  # a signalling question
            continue
        if domain != "overall":
            row[7].value = allowed.split(", ")[0]
        elif tool.startswith("jbi"):
            row[7].value = "include"
        if tool == "rob2" and domain == "D1" and first_trial in (None, record) and d1:
            first_trial, row[7].value, row[8].value = record, d1, "allocation not concealed"
    (run / "config" / "risk_of_bias").mkdir(exist_ok=True)
    book.save(run / "config" / "risk_of_bias" / f"{reviewer}.xlsx")


def test_two_reviewers_risk_of_bias_sheets_are_settled_gated_and_reported(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path, "bias")
    (run / "config" / "bias.yaml").write_text(BIAS_TOOLS)
    overlay = ("--configfile", "config/config.yaml", "config/bias.yaml")
    # Declaring the tools lists every study's domains in the sheet, and the gate waits for them.
    result = snakemake(run, "appraise", *overlay, check=False)
    assert result.returncode != 0 and "gate 'appraise' failed" in result.stderr
    assert "every_domain_is_settled" in result.stderr
    filled_bias_sheet(run, "ana", d1="high")
    filled_bias_sheet(run, "ben")
    result = snakemake(run, "appraise", *overlay, check=False)
    assert "every_domain_is_settled" in result.stderr  # ana and ben disagree once
    assessed = read(run, "risk_of_bias")
    conflict = assessed[assessed["status"] == "conflict"]
    assert conflict[["domain", "reviewers"]].values.tolist() == [["D1", "ana=high; ben=low"]]
    record = conflict["record_id"].iloc[0]
    (run / "config" / "risk_of_bias" / "adjudication.csv").write_text(
        f"record_id,domain,judgement,support\n{record},D1,high,sequence predictable\n"
    )
    snakemake(run, *overlay)
    assessed = read(run, "risk_of_bias").set_index(["record_id", "domain"])
    assert assessed.loc[(record, "overall"), ["judgement", "decided_by"]].tolist() == [
        "high",
        "algorithm",
    ]
    assert (
        set(assessed["status"]) == {"settled"}
        and assessed.index.get_level_values(0).nunique() == 11
    )
    html = (run / "results" / "report" / "review.html").read_text(encoding="utf-8")
    assert "RoB 2 (randomised trials)" in html and "JBI checklist for case reports" in html
    assert "8 of 8 items met" in html and "Traffic-light plot" in html
    # An edited risk-of-bias sheet re-runs the stage, the synthesis (GRADE reads it) and the
    # report, nothing before them.
    (run / "config" / "risk_of_bias" / "adjudication.csv").write_text(
        f"record_id,domain,judgement,support\n{record},D1,some concerns,unclear\n"
    )
    scheduled = set(scheduled_rules(run, *overlay))
    assert {"appraise_studies", "gate_appraise", "synthesise_review", "report_review"} <= scheduled
    assert not {"extract_studies", "screen_records", "dedupe_records"} & scheduled


def test_export_docx_writes_the_manuscripts_tables_from_the_artifacts(finished_run, tmp_path):
    import docx

    out = tmp_path / "tables.docx"
    done = prismaflow(finished_run, "export-docx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    characteristics, results, *_ = docx.Document(out).tables
    evidence, groups = read(finished_run, "evidence"), read(finished_run, "groups")
    assert len(characteristics.rows) == len(evidence) + 1
    header = [cell.text for cell in characteristics.rows[0].cells]
    assert header == [c.replace("_", " ") for c in shown_columns(evidence)]
    assert [r.cells[0].text for r in results.rows[1:]] == groups["group"].tolist()
    # The embedded default pools no group (case reports are described); each row says why.
    for row, reason in zip(results.rows[1:], groups["not_pooled_because"], strict=True):
        assert row.cells[3].text == f"Not pooled: {reason}"
    assert any("case report: described, not pooled" in r.cells[4].text for r in results.rows)
