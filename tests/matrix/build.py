"""Writes a matrix review folder from its spec, and what its run must give.

A review has twelve studies, and each planned analysis gives study i the data of row i of a
published data set (tests/reference/datasets.py) as its measure reads them, so that what it
pools is what metafor pools from the same rows. Around the studies are the records a search
also finds: one of each kind the protocol's rules exclude, a duplicate across sources, a
duplicate a year apart, and, in reviews screened by people, a later report of an included study,
a report excluded at full text, a companion linked by the dedupe overrides sheet, and export
files of every other format that prismaflow reads, whose records the reviewers exclude.

Nothing here calls the stage code: the expected PRISMA counts and the pooled sets are worked out
from the spec alone.
"""

from __future__ import annotations

import csv
import math
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from prismaflow.appraise.judgements import OVERALL
from prismaflow.appraise.tools import TOOLS
from prismaflow.formats.bibtex import write_bibtex
from prismaflow.formats.exporter import write_csv
from prismaflow.formats.ris import write_ris
from prismaflow.measures import ROLE_SETS
from tests.conftest import FIXTURES
from tests.matrix import raw
from tests.matrix.axes import BINARY_COMPARISONS, GENERIC, WRITTEN_FORMATS, measure_of
from tests.reference.datasets import HACKSHAW, LI, NORMAND, PRITZ

STUDIES = 12
FIRST_VERSION = 8  # the studies a living review's published version holds
DESIGNS = (
    ["randomised controlled trial"] * 8
    + ["non-randomised trial"] * 2
    + [
        "case series",
        "case report",
    ]
)
TOOL_OF = {
    "randomised controlled trial": "rob2",
    "non-randomised trial": "robins_i",
    "case series": "jbi_case_series",
    "case report": "jbi_case_report",
}
SETTINGS = ("hospital", "community")
COUNTRIES = ("Norway", "Chile", "Kenya")
SEARCH_END = "2024-12-31"
FIRST_END = "2024-06-30"  # a living review's published version searched to here
CONCEPT = "intervention"
# Each measure's data: rows of a published data set, in the order of the review's studies.
# The magnesium trials start with the two that have a zero cell and the one with none in
# either arm; the continuous data set has nine studies, so three studies report none.
ROWS = {
    "proportion": [dict(r) for r in PRITZ[:STUDIES]],
    "binary": [dict(LI[i]) for i in (15, 19, 22, 0, 1, 2, 3, 4, 5, 6, 7, 8)],
    "continuous": [dict(r) for r in NORMAND],
    "generic_ratio": [dict(r) for r in HACKSHAW[:STUDIES]],
    "generic_difference": [
        {
            **r,
            "estimate": r["log_estimate"],
            "ci_low": math.log(r["ci_low"]),
            "ci_high": math.log(r["ci_high"]),
        }
        for r in HACKSHAW[:STUDIES]
    ],
}
# The reader-only formats, from the project's own small fixtures: (format, file, records).
READ_ONLY = (
    ("medline", "formats/pubmed.nbib", 2),
    ("endnote_xml", "formats/endnote.xml", 2),
    ("scopus_csv", "formats/scopus_2023.csv", 2),
    ("wos_tab", "formats/wos.txt", 2),
    ("wos_plain", "formats/wos_plain.txt", 2),
    ("api_json", "formats/openalex.json", 1),
    ("pubmed_xml", "pubmed/efetch_two_articles.xml", 2),
)
REASONS = {
    "review": {"label": "Review", "phase": "both"},
    "not_in_english": {"label": "Not in English", "phase": "both"},
    "outside_window": {"label": "Outside the search window", "phase": "title_abstract"},
    "off_topic": {"label": "Off topic", "phase": "both"},
    "no_concept": {"label": "No mention of the intervention", "phase": "title_abstract"},
    "wrong_design": {"label": "Wrong design", "phase": "full_text"},
    "later_report": {
        "label": "Later report of an included study",
        "phase": "full_text",
        "report_of_included": True,
    },
    "not_screened": {"label": "Not screened: stopping criterion met", "phase": "title_abstract"},
}
# The noise the rules exclude, by reason, and what makes each one so.
NOISE = {
    "review": {"publication_types": ["Review"], "title": "A review of the {concept}"},
    "not_in_english": {"language": ["fre"], "title": "Une étude de l'{concept}"},
    "outside_window": {"year": 2026, "title": "A late trial of the {concept}"},
    "off_topic": {"title": "A veterinary trial of the {concept}"},
    "no_concept": {"abstract": "Dogs and cats were compared.", "title": "Outcomes in dogs"},
}


