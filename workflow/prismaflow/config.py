"""Loading and validating the review protocol (config.yaml) against its JSON Schema.

Validation runs when Snakemake parses the workflow, so a mistyped key fails before any job
starts, with a message that names the key and says what it should be.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from prismaflow.errors import ConfigError
from prismaflow.measures import ROLE_TYPES, closest_roles, described, roles_of

# The form's design field, as extraction.designs fills it; pooling and risk of bias read it.
DESIGN_FIELD = "study_design"

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
CONFIG_SCHEMA = SCHEMA_DIR / "config.schema.yaml"


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML in which a key written twice is an error: YAML keeps the last value silently,
    so a protocol edited in two places would run with half of the edit."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(
                    f"{self.name}, line {line}: key {key!r} is given twice (also on line "
                    f"{seen[key]}); YAML would keep only the last one, so keep one"
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: str | Path) -> Any:
    """A YAML file's content, or a ConfigError that names the file and line: a syntax error,
    a tag such as !!python (never run), a duplicated key."""
    with open(path, encoding="utf-8") as handle:
        try:
            return yaml.load(handle, Loader=_StrictLoader)
        except yaml.MarkedYAMLError as exc:
            where = f", line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
            raise ConfigError(f"{path}{where}: not valid YAML: {exc.problem}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def load_protocol(path: str | Path) -> dict[str, Any]:
    """A review protocol: a YAML mapping of sections (an empty file is an empty protocol)."""
    content = load_yaml(path)
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ConfigError(
            f"{path}: a protocol is a mapping of sections (review:, search:, screening: …), "
            f"not a {type(content).__name__}"
        )
    return content


def _fill_defaults(validator_class: type) -> type:
    """A validator that also writes each property's schema default into the instance."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema) -> Iterator:
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_DefaultingValidator = _fill_defaults(jsonschema.Draft202012Validator)


