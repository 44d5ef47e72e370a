import pytest

from prismaflow.cli import main
from tests.conftest import ROOT


def test_check_config_accepts_the_embedded_default(capsys):
    assert main(["check-config", str(ROOT / "config" / "config.yaml")]) == 0
    assert "valid (2 sources; queries ruxolitinib_cream, topical_ruxolitinib)" in (
        capsys.readouterr().out
    )


def test_check_config_reports_the_key_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "config.yaml"
    bad.write_text("review: {title: t, question: q}\n")
    assert main(["check-config", str(bad)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("prismaflow: invalid config:")
    assert "config key 'search' is missing" in error


def test_a_missing_config_file_is_a_clear_error(tmp_path, capsys):
    assert main(["check-config", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_only_run_passes_unknown_arguments_on(capsys):
    with pytest.raises(SystemExit):
        main(["check-config", "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
