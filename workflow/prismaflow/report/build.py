"""The review report: one self-contained HTML file (styles inline, images as data URIs, the
PRISMA diagram as inline SVG), so it opens offline and can be archived or mailed as it is.

Every number is read from the artifacts passed in; the template only lays them out.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from prismaflow.appraise.judgements import OVERALL
from prismaflow.appraise.tools import TOOLS
from prismaflow.extract.sheet import citation
from prismaflow.hostile_text import visible_bidi
from prismaflow.provenance import code_version, params_sha256, sha256_file
from prismaflow.records import present
from prismaflow.report.checklist import PRISMA_2020, PRISMA_S, checklist, what_the_review_holds
from prismaflow.report.references import full_text_exclusions, reference_list
from prismaflow.synthesise.certainty import BY_MACHINE, DOMAINS
from prismaflow.synthesise.certainty import OVERALL as CERTAINTY_LEVEL
from prismaflow.synthesise.evidence import shown_columns
from prismaflow.synthesise.groups import estimator, shown_estimates
from prismaflow.synthesise.plan import LEAVE_ONE_OUT, Analysis, Plan
from prismaflow.synthesise.prisma import count_of, studies_in_review
from prismaflow.synthesise.subgroups import why_not_tested
from prismaflow.vocabulary import BY_MODEL, BY_STOPPING, CONFLICT

TEMPLATES = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Artifacts:
    """The frames and files the report is made of, read by the adapter."""

    search_log: pd.DataFrame
    records: pd.DataFrame
    prisma: pd.DataFrame
    decisions: pd.DataFrame
    agreement: pd.DataFrame
    studies: pd.DataFrame
    evidence: pd.DataFrame
    groups: pd.DataFrame
    pooled: pd.DataFrame
    subgroups: pd.DataFrame
    sensitivity: pd.DataFrame
    small_studies: pd.DataFrame
    risk_of_bias: pd.DataFrame
    certainty: pd.DataFrame
    prisma_svg: Path
    figures: Mapping[str, Path]  # name -> PNG
    analysis_figures: Mapping[str, Mapping[str, Path]]  # analysis id -> forest, funnel PNGs
    files: Mapping[str, Path]  # every input, for the provenance table


def data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def inline_svg(path: Path) -> str:
    """The SVG element alone (no XML prolog or doctype), to sit inside the HTML."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("<svg") :]


def _plain(value: Any) -> Any:
    """Cells as a reader wants them: no NaN, no 12.0 for a count, lists joined."""
    if isinstance(value, np.generic):  # a NumPy scalar, as a row of a frame holds it
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return ", ".join(map(str, list(value)))
    return value


def machine_made(decisions: pd.DataFrame, studies: pd.DataFrame) -> dict[str, int]:
    """How much of the review no person has checked: the banner's numbers."""
    by_columns = [c for c in studies.columns if c.endswith("_by")]
    machine_values = (studies[by_columns] == "machine") if by_columns else pd.DataFrame()
    return {
        "decisions": int((decisions["decided_by"] == BY_MODEL).sum()),
        "records": int(decisions.loc[decisions["decided_by"] == BY_MODEL, "record_id"].nunique()),
        "extracted_values": int(machine_values.to_numpy().sum()) if by_columns else 0,
        "studies": int(machine_values.any(axis=1).sum()) if by_columns else 0,
    }


def stopped_screening(decisions: pd.DataFrame) -> dict[str, Any] | None:
    """How many records the stopping criterion excluded unseen, and the criterion as it stood."""
    stopped = decisions[decisions["decided_by"] == BY_STOPPING]
    if stopped.empty:
        return None
    return {
        "records": len(stopped),
        "statement": _plain(stopped["note"].iloc[0]),
        "reason": _plain(stopped["reason_label"].iloc[0]),
    }


