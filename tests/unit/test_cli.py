import pytest

from prismaflow.cli import main
from tests.conftest import ROOT


def test_check_config_accepts_the_embedded_default_by_file_or_folder(capsys):
    assert main(["check-config", str(ROOT / "config" / "config.yaml")]) == 0
    assert main(["check-config", str(ROOT)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == out[1]
    assert (
        "valid (sources pubmed, scopus; queries ruxolitinib_cream, topical_ruxolitinib; "
        "analyses response: response as a proportion of events=n_responders, total=n_patients)"
    ) in out[0]


def test_check_config_reports_the_key_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "config.yaml"
    bad.write_text("review: {title: t, question: q}\n")
    assert main(["check-config", str(bad)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("prismaflow: invalid config:")
    assert "config key 'search' is missing" in error


def test_check_config_names_a_yaml_error_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "config.yaml"
    bad.write_text("review:\n  title: [unclosed\n")
    assert main(["check-config", str(bad)]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"prismaflow: {bad}, line 3: not valid YAML")
    assert "Traceback" not in error


def test_a_missing_config_file_is_a_clear_error(tmp_path, capsys):
    assert main(["check-config", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_only_run_passes_unknown_arguments_on(capsys):
    with pytest.raises(SystemExit):
        main(["check-config", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_trace_without_results_says_to_run_the_workflow(tmp_path, capsys):
    assert main(["trace", "10.1111/exd.70095", "--results", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "02_dedupe/records.parquet: is missing" in error and "run the workflow first" in error


def test_snapshot_refuses_without_a_search_log(tmp_path, capsys):
    assert main(["snapshot", "x", "--results", str(tmp_path), "--out", str(tmp_path)]) == 2
    assert "no search log here" in capsys.readouterr().err


def test_extraction_sheet_without_studies_is_a_clear_error(tmp_path, capsys):
    code = main(["extraction-sheet", "--studies", str(tmp_path / "s.parquet"), "--out", "x.xlsx"])
    assert code == 2 and "no such file (has the workflow run?)" in capsys.readouterr().err