# A table of one's own, read through its mapping: canonical field -> its column.
TABLE_MAPPING = {
    "title": "Article title",
    "abstract": "Summary",
    "authors": "Authors",
    "year": "Publication year",
    "journal": "Source",
    "doi": "DOI",
    "language": "Language",
    "publication_types": "Type",
}


def write_export(path: Path, export: Mapping[str, Any], records: Sequence[Mapping[str, Any]]):
    """An export file of the records, in the spec's format, as another tool would write it."""
    fmt = export["format"]
    if fmt == "ris":
        path.write_text(write_ris(records), encoding="utf-8")
    elif fmt == "bibtex":
        path.write_text(write_bibtex(records), encoding="utf-8")
    elif fmt == "csv":
        write_csv(records, path)
    else:
        book = Workbook()
        sheet = book.active
        sheet.append(list(TABLE_MAPPING.values()))
        for r in records:
            sheet.append(
                ["; ".join(r[f]) if isinstance(r[f], list) else r[f] for f in TABLE_MAPPING]
            )
        book.save(path)


def analysis_rows(measure: str) -> list[dict[str, Any]]:
    if measure == "proportion":
        return ROWS["proportion"]
    if measure in BINARY_COMPARISONS:
        return ROWS["binary"]
    if measure in GENERIC:
        return ROWS[measure]
    return ROWS["continuous"]