def _key(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "".join(parts).lstrip(".") or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    key = _key(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return f"config key '{key}': unknown key(s) {unknown}; allowed here: {allowed}"
    if error.validator == "required":
        prefix = "" if not error.absolute_path else key + "."
        missing = error.message.split("'")[1]  # "'name' is a required property"
        return f"config key '{prefix}{missing}' is missing; add it (see {CONFIG_SCHEMA.name})"
    hint = error.schema.get("description", "")
    return f"config key '{key}': {error.message}" + (f" ({hint})" if hint else "")


def _cross_reference_errors(config: Mapping[str, Any]) -> list[str]:
    """What a schema cannot say: keys that must name something defined elsewhere."""
    problems = []
    reasons = set(config["screening"]["reasons"])
    rules = config["screening"]["rules"]
    cited = [
        (f"screening.rules.{name}[{i}].reason", entry["reason"])
        for name, spec in rules.items()
        if isinstance(spec, list)
        for i, entry in enumerate(spec)
    ]
    cited += [
        (f"screening.rules.{name}.reason", spec["reason"])
        for name, spec in rules.items()
        if isinstance(spec, Mapping)
    ]
    stopping = config["screening"]["stopping"]
    if stopping["apply"] or stopping["reason"]:
        cited.append(("screening.stopping.reason", stopping["reason"]))
    problems += [
        f"config key '{key}': reason code {code!r} is not defined in screening.reasons"
        for key, code in cited
        if code not in reasons
    ]
    problems += _window_errors(config["search"]["window"])
    problems += _source_errors(config["search"])
    problems += _screening_errors(config["screening"])
    ids = [query["id"] for query in config["search"]["queries"]]
    problems += [
        f"config key 'search.queries': query id {name!r} is used {ids.count(name)} times; "
        "each query needs its own id (results are filed under it)"
        for name in sorted(set(ids))
        if ids.count(name) > 1
    ]
    for i, query in enumerate(config["search"]["queries"]):
        problems += [
            f"config key 'search.queries[{i}].{source}' is blank: write the query as sent"
            for source in config["search"]["sources"]
            if isinstance(query.get(source), str) and not query[source].strip()
        ]
        problems += [
            f"config key 'search.queries[{i}].{source}' is missing: query '{query['id']}' has "
            f"no text for source {source}"
            for source in config["search"]["sources"]
            if source != "file" and source not in query
        ]
    problems += _extraction_form_errors(config["extraction"])
    problems += _synthesis_errors(config["synthesis"], config["extraction"]["fields"])
    problems += _risk_of_bias_errors(config["risk_of_bias"], config["extraction"]["fields"])
    return problems


def _risk_of_bias_errors(risk_of_bias: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    """A tool is named for designs the form can hold: a misspelt design would leave its
    studies without an assessment."""
    tools = risk_of_bias["tools"]
    if not tools:
        return []
    if DESIGN_FIELD not in fields:
        return [
            f"config key 'risk_of_bias.tools' names tools per design, but the form has no "
            f"field {DESIGN_FIELD!r}; add it to extraction.fields (type category)"
        ]
    designs = fields[DESIGN_FIELD].get("values") or []
    return [
        f"config key 'risk_of_bias.tools': {design!r} is not a value of "
        f"extraction.fields.{DESIGN_FIELD} ({', '.join(designs)})"
        for design in tools
        if designs and design not in designs
    ]


def _source_errors(search: Mapping[str, Any]) -> list[str]:
    """A database needs queries to send; a replayed source needs the recording."""
    databases = [name for name in search["sources"] if name != "file"]
    problems = []
    if databases and not search["queries"]:
        problems.append(
            f"config key 'search.queries' is empty, but {', '.join(databases)} is a source: "
            "write the queries, or remove the database from search.sources to import export "
            "files only"
        )
    replayed = [n for n, s in search["sources"].items() if s.get("mode") == "snapshot"]
    if replayed and not search["snapshot"]:
        problems.append(
            f"config key 'search.snapshot' is missing: {', '.join(replayed)} replays a recorded "
            "search (mode: snapshot); name its folder, or set mode: live"
        )
    return problems


def _screening_errors(screening: Mapping[str, Any]) -> list[str]:
    """Machine completeness includes whatever no rule excludes: with no rules, that is every
    record, and the review would have screened nothing."""
    if screening["completeness"] == "machine" and not screening["rules"]:
        return [
            "config key 'screening.completeness' is machine but screening.rules is empty: "
            "every record would be included without anyone screening it. Set completeness: "
            "humans (reviewers decide every record the rules leave) or add exclusion rules"
        ]
    return []


def _synthesis_errors(synthesis: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    """Every field each planned analysis reads exists in the form with a type it can read."""
    analyses = synthesis["analyses"]
    ids = [analysis["id"] for analysis in analyses]
    problems = [
        f"config key 'synthesis.analyses': id {name!r} is used {ids.count(name)} times; each "
        "analysis needs its own id (its figures are filed under it)"
        for name in sorted(set(ids))
        if ids.count(name) > 1
    ]
    wanted: list[tuple[str, str, frozenset[str] | set[str]]] = []
    for i, analysis in enumerate(analyses):
        key = f"synthesis.analyses[{i}]"
        problems += _analysis_errors(key, analysis)
        wanted += [
            (f"{key}.data.{role}", name, ROLE_TYPES[role])
            for role, name in analysis["data"].items()
        ]
        if analysis["group_by"] is not None:
            wanted.append((f"{key}.group_by", analysis["group_by"], {"category", "text"}))
        problems += _group_errors(key, analysis, fields)
    described = {"category", "text", "integer", "number"}
    wanted += [
        (f"synthesis.describe_by[{i}]", name, described)
        for i, name in enumerate(synthesis["describe_by"])
    ]
    wanted += [
        (f"synthesis.evidence_columns[{i}]", name, described)
        for i, name in enumerate(synthesis["evidence_columns"])
    ]
    for key, name, types in wanted:
        if name not in fields:
            problems.append(
                f"config key '{key}': {name!r} is not a field of extraction.fields; "
                f"add it to the form (type {' or '.join(sorted(types))}) or name another field"
            )
        elif fields[name]["type"] not in types:
            problems.append(
                f"config key '{key}': field {name!r} is {fields[name]['type']}, but "
                f"the synthesis reads it as {' or '.join(sorted(types))}"
            )
    return problems


def _analysis_errors(key: str, analysis: Mapping[str, Any]) -> list[str]:
    """The data roles an analysis names are one set its measure reads, and its measure-specific
    keys fit its measure."""
    measure, given = analysis["measure"], set(analysis["data"])
    problems = []
    if roles_of(measure, given) is None:
        meant = closest_roles(measure, given)
        missing, extra = sorted(set(meant) - given), sorted(given - set(meant))
        said = [f"lacks {', '.join(missing)}"] if missing else []
        said += [f"has {', '.join(extra)}, which a {measure} does not read"] if extra else []
        problems.append(
            f"config key '{key}.data' {' and '.join(said)}: a {measure} reads "
            f"{described(measure)}; name the form's fields that hold them"
        )
    if analysis["proportion_scale"] != "logit" and measure != "proportion":
        problems.append(
            f"config key '{key}.proportion_scale': only a proportion has one (this is a {measure})"
        )
    if "effect_name" in analysis and not measure.startswith("generic_"):
        problems.append(
            f"config key '{key}.effect_name': a {measure} names itself; effect_name is for "
            "generic_ratio and generic_difference"
        )
    return problems


def _group_errors(key: str, analysis: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    group_by, groups = analysis["group_by"], analysis["groups"]
    if group_by is None:
        return (
            [
                f"config key '{key}.groups' lists groups but {key}.group_by is null: name the "
                "field studies are grouped by"
            ]
            if groups
            else []
        )
    allowed = fields.get(group_by, {}).get("values") or []
    return [
        f"config key '{key}.groups': {group!r} is not one of the values of "
        f"extraction.fields.{group_by} ({', '.join(allowed)})"
        for group in groups
        if allowed and group not in allowed
    ]


def file_errors(config: Mapping[str, Any], folder: Path) -> list[str]:
    """Files and folders the protocol names that the review folder does not hold: a path must
    resolve (symbolic links followed) inside the folder, or inside one of `outside_folders`,
    and an export file must be there. Nothing outside is read, so no error can echo it."""
    allowed = [folder.resolve(), *(Path(f).resolve() for f in config["outside_folders"])]
    problems = []
    for key, value, is_file in _named_paths(config):
        place = (folder / value).resolve()
        if not any(place.is_relative_to(root) for root in allowed):
            problems.append(
                f"config key '{key}': {value} is outside the review folder {folder}; copy it "
                "into the folder, or list the folder it is in under outside_folders"
            )
        elif is_file and not place.is_file():
            problems.append(
                f"config key '{key}': {value} is not in the review folder {folder}; put the "
                "file there or correct the path"
            )
    return problems


def _named_paths(config: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(key, path, must be a file) for every path the protocol names."""
    exports = config["search"]["sources"].get("file", {}).get("exports", [])
    named = [
        (f"search.sources.file.exports[{i}].path", export["path"], True)
        for i, export in enumerate(exports)
    ]
    named += [
        (key, value, False)
        for key, value in (
            ("search.snapshot", config["search"]["snapshot"]),
            ("dedupe.overrides", config["dedupe"]["overrides"]),
            ("update.previous_release", config["update"]["previous_release"]),
            ("screening.full_texts.folder", config["screening"]["full_texts"]["folder"]),
        )
        if value
    ]
    return named


def _window_errors(window: Mapping[str, Any]) -> list[str]:
    """Dates the schema's pattern accepts but the calendar does not, and a window that closes
    before it opens (which would exclude every record as outside the window)."""
    dates, problems = {}, []
    for bound in ("start", "end"):
        if window.get(bound) is None:
            continue
        try:
            dates[bound] = dt.date.fromisoformat(window[bound])
        except ValueError:
            problems.append(
                f"config key 'search.window.{bound}': {window[bound]!r} is not a date "
                "(YYYY-MM-DD, a real day)"
            )
    if len(dates) == 2 and dates["start"] > dates["end"]:
        problems.append(
            f"config key 'search.window': start {window['start']} is after end {window['end']}"
        )
    return problems


def _extraction_form_errors(extraction: Mapping[str, Any]) -> list[str]:
    """The form must hold what the vocabulary and design rules can put in it: a category needs
    its values, and the values the pre-fill produces must be among them."""
    fields = extraction["fields"]
    problems = [
        f"config key 'extraction.fields.{name}.values' is missing: a category needs its values"
        for name, spec in fields.items()
        if spec["type"] == "category" and not spec.get("values")
    ]
    for name, produced in (
        ("condition_group", list(extraction["conditions"])),
        (DESIGN_FIELD, [d["design"] for d in extraction["designs"]]),
    ):
        allowed = fields.get(name, {}).get("values") or []
        problems += [
            f"config key 'extraction.fields.{name}.values' lacks {value!r}, which the "
            "pre-fill can produce"
            for value in produced
            if allowed and value not in allowed
        ]
    return problems


def query_ids(config: Mapping[str, Any], source: str) -> list[str]:
    """What counts as one query of a source: a search string, or one imported export file."""
    if source == "file":
        return [export["id"] for export in config["search"]["sources"]["file"]["exports"]]
    return [query["id"] for query in config["search"]["queries"]]


def _refuse_the_old_synthesis(config: Mapping[str, Any]) -> None:
    """synthesis.outcome (one outcome per review) became synthesis.analyses: say how to move."""
    synthesis = config.get("synthesis")
    if isinstance(synthesis, Mapping) and "outcome" in synthesis and "analyses" not in synthesis:
        raise ConfigError(
            "invalid config:\n  - config key 'synthesis.outcome' is now a list, "
            "synthesis.analyses: write `analyses: [{id: main, outcome: <its label>, measure: "
            "<its measure>, data: {events: ..., total: ...}, group_by: ..., groups: [...]}]`, "
            "moving the outcome's fields under data and group_by and groups into the analysis"
        )


def validate_config(config: Mapping[str, Any], schema_path: str | Path = CONFIG_SCHEMA) -> dict:
    """The config with defaults filled in, or a ConfigError listing every problem by key."""
    instance = copy.deepcopy(dict(config))
    _refuse_the_old_synthesis(instance)
    validator = _DefaultingValidator(load_yaml(schema_path))
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))
    problems = [_describe(e) for e in errors] or _cross_reference_errors(instance)
    if problems:
        raise ConfigError("invalid config:\n" + "\n".join(f"  - {p}" for p in problems))
    return instance
