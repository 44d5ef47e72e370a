"""The PRISMA 2020 checklist (Page et al., BMJ 2021;372:n71) and the PRISMA-S search items
(Rethlefsen et al., Syst Rev 2021;10:39), each item with where the report answers it, or why it
does not. Items a workflow cannot answer (the discussion, funding, the abstract) are named as the
authors' to write, so the checklist never claims more than the report holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

AUTHORS = "not reported here: the manuscript's authors write it"


@dataclass(frozen=True)
class Item:
    number: str
    section: str
    topic: str
    # Where the report answers it (a section id of review.html), given what the review holds;
    # None when it does not.
    where: Callable[[Mapping[str, Any]], str | None]
    otherwise: str = AUTHORS  # what the checklist says when `where` gives None


def at(anchor: str, when: str | None = None) -> Callable[[Mapping[str, Any]], str | None]:
    """Reported in a section, always or only while the review holds `when`."""
    return lambda review: anchor if when is None or review.get(when) else None


NEVER = at("", when="never")
NO_TOOL = "not reported: the protocol declares no risk-of-bias tool (risk_of_bias.tools)"
NO_GRADE = "not reported: no group was pooled, so no synthesis is rated"
NOT_POOLED = "not reported: no group had enough studies to pool"
UNGROUPED = "not reported: no analysis groups its studies (synthesis.analyses[].group_by)"
PRISMA_2020: tuple[Item, ...] = (
    Item("1", "Title", "Identify the report as a systematic review", at("top")),
    Item("2", "Abstract", "Structured abstract (PRISMA 2020 for Abstracts)", NEVER),
    Item("3", "Introduction", "Rationale", NEVER),
    Item("4", "Introduction", "Objectives or questions", at("protocol")),
    Item("5", "Methods", "Eligibility criteria", at("protocol")),
    Item("6", "Methods", "Information sources and dates searched", at("search")),
    Item("7", "Methods", "Full search strategies", at("search")),
    Item("8", "Methods", "Selection process", at("agreement")),
    Item("9", "Methods", "Data collection process", at("evidence")),
    Item("10a", "Methods", "Data items: outcomes", at("synthesis")),
    Item("10b", "Methods", "Data items: other variables", at("evidence")),
    Item("11", "Methods", "Study risk of bias assessment", at("risk-of-bias", "tools"), NO_TOOL),
    Item("12", "Methods", "Effect measures", at("synthesis")),
    Item("13a", "Methods", "Which studies were eligible for each synthesis", at("synthesis")),
    Item("13b", "Methods", "Preparing the data for synthesis", at("synthesis")),
    Item("13c", "Methods", "Tabulating and displaying results", at("figures")),
    Item("13d", "Methods", "Methods of synthesis", at("synthesis")),
    Item("13e", "Methods", "Exploring heterogeneity", at("synthesis", "group_by"), UNGROUPED),
    Item("13f", "Methods", "Sensitivity analyses", at("synthesis", "pooled"), NOT_POOLED),
    Item("14", "Methods", "Reporting bias assessment", at("synthesis", "pooled"), NOT_POOLED),
    Item("15", "Methods", "Certainty assessment", at("findings", "pooled"), NO_GRADE),
    Item("16a", "Results", "Study selection, with a flow diagram", at("prisma")),
    Item("16b", "Results", "Studies that seemed eligible but were excluded", at("excluded")),
    Item("17", "Results", "Study characteristics, with citations", at("evidence")),
    Item("18", "Results", "Risk of bias in studies", at("risk-of-bias", "tools"), NO_TOOL),
    Item("19", "Results", "Results of individual studies", at("synthesis")),
    Item("20a", "Results", "Characteristics of the studies in each synthesis", at("synthesis")),
    Item(
        "20b",
        "Results",
        "Results of all statistical syntheses",
        at("synthesis", "pooled"),
        NOT_POOLED,
    ),
    Item(
        "20c", "Results", "Investigations of heterogeneity", at("synthesis", "group_by"), UNGROUPED
    ),
    Item("20d", "Results", "Sensitivity analyses", at("synthesis", "pooled"), NOT_POOLED),
    Item("21", "Results", "Reporting biases", at("synthesis", "pooled"), NOT_POOLED),
    Item("22", "Results", "Certainty of evidence", at("findings", "pooled"), NO_GRADE),
    Item("23a", "Discussion", "Interpretation in the context of other evidence", NEVER),
    Item("23b", "Discussion", "Limitations of the evidence", NEVER),
    Item("23c", "Discussion", "Limitations of the review processes", NEVER),
    Item("23d", "Discussion", "Implications", NEVER),
    Item(
        "24a",
        "Other information",
        "Registration",
        at("protocol", "reference"),
        "not reported: the protocol gives no reference (review.reference)",
    ),
    Item(
        "24b",
        "Other information",
        "Where the protocol can be accessed",
        at("protocol", "reference"),
        "not reported: the protocol gives no reference (review.reference)",
    ),
    Item("24c", "Other information", "Amendments to the protocol", NEVER),
    Item("25", "Other information", "Support", NEVER),
    Item("26", "Other information", "Competing interests", NEVER),
    Item(
        "27",
        "Other information",
        "Availability of data, code and other materials",
        at("provenance"),
    ),
)

PRISMA_S: tuple[Item, ...] = (
    Item("1", "Information sources", "Database name", at("search")),
    Item("2", "Information sources", "Multi-database searching (the interface)", at("search")),
    Item("3", "Information sources", "Study registries", NEVER, "not searched"),
    Item("4", "Information sources", "Online resources and browsing", NEVER, "not searched"),
    Item("5", "Information sources", "Citation searching", NEVER, "not searched"),
    Item("6", "Information sources", "Contacts", NEVER, "not used"),
    Item(
        "7",
        "Information sources",
        "Other methods (export files)",
        at("search", "files"),
        "not used: every source is a database search",
    ),
    Item(
        "8",
        "Search strategies",
        "Full search strategies, as run",
        at("search", "queries"),
        "not applicable: no database was searched",
    ),
    Item("9", "Search strategies", "Limits and restrictions", at("search")),
    Item("10", "Search strategies", "Search filters", NEVER, "none used"),
    Item("11", "Search strategies", "Prior work", NEVER),
    Item(
        "12",
        "Search strategies",
        "Updates",
        at("search", "update"),
        "not applicable: not an update",
    ),
    Item("13", "Search strategies", "Dates of searches", at("search")),
    Item("14", "Peer review", "Peer review of the search", NEVER),
    Item("15", "Managing records", "Total records from each database", at("search")),
    Item("16", "Managing records", "Deduplication", at("prisma")),
)


def checklist(items: tuple[Item, ...], review: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each item with its section id in the report, or what the checklist says instead."""
    rows = []
    for item in items:
        where = item.where(review) or None
        rows.append(
            {
                "number": item.number,
                "section": item.section,
                "topic": item.topic,
                "where": where,
                "note": None if where else item.otherwise,
            }
        )
    return rows


def what_the_review_holds(config: Mapping[str, Any], pooled: bool) -> dict[str, bool]:
    """The facts the items depend on, from the protocol and the synthesis."""
    sources = config["search"]["sources"]
    return {
        "tools": bool(config["risk_of_bias"]["tools"]),
        "group_by": any(a["group_by"] is not None for a in config["synthesis"]["analyses"]),
        "pooled": pooled,
        "reference": bool(config["review"].get("reference")),
        "files": "file" in sources,
        "queries": any(name != "file" for name in sources),
        "update": bool(config["update"]["previous_release"]),
    }