@dataclass
class Planned:
    """A spec's analysis as the protocol writes it, with the roles its data fill."""

    id: str
    spec: Mapping[str, Any]
    measure: str
    roles: tuple[str, ...]

    @classmethod
    def of(cls, index: int, spec: Mapping[str, Any]) -> Planned:
        measure = measure_of(spec)
        roles = ROLE_SETS[measure][1 if spec.get("published_as") == "interval" else 0]
        return cls(f"a{index + 1}_{measure}", spec, measure, roles)

    def field(self, role: str) -> str:
        return f"{self.id}_{role}"

    @property
    def group_by(self) -> str | None:
        return "setting" if self.spec["grouped"] == "yes" else None

    @property
    def min_studies(self) -> int:
        return 3 if self.spec["min_studies"] == 3 else 2

    def protocol(self) -> dict[str, Any]:
        spec, labelled = self.spec, self.spec["labels"] == "comparison_and_time"
        analysis: dict[str, Any] = {
            "id": self.id,
            "outcome": f"outcome {self.id}",
            "measure": self.measure,
            "data": {role: self.field(role) for role in self.roles},
        }
        if spec["measure"].startswith("proportion"):
            analysis["proportion_scale"] = spec["measure"].removeprefix("proportion_")
        if self.measure in GENERIC:
            analysis["effect_name"] = (
                "hazard ratio" if self.measure == "generic_ratio" else "log odds ratio"
            )
        if spec.get("double_zero"):
            analysis["double_zero"] = spec["double_zero"]
        if labelled:
            analysis["comparison"] = "the intervention vs usual care"
            analysis["timepoint"] = "12 weeks"
            if self.measure != "proportion":
                analysis["favours"] = {"lower": "the intervention", "higher": "usual care"}
        if self.group_by:
            analysis["group_by"] = self.group_by
            analysis["groups"] = list(SETTINGS)
        if spec["min_studies"] == 3:
            analysis["min_studies"] = 3
        if spec["pooling"] != "default":
            analysis["pooling"] = {
                "method": spec["pooling"].split("_")[0],
                "hartung_knapp": spec["pooling"].endswith("HKSJ"),
                "exclude_designs": ["case report"],
                "min_participants": 2,
            }
        if spec["sensitivity"] == "named":
            analysis["sensitivity"] = [
                {
                    "id": "randomised_only",
                    "label": "randomised trials only",
                    "exclude": {
                        "designs": ["non-randomised trial", "case series"],
                        "risk_of_bias": ["high"],
                        "record_ids": ["10.5555/none"],
                    },
                }
            ]
        return analysis

    def values(self, study: int) -> dict[str, Any]:
        """Study `study`'s data for this analysis, as its extraction sheet holds them."""
        rows = analysis_rows(self.measure)
        if study >= len(rows):
            return {}
        return {self.field(role): rows[study][role] for role in self.roles}

    def method(self, default: str) -> tuple[str, bool]:
        pooling = self.spec["pooling"]
        if pooling == "default":
            return default.split("_")[0], default.endswith("HKSJ")
        return pooling.split("_")[0], pooling.endswith("HKSJ")

    def pooled_studies(self, studies: Sequence[int]) -> dict[str, list[int]]:
        """By group, the studies pooled: those with data, not a case report (the default
        design described only), not a double-zero trial the analysis drops; a group with fewer
        than min_studies is not pooled."""
        rows = analysis_rows(self.measure)
        kept = [
            i
            for i in studies
            if i < len(rows)
            and DESIGNS[i] != "case report"
            and not (
                self.spec.get("double_zero") == "drop"
                and rows[i]["events"] == 0
                and rows[i]["control_events"] == 0
            )
        ]
        groups = (
            {g: [i for i in kept if SETTINGS[i % 2] == g] for g in SETTINGS}
            if self.group_by
            else {"all studies": kept}
        )
        return {g: ids for g, ids in groups.items() if len(ids) >= self.min_studies}


@dataclass
class Expected:
    """What a run of the review must give."""

    prisma: dict[str, int] = field(default_factory=dict)  # box -> count (sums over reasons)
    identified: dict[str, int] = field(default_factory=dict)  # database -> count
    included: int = 0
    cases: list[dict[str, Any]] = field(default_factory=list)  # metafor cases, by analysis


def record(review: str, kind: str, number: int, **overrides: Any) -> dict[str, Any]:
    base = {
        "kind": kind,
        "number": number,
        "title": f"Outcomes of the {CONCEPT} in adults: {review} study {number}",
        "abstract": f"Adults received the {CONCEPT} or usual care ({review} study {number}).",
        "authors": [f"Author{number}, A B", f"Second{number}, C"],
        "year": 2001 + number % 12,
        "journal": "Journal of Matrix Reviews",
        "doi": f"10.5555/{review}.{number}",
        "publication_types": ["Journal Article"],
        "language": ["eng"],
    }
    return {**base, **overrides}


