import copy

import pytest

from prismaflow.config import file_errors, load_protocol, load_yaml, validate_config
from prismaflow.errors import ConfigError
from tests.conftest import ROOT

EMBEDDED = load_yaml(ROOT / "config" / "config.yaml")


def broken(edit):
    config = copy.deepcopy(EMBEDDED)
    edit(config)
    return config


def test_embedded_default_is_valid_and_gets_defaults():
    config = validate_config(EMBEDDED)
    assert config["search"]["window"] == {"start": None, "end": "2024-09-30"}
    assert [q["id"] for q in config["search"]["queries"]] == [
        "ruxolitinib_cream",
        "topical_ruxolitinib",
    ]
    assert config["dedupe"] == {
        "year_tolerance": 1,
        "min_title_length": 30,
        "overrides": "config/dedupe_overrides.csv",
    }
    assert config["update"] == {"previous_release": None}


def test_validation_does_not_change_the_callers_config():
    original = copy.deepcopy(EMBEDDED)
    validate_config(EMBEDDED)
    assert original == EMBEDDED


def first(config):
    """The protocol's primary analysis."""
    return config["synthesis"]["analyses"][0]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: c["dedupe"].update(year_tolerance="one"),
            "config key 'dedupe.year_tolerance': 'one' is not of type 'integer'",
        ),
        (lambda c: c["search"].update(sorces={}), "config key 'search': unknown key(s) ['sorces']"),
        (lambda c: c["review"].pop("question"), "config key 'review.question' is missing"),
        (lambda c: c.pop("screening"), "config key 'screening' is missing"),
        (
            lambda c: c["search"]["sources"]["pubmed"].update(mode="snapshat"),
            "config key 'search.sources.pubmed.mode': 'snapshat' is not one of",
        ),
        (
            lambda c: c["search"]["window"].update(end="30/09/2024"),
            "config key 'search.window.end'",
        ),
        (
            lambda c: c["screening"]["rules"]["language"].update(reason="english"),
            "config key 'screening.rules.language.reason': reason code 'english' is not defined",
        ),
        (
            lambda c: c["search"]["queries"][0].pop("scopus"),
            "config key 'search.queries[0].scopus' is missing",
        ),
        (
            lambda c: first(c)["groups"].append("vascular"),
            "'synthesis.analyses[0].groups': 'vascular' is not one of the values of "
            "extraction.fields.condition_group",
        ),
        (
            lambda c: c["synthesis"]["evidence_columns"].append("anxiety_score"),
            "'synthesis.evidence_columns[11]': 'anxiety_score' is not a field of extraction.fields",
        ),
        # The synthesis contract: every field an analysis reads is in the form, with its type.
        (
            lambda c: c["extraction"]["fields"].pop("n_responders"),
            "'synthesis.analyses[0].data.events': 'n_responders' is not a field of "
            "extraction.fields; add it to the form (type integer)",
        ),
        (
            lambda c: first(c)["data"].update(total="regimen"),
            "'synthesis.analyses[0].data.total': field 'regimen' is text, but the synthesis "
            "reads it as integer",
        ),
        (
            lambda c: first(c).update(measure="risk_ratio"),
            "'synthesis.analyses[0].data' lacks control_events, control_total: a risk_ratio "
            "reads events, total, control_events, control_total",
        ),
        (
            lambda c: first(c)["data"].update(control_total="n_patients"),
            "'synthesis.analyses[0].data' has control_total, which a proportion does not read",
        ),
        (
            lambda c: first(c).update(measure="mean_difference"),
            "'synthesis.analyses[0].data' lacks control_mean, control_sd, control_total, mean, "
            "sd and has events, which a mean_difference does not read",
        ),
        (
            lambda c: first(c).update(
                measure="generic_ratio", data={"estimate": "n_patients", "ci_low": "n_patients"}
            ),
            "'synthesis.analyses[0].data' lacks ci_high: a generic_ratio reads estimate, se or "
            "estimate, ci_low, ci_high",
        ),
        (
            lambda c: first(c).update(
                measure="standardised_mean_difference",
                data={
                    "mean": "n_patients",
                    "sd": "regimen",
                    "total": "n_patients",
                    "control_mean": "n_patients",
                    "control_sd": "n_patients",
                    "control_total": "n_patients",
                },
            ),
            "'synthesis.analyses[0].data.sd': field 'regimen' is text, but the synthesis reads "
            "it as integer or number",
        ),
        (
            lambda c: first(c).update(proportion_scale="freeman_tukey", measure="odds_ratio"),
            "'synthesis.analyses[0].proportion_scale': only a proportion has one",
        ),
        (
            lambda c: first(c).update(group_by="age_group"),
            "'synthesis.analyses[0].group_by': 'age_group' is not a field of extraction.fields",
        ),
        (
            lambda c: first(c).update(group_by=None),
            "'synthesis.analyses[0].groups' lists groups but synthesis.analyses[0].group_by is "
            "null",
        ),
        (
            lambda c: c["synthesis"]["analyses"].append(dict(first(c))),
            "'synthesis.analyses': id 'response' is used 2 times",
        ),
        (
            lambda c: c["screening"].pop("rules"),
            "'screening.completeness' is machine but screening.rules is empty: every record "
            "would be included without anyone screening it. Set completeness: humans",
        ),
        (
            lambda c: c["search"].pop("queries"),
            "'search.queries' is empty, but pubmed, scopus is a source",
        ),
        (
            lambda c: c["search"].pop("snapshot"),
            "'search.snapshot' is missing: pubmed, scopus replays a recorded search",
        ),
        (
            lambda c: c["extraction"]["intervention"].update(names="ruxolitinib"),
            "config key 'extraction.intervention.names': 'ruxolitinib' is not of type 'array'",
        ),
        # Values the schema accepts but that cannot be right.
        (
            lambda c: c["search"]["window"].update(start="2025-01-01"),
            "'search.window': start 2025-01-01 is after end 2024-09-30",
        ),
        (
            lambda c: c["search"]["window"].update(end="2024-13-45"),
            "'search.window.end': '2024-13-45' is not a date",
        ),
        (
            lambda c: c["search"]["queries"].append(dict(c["search"]["queries"][0])),
            "query id 'ruxolitinib_cream' is used 2 times",
        ),
        (
            lambda c: c["search"]["queries"][0].update(pubmed="   "),
            "'search.queries[0].pubmed' is blank",
        ),
    ],
)
def test_errors_name_the_key(edit, message):
    with pytest.raises(ConfigError) as error:
        validate_config(broken(edit))
    assert message in str(error.value)


