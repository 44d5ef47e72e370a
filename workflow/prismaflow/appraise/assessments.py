"""Reviewers' risk-of-bias sheets, read and settled: each study's tool (from its design),
every domain judged by the protocol's number of reviewers, disagreements settled by the
adjudicator, and the overall judgement the tool's algorithm gives unless a reviewer changes it
with a reason.

A sheet is config/risk_of_bias/<reviewer>.csv or .xlsx, one row per study and domain (record
id, DOI or PMID; the tool's domain id, or "overall"), with the judgement and its support; a row
with no judgement is not judged yet. A row that does not fit (an unknown study or domain, a
judgement the tool does not allow) is a problem for the gate to name with its file and line; it
never becomes a judgement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.appraise.judgements import ANSWER_LABELS, ANSWERS, OVERALL
from prismaflow.appraise.tools import TOOLS, Tool
from prismaflow.identifiers import resolve_record
from prismaflow.sheets import ADJUDICATOR, SETTLED, Verdict, read_rows
from prismaflow.sheets import settle as settle_verdicts

COLUMNS = ("record_id", "domain", "judgement", "support")
INFORMATION_COLUMNS = ("study", "design", "tool", "question", "allowed")
# A signalling answer as written (code or label, any case) -> its code.
ANSWER_CODES = {
    **{code: code for code in ANSWERS},
    **{label.casefold(): code for code, label in ANSWER_LABELS.items()},
}
BY_ALGORITHM = "algorithm"  # an overall judgement the tool's algorithm gave
RISK_OF_BIAS_SCHEMA = pa.schema(
    [
        ("record_id", pa.string()),
        ("design", pa.string()),
        ("tool", pa.string()),
        ("domain", pa.string()),  # the tool's domain or item id, or "overall"
        ("question", pa.string()),
        ("judgement", pa.string()),  # null while awaiting or in conflict
        ("support", pa.string()),
        ("decided_by", pa.string()),  # a reviewer, "ana+ben", "adjudication" or "algorithm"
        ("proposed", pa.string()),  # overall rows: what the tool's algorithm gives
        ("items_met", pa.string()),  # overall rows of a checklist: "6 of 8 items met"
        ("reviewers", pa.string()),  # each reviewer's judgement: "ana=low; ben=high"
        ("status", pa.string()),
    ]
)
BIAS_PROBLEMS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int64()),
        ("record_id", pa.string()),
        ("domain", pa.string()),
        ("value", pa.string()),
        ("problem", pa.string()),
    ]
)


@dataclass
class Sheets:
    """Every reviewer's judgement per (record, domain), and the rows that did not fit."""

    judged: dict[tuple[str, str], list[Verdict]] = field(default_factory=lambda: defaultdict(list))
    problems: list[dict[str, Any]] = field(default_factory=list)

    def problems_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.problems, columns=BIAS_PROBLEMS_SCHEMA.names)


def tool_of(design: Any, tools: Mapping[str, str]) -> Tool | None:
    name = tools.get(design) if isinstance(design, str) else None
    return TOOLS[name] if name else None


def read_sheets(
    paths: Sequence[str | Path],
    designs: Mapping[str, Any],
    tools: Mapping[str, str],
    index: Mapping[str, str],
) -> Sheets:
    """Every sheet, checked row by row against the study's tool; `designs` maps each included
    study to its design."""
    sheets = Sheets()
    for path in map(Path, paths):
        _read_sheet(path, designs, tools, index, sheets)
    return sheets


