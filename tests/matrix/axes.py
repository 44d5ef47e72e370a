"""The protocol's space, as the matrix of reviews covers it: the axes a review, each of its
planned analyses and each of its export files vary along, the values each takes, and the
schema keys each sets. Every key of the schema has a place here: an axis, a value every matrix
review sets, or a reason it is not in the matrix (and the test that covers it instead)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Axis:
    """One way reviews differ: its values, and the schema keys they set. `applies` says, from
    the item's other values, whether the axis means anything for it (a double-zero policy
    only for a binary comparison); where it does not, its value is None."""

    name: str
    values: tuple[Any, ...]
    keys: tuple[str, ...]
    applies: Callable[[Mapping[str, Any]], bool] | None = None


# Review level: what a whole review folder is.
REVIEW_AXES: tuple[Axis, ...] = (
    Axis(
        "sources",
        ("files", "snapshot", "live"),
        (
            "search.snapshot",
            "search.queries",
            "search.queries[].id",
            "search.queries[].pubmed",
            "search.queries[].scopus",
            "search.sources.pubmed.mode",
            "search.sources.scopus.mode",
            "search.sources.file.mode",
        ),
    ),
    Axis(
        "completeness",
        ("machine", "humans"),
        ("screening.completeness",),
    ),
    Axis(
        "screening",
        ("single", "dual"),
        ("screening.double_screening.share", "screening.double_screening.seed"),
    ),
    Axis("living", ("off", "on"), ("update.previous_release",)),
    Axis(
        "risk_of_bias",
        ("none", "every_tool"),
        ("risk_of_bias.tools", "certainty.randomised"),
    ),
    Axis("bias_reviewers", (1, 2), ("risk_of_bias.reviewers",)),
    Axis("window_start", ("inception", "date"), ("search.window.start",)),
    Axis(
        "rules",
        ("none", "every_rule"),
        (
            "screening.rules.publication_types",
            "screening.rules.publication_types[].reason",
            "screening.rules.publication_types[].types",
            "screening.rules.language.reason",
            "screening.rules.language.allowed",
            "screening.rules.date_window.reason",
            "screening.rules.off_topic_titles",
            "screening.rules.off_topic_titles[].reason",
            "screening.rules.off_topic_titles[].terms",
            "screening.rules.off_topic_titles[].unless",
            "screening.rules.required_concepts.reason",
            "screening.rules.required_concepts.terms",
        ),
    ),
    Axis(
        "prefill",
        ("none", "vocabulary"),
        (
            "extraction.intervention.names",
            "extraction.intervention.qualifiers",
            "extraction.intervention.formulations",
            "extraction.outcome_measures",
            "extraction.conditions",
            "extraction.designs",
            "extraction.designs[].design",
            "extraction.designs[].publication_types",
            "extraction.designs[].words",
        ),
    ),
    Axis("overrides", ("none", "sheet"), ("dedupe.overrides",)),
    Axis("seeds", ("none", "given"), ("screening.seeds",)),
    Axis(
        "stopping",
        ("shown", "applied"),
        (
            "screening.stopping.recall",
            "screening.stopping.confidence",
            "screening.stopping.apply",
            "screening.stopping.reason",
        ),
    ),
    Axis("evidence_columns", ("every_field", "chosen"), ("synthesis.evidence_columns",)),
    Axis("describe_by", ("none", "two_fields"), ("synthesis.describe_by",)),
    Axis(
        "default_pooling",
        ("REML", "DL_HKSJ"),
        (
            "synthesis.pooling.method",
            "synthesis.pooling.hartung_knapp",
            "synthesis.pooling.exclude_designs",
            "synthesis.pooling.min_participants",
            "synthesis.min_studies",
        ),
    ),
)

BINARY_COMPARISONS = ("risk_ratio", "odds_ratio", "risk_difference")
GENERIC = ("generic_ratio", "generic_difference")
MEASURES = (
    "proportion_logit",
    "proportion_freeman_tukey",
    *BINARY_COMPARISONS,
    "mean_difference",
    "standardised_mean_difference",
    *GENERIC,
)


def measure_of(analysis: Mapping[str, Any]) -> str:
    """The protocol's measure name of an analysis's measure value."""
    return analysis["measure"].removesuffix("_logit").removesuffix("_freeman_tukey")


# Analysis level: each planned analysis of a review.
ANALYSIS_AXES: tuple[Axis, ...] = (
    Axis(
        "measure",
        MEASURES,
        (
            "synthesis.analyses",
            "synthesis.analyses[].id",
            "synthesis.analyses[].outcome",
            "synthesis.analyses[].measure",
            "synthesis.analyses[].proportion_scale",
            "synthesis.analyses[].effect_name",
            *(
                f"synthesis.analyses[].data.{role}"
                for role in (
                    "events",
                    "total",
                    "control_events",
                    "control_total",
                    "mean",
                    "sd",
                    "control_mean",
                    "control_sd",
                    "estimate",
                )
            ),
        ),
    ),
    Axis(
        "published_as",
        ("se", "interval"),
        (
            "synthesis.analyses[].data.se",
            "synthesis.analyses[].data.ci_low",
            "synthesis.analyses[].data.ci_high",
        ),
        applies=lambda a: a["measure"] in GENERIC,
    ),
    Axis(
        "double_zero",
        ("keep", "drop"),
        ("synthesis.analyses[].double_zero",),
        applies=lambda a: a["measure"] in BINARY_COMPARISONS,
    ),
    Axis(
        "grouped",
        ("no", "yes"),
        ("synthesis.analyses[].group_by", "synthesis.analyses[].groups"),
    ),
    Axis(
        "pooling",
        ("default", "REML", "DL", "REML_HKSJ"),
        (
            "synthesis.analyses[].pooling.method",
            "synthesis.analyses[].pooling.hartung_knapp",
            "synthesis.analyses[].pooling.exclude_designs",
            "synthesis.analyses[].pooling.min_participants",
        ),
    ),
    Axis("min_studies", ("default", 3), ("synthesis.analyses[].min_studies",)),
    Axis(
        "sensitivity",
        ("leave_one_out", "named"),
        (
            "synthesis.analyses[].sensitivity",
            "synthesis.analyses[].sensitivity[].id",
            "synthesis.analyses[].sensitivity[].label",
            "synthesis.analyses[].sensitivity[].exclude.risk_of_bias",
            "synthesis.analyses[].sensitivity[].exclude.designs",
            "synthesis.analyses[].sensitivity[].exclude.record_ids",
        ),
    ),
    Axis(
        "labels",
        ("outcome", "comparison_and_time"),
        (
            "synthesis.analyses[].comparison",
            "synthesis.analyses[].timepoint",
            "synthesis.analyses[].favours.lower",
            "synthesis.analyses[].favours.higher",
        ),
    ),
)

WRITTEN_FORMATS = ("ris", "bibtex", "csv", "table")  # written by the matrix from its records
# Read from the project's own small export files, whose records reviewers exclude.
READ_ONLY_FORMATS = (
    "medline",
    "endnote_xml",
    "scopus_csv",
    "wos_tab",
    "wos_plain",
    "api_json",
    "pubmed_xml",
)
# Export level: each export file of a review's file source.
EXPORT_AXES: tuple[Axis, ...] = (
    Axis(
        "format",
        WRITTEN_FORMATS + READ_ONLY_FORMATS,
        (
            "search.sources.file.exports",
            "search.sources.file.exports[].id",
            "search.sources.file.exports[].path",
            "search.sources.file.exports[].database",
            "search.sources.file.exports[].query",
            "search.sources.file.exports[].mapping",
        ),
    ),
    Axis(
        "declared",
        ("detected", "declared"),
        ("search.sources.file.exports[].format",),
    ),
    Axis("location", ("inside", "outside_folders"), ("outside_folders",)),
)
# The review axes each kind of part meets in the code, whose pairs with the part's values the
# matrix covers: an export is read by the search, deduplicated and screened under the review's
# settings; an analysis pools what screening, extraction and risk of bias gave it, under the
# review's pooling defaults. (A review axis that never meets a part, such as the seeds of the
# ranking and the number of an analysis's studies, pairs with the other review axes only.)
CROSSING = {
    "analyses": (
        "sources",
        "completeness",
        "living",
        "risk_of_bias",
        "default_pooling",
        "describe_by",
    ),
    "exports": ("sources", "completeness", "living", "rules", "overrides"),
}
# Which export formats a review declares is the pair (format, declared): every format the
# schema names is declared by some review (tests/unit/test_matrix.py checks it).
DECLARED_FORMAT = "search.sources.file.exports[].format"
AXES = {"review": REVIEW_AXES, "analysis": ANALYSIS_AXES, "export": EXPORT_AXES}


def disallowed(values: Mapping[str, Any]) -> bool:
    """Combinations the schema or the checks refuse, or that mean nothing."""
    return any(
        (
            # machine completeness needs rules, or it would include every record unscreened
            values.get("completeness") == "machine" and values.get("rules") == "none",
            # applying the stopping rule excludes what no reviewer saw: a humans review
            values.get("stopping") == "applied" and values.get("completeness") == "machine",
            # a table is read through its declared column mapping
            values.get("format") == "table" and values.get("declared") == "detected",
            # the records of the project's own export files are excluded by reviewers
            values.get("format") in READ_ONLY_FORMATS and values.get("completeness") == "machine",
        )
    )


# Keys every matrix review sets, always the same way, and where.
EVERY_REVIEW = {
    "review.title": "each review's own",
    "review.question": "each review's own",
    "review.reference": "each review's own",
    **{
        f"review.pico.{k}": "each review's own"
        for k in ("population", "intervention", "comparator", "outcomes", "designs")
    },
    "search.window.end": "the search date",
    "dedupe.year_tolerance": "1, and a year-apart duplicate in every review",
    "dedupe.min_title_length": "30",
    "screening.reasons": "a reason for each rule, each phase and a later report",
    "screening.reasons.*.label": "each reason's",
    "screening.reasons.*.phase": "title_abstract, full_text and both",
    "screening.reasons.*.report_of_included": "false, and true for later reports",
    "extraction.fields": "the form of every measure's roles and the describing fields",
    "extraction.fields.*.type": "text, integer, number and category",
    "extraction.fields.*.description": "each field's",
    "extraction.fields.*.unit": "on the numbers",
    "extraction.fields.*.values": "on the categories",
    "extraction.fields.*.required": "true for the design, false otherwise",
    "extraction.fields.*.minimum": "on the counts",
    "extraction.fields.*.maximum": "on the counts",
}
NOT_IN_THE_MATRIX = {
    **{
        f"search.sources.{source}.{key}": "what the live client sends and how it retries: "
        "tests/unit/test_live_search.py and test_live_search_edges.py, against the stand-in"
        for source in ("pubmed", "scopus")
        for key in (
            "batch_size",
            "datetype",
            "per_second",
            "timeout",
            "attempts",
            "backoff",
            "max_wait",
            "cursor",
            "window_by",
            "view",
        )
        if not (source == "pubmed" and key in ("cursor", "window_by", "view"))
        and not (source == "scopus" and key in ("batch_size", "datetype"))
    },
    "screening.full_texts.folder": "the app's: tests/integration/test_forms_app.py",
    "screening.app.show_suggestion": "the app's: tests/integration/test_screening_app.py",
    "screening.app.highlight": "the app's: tests/integration/test_screening_app.py",
}