@dataclass
class Review:
    """A matrix review: its spec, folder and records, for one version (a living review's
    first version holds its first eight studies)."""

    spec: Any
    folder: Path
    version: int = 2  # 1: the published version of a living review
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def values(self) -> Mapping[str, Any]:
        return self.spec.values

    @property
    def humans(self) -> bool:
        return self.values["completeness"] == "humans"

    @property
    def studies(self) -> list[int]:
        first = self.values["living"] == "on" and self.version == 1
        return list(range(FIRST_VERSION if first else STUDIES))

    @property
    def analyses(self) -> list[Planned]:
        return [Planned.of(i, a) for i, a in enumerate(self.spec.analyses)]

    def make_records(self) -> None:
        """The records, those of a living review's first version first: an update's exports
        add the later studies at their end, as a search run again lists them."""
        name = self.spec.name
        self.records = [record(name, "study", i) for i in self.studies[:FIRST_VERSION]]
        for i, r in enumerate(self.records):
            if DESIGNS[i] == "randomised controlled trial":
                r["publication_types"] = ["Journal Article", "Randomized Controlled Trial"]
        self.records.append(record(name, "duplicate", 1))  # study 1 again, elsewhere
        for export in self.written_exports():  # study 0 again, first in every export file
            self.records.append({**record(name, "copy", 0), "export": export["id"]})
        self.records.append(
            record(name, "year_apart", 2, doi=None, year=2001 + 2 + 1)  # study 2, a year on
        )
        for number, (reason, changes) in enumerate(NOISE.items(), start=100):
            if reason == "review" and not self.keeps_types():
                continue  # RIS and BibTeX have no type for a review: no rule could see it
            title = changes.get("title", "").format(concept=CONCEPT) + f" ({name} {number})"
            self.records.append(
                record(name, f"noise:{reason}", number, **{**changes, "title": title})
            )
        if self.humans:
            self.records.append(
                record(name, "later_report", 200, title=f"Long-term follow-up of {name} study 0")
            )
            self.records.append(
                record(
                    name,
                    "wrong_design",
                    201,
                    title=f"Protocol of a trial of the {CONCEPT} ({name})",
                )
            )
        if self.values["overrides"] == "sheet":
            self.records.append(
                record(name, "companion", 300, title=f"Conference abstract: {name} study 3")
            )
        later = [record(name, "study", i) for i in self.studies[FIRST_VERSION:]]
        for r in later:
            if DESIGNS[r["number"]] == "randomised controlled trial":
                r["publication_types"] = ["Journal Article", "Randomized Controlled Trial"]
        self.records += later

    def keeps_types(self) -> bool:
        """Whether some source of the review keeps a record's publication types."""
        formats = {e["format"] for e in self.written_exports()}
        return self.values["sources"] != "files" or bool(formats & {"csv", "table"})

    # Where each record is found.
    def placement(self) -> dict[str, list[dict[str, Any]]]:
        """Records per source: 'pubmed', 'scopus', or an export's id."""
        exports = self.written_exports()
        places: dict[str, list[dict[str, Any]]] = {e["id"]: [] for e in exports}
        searched = self.values["sources"] != "files"
        if searched:
            places["pubmed"], places["scopus"] = [], []
        for r in self.records:
            kind = r["kind"]
            if kind == "copy":
                places[r["export"]].insert(0, r)
            elif searched and kind == "study":
                places["pubmed" if r["number"] % 2 == 0 else "scopus"].append(r)
            elif searched and kind == "noise:review":
                places["scopus"].append(r)  # as Scopus types it: subtype Review
            elif searched and kind in (
                "duplicate",
                "noise:not_in_english",  # PubMed records a language; Scopus's search does not
                "noise:off_topic",
                "noise:no_concept",
            ):
                places["pubmed"].append(r)
            else:
                # Exports in turn; study 1's duplicate never in the same file as study 1, a
                # review where its type survives.
                target = exports[self.records.index(r) % len(exports)]["id"]
                if kind == "duplicate" and len(exports) > 1:
                    target = exports[-1]["id"]
                if kind == "noise:review":
                    target = next(e["id"] for e in exports if e["format"] in ("csv", "table"))
                places[target].append(r)
        return places

    def written_exports(self) -> list[dict[str, Any]]:
        return [
            {"id": f"export_{i + 1}", **e}
            for i, e in enumerate(self.spec.exports)
            if e["format"] in WRITTEN_FORMATS
        ]

    def read_only_exports(self) -> list[tuple[dict[str, Any], str, int]]:
        found = []
        for i, e in enumerate(self.spec.exports):
            for fmt, path, count in READ_ONLY:
                if e["format"] == fmt:
                    found.append(({"id": f"export_{i + 1}", **e}, path, count))
        return found

    # The folder.
    def write(self) -> Expected:
        """Write (or rewrite, for a living review's second version) the folder's protocol,
        exports, recorded search and reviewers' sheets; what the run must give."""
        self.make_records()
        places = self.placement()
        # A database's own identifier, only on the records found there.
        number = self.spec.index * 1_000
        for i, r in enumerate(places.get("pubmed", [])):
            r["pmid"] = str(39_000_000 + number + i)
        for i, r in enumerate(places.get("scopus", [])):
            r["eid"] = f"2-s2.0-{85_000_000_000 + number + i}"
        for export in self.written_exports():
            write_export(self.export_path(export), export, places[export["id"]])
        for export, fixture, _ in self.read_only_exports():
            shutil.copy(FIXTURES / fixture, self.export_path(export, Path(fixture).suffix))
        if self.values["sources"] == "snapshot":
            raw.write_snapshot(
                self.folder / "resources" / "snapshots" / f"v{self.version}",
                "main",
                self.queries(),
                places["pubmed"],
                places["scopus"],
            )
        self.places = places
        config = self.protocol()
        (self.folder / "config" / "config.yaml").write_text(
            yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        self.write_sheets()
        return self.expected(places)

    def outside(self) -> Path:
        """The folder of the exports kept outside the review folder (outside_folders)."""
        return self.folder.parent / f"{self.folder.name}_exports"

    def export_path(self, export: Mapping[str, Any], suffix: str | None = None) -> Path:
        ending = {"ris": ".ris", "bibtex": ".bib", "csv": ".csv", "table": ".xlsx"}
        outside = export["location"] == "outside_folders"
        folder = self.outside() if outside else self.folder / "exports"
        path = folder / f"{export['id']}{suffix or ending[export['format']]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def queries(self) -> dict[str, str]:
        word = self.spec.name
        return {"pubmed": f"{word} AND {CONCEPT}", "scopus": f"TITLE-ABS-KEY({word} AND {CONCEPT})"}

    def protocol(self) -> dict[str, Any]:
        values, name = self.values, self.spec.name
        searched = values["sources"] != "files"
        exports = [
            self.export_entry(export, self.export_path(export)) for export in self.written_exports()
        ] + [
            self.export_entry(export, self.export_path(export, Path(fixture).suffix))
            for export, fixture, _ in self.read_only_exports()
        ]
        sources: dict[str, Any] = {"file": {"exports": exports}}
        if searched:
            mode = values["sources"]
            live = {"timeout": 5, "backoff": 0.05} if mode == "live" else {}
            sources["pubmed"] = {"mode": mode, **live}
            sources["scopus"] = {"mode": mode, **live}
        first = values["living"] == "on" and self.version == 1
        config: dict[str, Any] = {
            "review": {
                "title": f"Matrix review {name}",
                "question": f"In adults, does the {CONCEPT} change the outcomes?",
                "reference": f"prismaflow matrix review {name}",
                "pico": {
                    "population": "adults",
                    "intervention": f"the {CONCEPT}",
                    "comparator": "usual care",
                    "outcomes": "the planned analyses' outcomes",
                    "designs": "trials, case series and case reports",
                },
            },
            "search": {
                "window": {
                    "start": None if values["window_start"] == "inception" else "2000-01-01",
                    "end": FIRST_END if first else SEARCH_END,
                },
                "sources": sources,
            },
            "dedupe": {"year_tolerance": 1, "min_title_length": 30},
            "screening": self.screening(),
            "extraction": self.extraction(),
            "certainty": {"randomised": ["randomised controlled trial"]},
            "synthesis": self.synthesis(),
        }
        if searched:
            config["search"]["queries"] = [{"id": "main", **self.queries()}]
        if values["sources"] == "snapshot":
            config["search"]["snapshot"] = f"resources/snapshots/v{self.version}"
        if any(e["location"] == "outside_folders" for e in self.spec.exports):
            config["outside_folders"] = [str(self.outside())]
        if values["overrides"] == "sheet":
            config["dedupe"]["overrides"] = "config/overrides.csv"
        if values["risk_of_bias"] == "every_tool":
            config["risk_of_bias"] = {"tools": dict(TOOL_OF), "reviewers": values["bias_reviewers"]}
        else:
            config["risk_of_bias"] = {"reviewers": values["bias_reviewers"]}
        if values["living"] == "on" and self.version == 2:
            config["update"] = {"previous_release": "releases/v1"}
        return config

    def export_entry(self, export: Mapping[str, Any], path: Path) -> dict[str, Any]:
        outside = export["location"] == "outside_folders"
        located = str(path) if outside else str(path.relative_to(self.folder))
        entry = {
            "id": export["id"],
            "path": located,
            "database": f"Database {export['id'][-1]}",
            "query": f"{self.spec.name} AND {CONCEPT}",
        }
        if export["declared"] == "declared":
            entry["format"] = export["format"]
        if export["format"] == "table":
            entry["mapping"] = dict(TABLE_MAPPING)
        return entry

    def screening(self) -> dict[str, Any]:
        values = self.values
        screening: dict[str, Any] = {
            "completeness": values["completeness"],
            "reasons": REASONS,
            "double_screening": {"share": 1 if values["screening"] == "dual" else 0, "seed": 3},
            "stopping": {
                "recall": 0.95,
                "confidence": 0.95,
                "apply": values["stopping"] == "applied",
                "reason": "not_screened" if values["stopping"] == "applied" else None,
            },
        }
        if values["seeds"] == "given":
            screening["seeds"] = [f"10.5555/{self.spec.name}.0"]
        if values["rules"] == "every_rule":
            screening["rules"] = {
                "publication_types": [{"reason": "review", "types": ["Review"]}],
                "language": {"reason": "not_in_english", "allowed": ["eng"]},
                "date_window": {"reason": "outside_window"},
                "off_topic_titles": [
                    {"reason": "off_topic", "terms": ["veterinary"], "unless": ["human"]}
                ],
                "required_concepts": {"reason": "no_concept", "terms": [CONCEPT]},
            }
        return screening

    def extraction(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "study_design": {
                "type": "category",
                "values": sorted(set(DESIGNS)),
                "required": True,
                "description": "the study's design",
            },
            "setting": {"type": "category", "values": list(SETTINGS), "description": "where"},
            "country": {"type": "text", "description": "the country"},
        }
        for planned in self.analyses:
            for role in planned.roles:
                counted = role in ("events", "total", "control_events", "control_total")
                fields[planned.field(role)] = {
                    "type": "integer" if counted else "number",
                    "description": f"{role} of {planned.id}",
                    **(
                        {"minimum": 0, "maximum": 1_000_000, "unit": "participants"}
                        if counted
                        else {"unit": "units"}
                    ),
                }
        extraction: dict[str, Any] = {"fields": fields}
        if self.values["prefill"] == "vocabulary":
            extraction |= {
                "intervention": {
                    "names": [CONCEPT],
                    "qualifiers": ["the"],
                    "formulations": ["cream", "tablet"],
                },
                "outcome_measures": ["SF-36"],
                "conditions": {"adult conditions": {"adulthood": ["adults"]}},
                "designs": [
                    {
                        "design": "randomised controlled trial",
                        "publication_types": ["Randomized Controlled Trial"],
                        "words": ["randomised"],
                    }
                ],
            }
        return extraction

    def synthesis(self) -> dict[str, Any]:
        pooling = self.values["default_pooling"]
        synthesis: dict[str, Any] = {
            "analyses": [planned.protocol() for planned in self.analyses],
            "min_studies": 2,
            "pooling": {
                "method": pooling.split("_")[0],
                "hartung_knapp": pooling.endswith("HKSJ"),
                "exclude_designs": ["case report"],
                "min_participants": 2,
            },
        }
        if self.values["describe_by"] == "two_fields":
            synthesis["describe_by"] = ["setting", "country"]
        if self.values["evidence_columns"] == "chosen":
            synthesis["evidence_columns"] = ["study_design", "setting", "country"]
        return synthesis

    def serve(self, server: Any) -> None:
        """What the stand-in databases answer this review's query with, for a live search."""
        from tests.live_server import Given

        pubmed = [Given(r["pmid"], r["year"], raw.pubmed_article(r)) for r in self.places["pubmed"]]
        server.catalogue[self.spec.name] = (
            pubmed,
            [raw.scopus_entry(r) for r in self.places["scopus"]],
        )

    def write_sheets(self) -> None:
        config = self.folder / "config"
        for phase in ("title_abstract", "full_text"):
            (config / "decisions" / phase).mkdir(parents=True, exist_ok=True)
        if self.humans:
            self.write_decisions(config / "decisions")
        self.write_extraction(config / "extraction")
        if self.values["risk_of_bias"] == "every_tool":
            self.write_bias(config / "risk_of_bias")
        if self.values["overrides"] == "sheet":
            (config / "overrides.csv").write_text(
                "action,record_a,record_b,note\n"
                f"link,{self.doi(3)},{self.records_of('companion')[0]['doi']},"
                "its conference abstract\n",
                encoding="utf-8",
            )

    def doi(self, study: int) -> str:
        return f"10.5555/{self.spec.name}.{study}"

    def records_of(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["kind"] == kind]

    def reviewers(self) -> list[str]:
        return ["ana", "ben"] if self.values["screening"] == "dual" else ["ana"]

    def write_decisions(self, folder: Path) -> None:
        """Every record the rules leave, decided by one reviewer or two; with two, they
        disagree once and the adjudicator settles it."""
        title_abstract = [(self.doi(i), "include", "") for i in self.studies]
        title_abstract += [
            (r["doi"], "include", "")
            for r in self.records
            if r["kind"] in ("later_report", "wrong_design")
        ]
        if self.values["rules"] == "none":
            title_abstract += [
                (r["doi"], "exclude", r["kind"].removeprefix("noise:"))
                for r in self.records
                if r["kind"].startswith("noise:")
            ]
        title_abstract += [
            (f"file:{export['id']}:{n}", "exclude", "off_topic")
            for export, _, count in self.read_only_exports()
            for n in range(1, count + 1)
        ]
        full_text = [(self.doi(i), "include", "") for i in self.studies]
        full_text += [
            (r["doi"], "exclude", r["kind"])
            for r in self.records
            if r["kind"] in ("later_report", "wrong_design")
        ]
        for reviewer in self.reviewers():
            rows = list(title_abstract)
            if reviewer == "ben":
                rows[0] = (rows[0][0], "exclude", "off_topic")  # the one disagreement
            write_rows(
                folder / "title_abstract" / f"{reviewer}.csv",
                ["record", "decision", "reason"],
                rows,
            )
            write_rows(
                folder / "full_text" / f"{reviewer}.csv",
                ["record", "decision", "reason"],
                full_text,
            )
        if "ben" in self.reviewers():
            write_rows(
                folder / "title_abstract" / "adjudication.csv",
                ["record", "decision", "reason"],
                [title_abstract[0]],
            )

    def write_extraction(self, folder: Path) -> None:
        header = ["record_id", "study_design", "setting", "country"]
        header += [planned.field(role) for planned in self.analyses for role in planned.roles]
        rows = []
        for i in self.studies:
            values = {
                "record_id": self.doi(i),
                "study_design": DESIGNS[i],
                "setting": SETTINGS[i % 2],
                "country": COUNTRIES[i % 3],
            }
            for planned in self.analyses:
                values |= planned.values(i)
            rows.append([values.get(column, "") for column in header])
        folder.mkdir(parents=True, exist_ok=True)
        write_rows(folder / "ana.csv", header, rows)

    def write_bias(self, folder: Path) -> None:
        """Each reviewer judges every domain of every study alike: the least severe
        judgement, and a checklist's overall appraisal, which no algorithm gives."""
        rows = []
        for i in self.studies:
            tool = TOOLS[TOOL_OF[DESIGNS[i]]]
            judged = [(d, tool.judgements[0]) for d in tool.domain_ids]
            if tool.proposed_overall(dict(judged)) is None:
                judged.append((OVERALL, tool.overall_judgements[0]))
            rows += [(self.doi(i), domain, judgement) for domain, judgement in judged]
        folder.mkdir(parents=True, exist_ok=True)
        for reviewer in ["ana", "ben"][: self.values["bias_reviewers"]]:
            write_rows(folder / f"{reviewer}.csv", ["record_id", "domain", "judgement"], rows)

    def expected(self, places: Mapping[str, list[dict[str, Any]]]) -> Expected:
        """The PRISMA counts and the pooled sets this version must give."""
        expected = Expected(included=len(self.studies))
        databases = {e["id"]: f"Database {e['id'][-1]}" for e in self.written_exports()}
        for source, found in places.items():
            expected.identified[databases.get(source, source)] = len(found)
        for export, _, count in self.read_only_exports():
            expected.identified[f"Database {export['id'][-1]}"] = count
        duplicates = sum(
            len(self.records_of(kind)) for kind in ("duplicate", "copy", "year_apart", "companion")
        )
        noise = len([r for r in self.records if r["kind"].startswith("noise:")])
        automated = noise if self.values["rules"] == "every_rule" else 0
        identified = sum(expected.identified.values())
        read_only = sum(count for _, _, count in self.read_only_exports())
        extra = 2 if self.humans else 0
        expected.prisma = {
            "duplicates_removed": duplicates,
            "automation_removed": automated,
            "screened": identified - duplicates - automated,
            "excluded": read_only + (noise if self.values["rules"] == "none" else 0),
            "sought": len(self.studies) + extra,
            "reports_excluded": 1 if self.humans else 0,
            "included_reports": len(self.studies) + (1 if self.humans else 0),
            "included": len(self.studies),
        }
        expected.cases = analysis_cases(self.spec, self.analyses, self.studies, self.values)
        return expected


def spec_studies(spec: Any) -> list[int]:
    """The studies of a review's final version."""
    return list(range(STUDIES))


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def analysis_cases(
    spec: Any, analyses: Sequence[Planned], studies: Sequence[int], values: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The metafor cases of a review's analyses: each pooled group, and the test for subgroup
    differences where two groups are pooled."""
    from tests.reference.cases import rows_case

    found = []
    for planned in analyses:
        method, hartung_knapp = planned.method(values["default_pooling"])
        pooled = planned.pooled_studies(studies)
        rows = analysis_rows(planned.measure)
        settings = {
            "measure": planned.measure,
            "method": method,
            "hartung_knapp": hartung_knapp,
            "transform": planned.spec["measure"].removeprefix("proportion_")
            if planned.measure == "proportion"
            else "logit",
            "double_zero": planned.spec.get("double_zero") or "keep",
            "roles": planned.roles,
        }
        for group, members in pooled.items():
            found.append(
                {
                    **rows_case(
                        f"matrix_{spec.name}_{planned.id}_{group.replace(' ', '_')}",
                        [{**rows[i], "trial": f"study {i}"} for i in members],
                        **settings,
                    ),
                    "analysis": planned.id,
                    "group": group,
                }
            )
        if len(pooled) > 1:
            members = [i for ids in pooled.values() for i in ids]
            found.append(
                {
                    **rows_case(
                        f"matrix_{spec.name}_{planned.id}_subgroups",
                        [
                            {**rows[i], "trial": f"study {i}", "setting": SETTINGS[i % 2]}
                            for i in members
                        ],
                        kind="subgroups",
                        group_by="setting",
                        **settings,
                    ),
                    "analysis": planned.id,
                }
            )
    return found