def _search_rows(log: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for entry in log.to_dict("records"):
        window = f"{entry['window_start'] or 'inception'} – {entry['window_end'] or 'no limit'}"
        if entry.get("date_limit"):
            window += f" (sent as {entry['date_limit']})"
        rows.append(
            {
                "source": entry["source"],
                "query_id": entry["query_id"],
                "query": entry["query"],
                "translation": _plain(entry["query_translation"]),
                "window": window,
                "reported": entry["reported_count"],
                "retrieved": entry["retrieved_count"],
                "requests": entry["requests"],
                "when": f"{entry['started_at']} – {entry['finished_at']}"
                if entry["started_at"]
                else "not recorded (imported file)",
                "api": f"{entry['api']} ({entry['mode']})",
                "raw": [
                    f"{name} sha256:{digest[:12]}…"
                    for name, digest in zip(entry["raw_files"], entry["raw_sha256"], strict=True)
                ],
            }
        )
    return rows


def _span(log: pd.DataFrame) -> str:
    """First start to last finish of the searches that record times (imports do not)."""
    started, finished = log["started_at"].dropna(), log["finished_at"].dropna()
    return f"{started.min()} – {finished.max()}" if len(started) else "no times recorded"


def evidence_rows(evidence: pd.DataFrame) -> list[dict[str, Any]]:
    shown = shown_columns(evidence)
    return [
        {
            "cells": [(column, _plain(row[column])) for column in shown],
            "machine": set(row["machine_fields"]),
            "record_id": row["record_id"],
        }
        for row in evidence.to_dict("records")
    ]


def group_rows(
    groups: pd.DataFrame, pooled: pd.DataFrame, analysis: Analysis
) -> list[dict[str, Any]]:
    """One analysis's groups, with their estimates as the report prints them."""
    measure, rows = analysis.outcome.measure, []
    for group in groups[groups["analysis"] == analysis.id].to_dict("records"):
        mine = pooled[(pooled["analysis"] == analysis.id) & (pooled["group"] == group["group"])]
        rows.append(
            {
                **{k: _plain(v) for k, v in group.items() if k not in ("described", "left_out")},
                "left_out": list(group["left_out"]),
                "described": [", ".join(d["values"]) for d in group["described"]],
                "crude": measure.interval(
                    group["proportion"], group["wilson_low"], group["wilson_high"]
                ),
                "estimates": [
                    {
                        **e,
                        "name": estimator(e),
                        "text": measure.interval(e["estimate"], e["ci_low"], e["ci_high"]),
                        "prediction": measure.interval(
                            e["estimate"], e["pi_low"], e["pi_high"]
                        ).split(" ", 1)[-1],
                    }
                    for e in shown_estimates(mine).to_dict("records")
                ],
            }
        )
    return rows


def sensitivity_rows(sensitivity: pd.DataFrame, analysis: Analysis) -> list[dict[str, Any]]:
    """Each refit of a pooled group: what it set aside and what it gave."""
    measure = analysis.outcome.measure
    return [
        {
            "group": row["group"],
            "kind": "leave one out" if row["sensitivity"] == LEAVE_ONE_OUT else row["label"],
            "omitted": ", ".join(row["omitted"]) or "none of the pooled studies",
            "result": f"Not pooled: {row['not_pooled_because']}"
            if row["not_pooled_because"]
            else f"{measure.interval(row['estimate'], row['ci_low'], row['ci_high'])}, "
            f"k = {row['studies']}, I² {row['i2']:.0%}, τ² {row['tau2']:.4f}",
        }
        for row in sensitivity[sensitivity["analysis"] == analysis.id].to_dict("records")
    ]


def small_study_rows(small: pd.DataFrame, analysis: Analysis) -> list[dict[str, Any]]:
    return [
        {
            "group": row["group"],
            "studies": row["studies"],
            "result": f"Egger's test: slope {row['slope']:.3f} (SE {row['slope_se']:.3f}), "
            f"t = {row['t']:.2f} on {row['df']} df, p = {row['p_value']:.3f}"
            if row["tested"]
            else f"Not tested: {row['not_tested_because']}",
        }
        for row in small[small["analysis"] == analysis.id].to_dict("records")
    ]


def analysis_sections(plan: Plan, artifacts: Artifacts) -> list[dict[str, Any]]:
    """Per planned analysis, what its part of the synthesis section shows."""
    untested = why_not_tested(artifacts.pooled, plan)
    sections = []
    for analysis in plan.analyses:
        subgroup = artifacts.subgroups[artifacts.subgroups["analysis"] == analysis.id]
        figures = artifacts.analysis_figures[analysis.id]
        sections.append(
            {
                "analysis": analysis,
                "group_rows": group_rows(artifacts.groups, artifacts.pooled, analysis),
                "subgroups": (
                    f"Q = {subgroup['q_between'].iloc[0]:.2f} on {subgroup['df'].iloc[0]} df, "
                    f"p = {subgroup['p_value'].iloc[0]:.3f} ({subgroup['groups'].iloc[0]} "
                    f"groups, {analysis.pooling.method} estimates)"
                    if len(subgroup)
                    else f"Not tested: {untested[analysis.id]}"
                ),
                "sensitivity": sensitivity_rows(artifacts.sensitivity, analysis),
                "small_studies": small_study_rows(artifacts.small_studies, analysis),
                "forest": data_uri(figures["forest"]),
                "funnel": data_uri(figures["funnel"]),
            }
        )
    return sections


# The report's sections by id, as the checklists name them.
SECTIONS = {
    "top": "Title",
    "protocol": "1. Protocol",
    "search": "2. Search log",
    "prisma": "3. PRISMA 2020 flow diagram",
    "agreement": "4. Screening agreement",
    "evidence": "5. Evidence table",
    "risk-of-bias": "6. Risk of bias in studies",
    "synthesis": "7. Synthesis",
    "findings": "Summary of findings (GRADE)",
    "excluded": "Full texts excluded, with reasons",
    "figures": "8. Figures",
    "provenance": "9. Provenance",
}


def summary_of_findings_rows(certainty: pd.DataFrame) -> list[dict[str, Any]]:
    """Per pooled group: its effect, each domain's rating, why and who decided, its certainty."""
    rows = []
    for group, rated in certainty.groupby(["analysis", "group"], sort=False):
        by_domain = rated.set_index("domain")
        first = rated.iloc[0]
        rows.append(
            {
                "group": group[1],
                "outcome": first["outcome"],
                "studies": first["studies"],
                "participants": _plain(first["participants"]),
                "effect": first["effect"],
                "assumed": first["assumed"],
                "absolute": first["absolute"],
                "start": first["start"],
                "certainty": present(by_domain.loc[CERTAINTY_LEVEL, "rating"]) or "not settled",
                "domains": [
                    {
                        "domain": domain.replace("_", " "),
                        "rating": present(by_domain.loc[domain, "rating"]) or CONFLICT,
                        "why": present(by_domain.loc[domain, "reason"])
                        or by_domain.loc[domain, "proposed_because"],
                        "decided_by": present(by_domain.loc[domain, "decided_by"]) or "",
                        "machine": by_domain.loc[domain, "decided_by"] == BY_MACHINE,
                    }
                    for domain in DOMAINS
                ],
            }
        )
    return rows


def checklists(config: Mapping[str, Any], pooled: bool) -> list[dict[str, Any]]:
    holds = what_the_review_holds(config, pooled)
    lists = []
    for name, anchor, items in (
        ("PRISMA 2020 (27 items)", "prisma-2020-checklist", PRISMA_2020),
        ("PRISMA-S (search, 16 items)", "prisma-s-checklist", PRISMA_S),
    ):
        rows = checklist(items, holds)
        lists.append(
            {
                "name": name,
                "id": anchor,
                "rows": rows,
                "reported": sum(bool(r["where"]) for r in rows),
            }
        )
    return lists


def bias_context(
    protocol: Mapping[str, Any], assessed: pd.DataFrame, studies: pd.DataFrame
) -> dict[str, Any]:
    """Per tool, a table of studies by domain, as the report lays it out."""
    names = {row["record_id"]: citation(row) for _, row in studies.iterrows()}

    def cell(row: Mapping[str, Any]) -> dict[str, Any]:
        judgement = present(row["judgement"])
        return {
            "judgement": judgement or row["status"],
            "css": (judgement or "pending").replace(" ", "-"),
            "support": present(row["support"]) or "",
            "proposed": present(row["proposed"]),
            "changed": present(row["proposed"]) is not None and judgement != row["proposed"],
            "items_met": present(row["items_met"]),
            "decided_by": present(row["decided_by"]) or "",
        }

    tables = []
    for name in dict.fromkeys(assessed["tool"]):
        tool, rows = TOOLS[name], assessed[assessed["tool"] == name]
        by_study = {
            record: group.set_index("domain") for record, group in rows.groupby("record_id")
        }
        tables.append(
            {
                "label": tool.label,
                "domains": [{"id": d, "question": q} for d, q in tool.domains],
                "rows": [
                    {
                        "study": names.get(record, record),
                        "cells": [cell({**group.loc[d]}) for d in tool.domain_ids],
                        "overall": cell({**group.loc[OVERALL]}),
                    }
                    for record, group in by_study.items()
                ],
            }
        )
    return {
        "tools": protocol["tools"],
        "reviewers": protocol["reviewers"],
        "labels": {name: tool.label for name, tool in TOOLS.items()},
        "tables": tables,
    }


def report_context(
    config: Mapping[str, Any], artifacts: Artifacts, now: dt.datetime | None = None
) -> dict[str, Any]:
    counts = artifacts.prisma
    search = config["search"]
    plan = Plan.from_config(config["synthesis"])
    return {
        "review": config["review"],
        "search": search,
        "screening": config["screening"],
        "plan": plan,
        "machine": machine_made(artifacts.decisions, artifacts.studies),
        "stopped": stopped_screening(artifacts.decisions),
        "search_rows": _search_rows(artifacts.search_log),
        "prisma_svg": inline_svg(artifacts.prisma_svg),
        "prisma_rows": [
            {k: _plain(v) for k, v in row.items()} for row in counts.to_dict("records")
        ],
        "included": studies_in_review(counts),
        "new_included": count_of(counts, "included"),
        "previous_release": config["update"]["previous_release"],
        "screened": count_of(counts, "screened"),
        "agreement_rows": [
            {k: _plain(v) for k, v in row.items()} for row in artifacts.agreement.to_dict("records")
        ],
        "evidence_columns": shown_columns(artifacts.evidence),
        "references": reference_list(artifacts.records, artifacts.studies["record_id"]),
        "full_text_excluded": full_text_exclusions(artifacts.decisions, artifacts.records),
        "evidence_rows": evidence_rows(artifacts.evidence),
        "analyses": analysis_sections(plan, artifacts),
        "bias": bias_context(config["risk_of_bias"], artifacts.risk_of_bias, artifacts.studies),
        "findings": summary_of_findings_rows(artifacts.certainty),
        "checklists": checklists(config, pooled=not artifacts.pooled.empty),
        "sections": SECTIONS,
        "figures": {name: data_uri(path) for name, path in artifacts.figures.items()},
        "provenance": {
            "code_version": code_version(),
            "config_sha256": params_sha256(config),
            "modes": {name: spec["mode"] for name, spec in search["sources"].items()},
            "snapshot": search.get("snapshot"),
            "searched": _span(artifacts.search_log),
            "generated": (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC"),
            "files": [
                (name, str(path), sha256_file(path)) for name, path in artifacts.files.items()
            ],
        },
    }


def _shown(value: Any) -> Any:
    """Every value the template prints, before escaping: bidirectional controls made visible
    (markup the report makes itself, such as the inline SVG, is left as it is)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_bidi(value)
    return value


def render_report(context: Mapping[str, Any]) -> str:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_shown,
    )
    environment.filters["percent"] = lambda v: "" if v is None or v != v else f"{v:.0%}"
    environment.filters["fixed"] = lambda v, d=2: "" if v is None or v != v else f"{v:.{d}f}"
    return environment.get_template("review.html.j2").render(**context)
