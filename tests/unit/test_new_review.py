"""`prismaflow init`: a review folder of its own, whose protocol template shows every key of
the schema, and which the workflow's checks accept once its exports are in place."""

import pytest

from prismaflow.catalog import PROTOCOL
from prismaflow.cli import main
from prismaflow.config import file_errors, load_yaml, validate_config
from prismaflow.new_review import SCAFFOLD, create_review
from tests.conftest import ROOT
from tests.schema import KEYS


def test_every_key_of_the_schema_has_a_description():
    undescribed = [path for path, sub in KEYS if not sub.get("description")]
    assert len(KEYS) > 100 and undescribed == []


def test_the_template_shows_every_key():
    template = (SCAFFOLD / "config.yaml").read_text()
    missing = [
        path for path, _ in KEYS if f"{path.rsplit('.', 1)[-1].strip('[]')}:" not in template
    ]
    assert missing == []


def test_init_writes_a_review_folder_that_the_checks_accept_once_its_export_is_there(
    tmp_path, capsys
):
    folder = tmp_path / "my-review"
    assert main(["init", str(folder)]) == 0
    assert f"{folder}: a new review" in capsys.readouterr().out
    for name in ("Snakefile", PROTOCOL, "README.md", ".gitignore"):
        assert (folder / name).is_file(), name
    for name in ("config/decisions/title_abstract", "config/decisions/full_text", "exports"):
        assert (folder / name).is_dir(), name
    assert "results/" in (folder / ".gitignore").read_text().splitlines()
    config = validate_config(load_yaml(folder / PROTOCOL))
    assert config["synthesis"]["analyses"][0]["measure"] == "risk_ratio"
    (problem,) = file_errors(config, folder)
    assert "exports/pubmed.nbib is not in the review folder" in problem
    assert main(["check-config", str(folder)]) == 2
    assert "exports/pubmed.nbib" in capsys.readouterr().err
    (folder / "exports" / "pubmed.nbib").write_text("PMID- 1\nTI  - A trial\n")
    assert main(["check-config", str(folder)]) == 0


def test_the_embedded_default_is_a_review_folder_of_the_same_shape():
    assert (ROOT / "Snakefile").read_text() == (SCAFFOLD / "Snakefile").read_text()
    assert (ROOT / PROTOCOL).is_file()


def test_init_never_overwrites_a_folder_that_holds_files(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init", str(tmp_path)]) == 2
    assert "the folder is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(Exception, match="not empty"):
        create_review(tmp_path)


def test_run_names_a_folder_that_is_not_a_review(tmp_path, capsys):
    assert main(["run", str(tmp_path / "screen")]) == 2
    assert "not a review folder" in capsys.readouterr().err