def test_the_single_outcome_of_older_protocols_is_refused_with_how_to_move():
    def older(config):
        analysis = config["synthesis"].pop("analyses")[0]
        config["synthesis"]["outcome"] = {"label": analysis["outcome"], **analysis["data"]}

    with pytest.raises(ConfigError, match=r"'synthesis.outcome' is now a list, synthesis.analyses"):
        validate_config(broken(older))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("review:\n  title: a\nreview:\n  title: b\n", "line 3: key 'review' is given twice"),
        ("search: [unclosed\n", "line 2: not valid YAML"),
        ("review: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
        ("- a\n- b\n", "a protocol is a mapping of sections"),
    ],
)
def test_a_protocol_file_that_is_not_one_is_named_with_its_line(tmp_path, text, message):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_protocol(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_a_review_of_export_files_alone_needs_no_queries_and_names_a_missing_file(tmp_path):
    def file_only(c):
        c["search"].pop("queries")
        c["search"].pop("snapshot")
        c["search"]["sources"] = {
            "file": {
                "exports": [{"id": "embase", "path": "exports/embase.ris", "database": "Embase"}]
            }
        }

    config = validate_config(broken(file_only))
    assert config["search"]["queries"] == []
    (problem,) = file_errors(config, tmp_path)
    assert (
        "'search.sources.file.exports[0].path': exports/embase.ris is not in the review" in problem
    )
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "embase.ris").write_text("TY  - JOUR\nER  - \n")
    assert file_errors(config, tmp_path) == []


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        (lambda c, out: c["search"].update(snapshot=str(out)), "search.snapshot"),
        (
            lambda c, out: c["dedupe"].update(overrides="../outside/overrides.csv"),
            "dedupe.overrides",
        ),
        (
            lambda c, out: c["update"].update(previous_release="../outside"),
            "update.previous_release",
        ),
        (
            lambda c, out: c["search"]["sources"].update(
                file={"exports": [{"id": "e", "path": "exports/link.ris", "database": "Embase"}]}
            ),
            "search.sources.file.exports[0].path",
        ),
    ],
)
def test_a_path_outside_the_review_folder_is_refused_unless_the_protocol_allows_it(
    tmp_path, edit, key
):
    folder, outside = tmp_path / "review", tmp_path / "outside"
    (folder / "exports").mkdir(parents=True)
    outside.mkdir()
    (outside / "passwd.ris").write_text("root:x:0:0\n")
    (folder / "exports" / "link.ris").symlink_to(outside / "passwd.ris")  # followed, refused
    config = validate_config(EMBEDDED)
    edit(config, outside)
    (problem,) = [p for p in file_errors(config, folder) if key in p]
    assert f"config key '{key}'" in problem and "is outside the review folder" in problem
    assert "root:x" not in problem
    config["outside_folders"] = [str(outside)]
    assert not [p for p in file_errors(config, folder) if "outside the review folder" in p]