def _read_sheet(
    path: Path,
    designs: Mapping[str, Any],
    tools: Mapping[str, str],
    index: Mapping[str, str],
    sheets: Sheets,
) -> None:
    """One reviewer's rows: domain judgements, and answers to signalling questions (a row
    whose domain is a question id, such as 1.2). A domain judged otherwise than the reviewer's
    own answers give needs a reason in its support, as an overall judgement does."""
    reviewer, seen = path.stem, set()
    answers: dict[str, dict[str, str]] = defaultdict(dict)
    judged_at: dict[tuple[str, str], tuple[int, Verdict]] = {}
    for line, row in read_rows(path, COLUMNS[:3], (*COLUMNS, *INFORMATION_COLUMNS)):

        def problem(why: str, record: str | None = None, row=row, line=line) -> None:
            sheets.problems.append(
                {
                    "file": str(path),
                    "line": line,
                    "record_id": record,
                    "domain": row.get("domain"),
                    "value": row.get("judgement"),
                    "problem": why,
                }
            )

        if "judgement" not in row:  # a row not judged yet, as the workflow's sheet has them
            continue
        if "record_id" not in row or "domain" not in row:
            problem("names no study (record_id) or no domain")
            continue
        record = resolve_record(row["record_id"], index)
        if record not in designs:
            problem(f"{row['record_id']!r} is not an included study")
            continue
        tool = tool_of(designs[record], tools)
        if tool is None:
            problem(f"its design {designs[record]!r} has no tool under risk_of_bias.tools")
            continue
        written = row["domain"].strip().casefold()
        if written in tool.question_ids:
            answer = ANSWER_CODES.get(row["judgement"].strip().casefold())
            if answer is None:
                problem(
                    f"{row['judgement']!r} does not answer a signalling question: "
                    f"{', '.join(ANSWER_LABELS.values())} (or {', '.join(ANSWERS)})",
                    record,
                )
            elif written in answers[record]:
                problem("the signalling question is answered twice in this sheet", record)
            else:
                answers[record][written] = answer
            continue
        domain = next((d for d in (*tool.domain_ids, OVERALL) if d.casefold() == written), written)
        if domain != OVERALL and domain not in tool.domain_ids:
            problem(
                f"{row['domain'].strip()!r} is not a domain of {tool.label}: "
                f"{', '.join(tool.domain_ids)} or {OVERALL}",
                record,
            )
            continue
        allowed = tool.overall_judgements if domain == OVERALL else tool.judgements
        judgement = row["judgement"].strip().casefold()
        if judgement not in allowed:
            problem(f"{row['judgement']!r} is not one of: {', '.join(allowed)}", record)
            continue
        if (record, domain) in seen:
            problem("the study's domain is judged twice in this sheet", record)
            continue
        seen.add((record, domain))
        verdict = Verdict(reviewer, judgement, row.get("support"))
        sheets.judged[record, domain].append(verdict)
        judged_at[record, domain] = (line, verdict)
    for (record, domain), (line, verdict) in judged_at.items():
        if domain == OVERALL:  # checked once settled (unexplained_changes), across reviewers
            continue
        tool = tool_of(designs[record], tools)
        why = tool.unexplained(domain, verdict.value, verdict.reason, answers[record], {})
        if why:
            sheets.problems.append(
                {
                    "file": str(path),
                    "line": line,
                    "record_id": record,
                    "domain": domain,
                    "value": verdict.value,
                    "problem": why,
                }
            )


def _settle(
    found: list[Verdict], reviewers_needed: int
) -> tuple[str | None, str | None, str | None, str]:
    """(judgement, support, decided_by, status) of one domain from what was written: agreeing
    reviewers are named together, with each one's support."""
    chosen, status = settle_verdicts(found, reviewers_needed)
    if chosen is None:
        return None, None, None, status
    if chosen.reviewer == ADJUDICATOR:
        return chosen.value, chosen.reason, ADJUDICATOR, status
    supports = "; ".join(f"{v.reviewer}: {v.reason}" for v in found if v.reason)
    return chosen.value, supports or None, "+".join(v.reviewer for v in found), status


def settle(
    designs: Mapping[str, Any], tools: Mapping[str, str], sheets: Sheets, reviewers_needed: int
) -> pd.DataFrame:
    """One row per included study with a tool and each of its domains, then its overall."""
    rows = []
    for record, design in sorted(designs.items()):
        tool = tool_of(design, tools)
        if tool is None:
            continue
        settled: dict[str, str] = {}
        for domain in (*tool.domain_ids, OVERALL):
            found = sheets.judged.get((record, domain), [])
            shown = "; ".join(f"{v.reviewer}={v.value}" for v in found) or None
            row = {
                "record_id": record,
                "design": design,
                "tool": tool.name,
                "domain": domain,
                "question": tool.label_of(domain),
                "reviewers": shown,
                "proposed": None,
                "items_met": None,
            }
            if domain == OVERALL:
                row["proposed"] = tool.proposed_overall(settled)
                row["items_met"] = tool.items_met(settled)
            if domain == OVERALL and not found and row["proposed"] is not None:
                judgement, support, by, status = row["proposed"], None, BY_ALGORITHM, SETTLED
            else:
                judgement, support, by, status = _settle(found, reviewers_needed)
            if judgement is not None:
                settled[domain] = judgement
            rows.append(
                {
                    **row,
                    "judgement": judgement,
                    "support": support,
                    "decided_by": by,
                    "status": status,
                }
            )
    return pd.DataFrame(rows, columns=RISK_OF_BIAS_SCHEMA.names)


def unexplained_changes(assessed: pd.DataFrame) -> list[str]:
    """Overall judgements that differ from the tool's algorithm without a reason."""
    overall = assessed[(assessed["domain"] == OVERALL) & assessed["proposed"].notna()]
    changed = overall[
        overall["judgement"].notna()
        & (overall["judgement"] != overall["proposed"])
        & overall["support"].isna()
    ]
    return [
        f"{r.record_id}: {r.judgement} where {TOOLS[r.tool].label} gives {r.proposed}"
        for r in changed.itertuples()
    ]
