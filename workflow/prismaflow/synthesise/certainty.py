"""Certainty of evidence (GRADE) for each pooled group of each analysis: the machine proposes a
rating for each of the five domains from the data, a reviewer confirms or changes each with a
reason, and the summary-of-findings table shows, as GRADEpro does, the effect, its absolute
effect (per 1,000 from the control arms' risk for a binary outcome; beside the control arms'
mean for a continuous one), the rating, why, and who decided.

The proposals follow the GRADE handbook's guidance where the data can speak (Schünemann et al.,
GRADE Handbook 2013, section 5): evidence from randomised trials starts high and from other
designs low; risk of bias from the studies' overall judgements; inconsistency from I² and from a
prediction interval that crosses the null where the confidence interval does not; imprecision
from an interval that crosses the null and from the optimal information size (300 events for a
binary outcome, 400 participants for a continuous one, as rules of thumb). Indirectness cannot
be read from the data, and publication bias cannot be tested with fewer than ten studies: the
machine proposes "not serious" for both and says so, for a reviewer to confirm. Upgrading
(large effect, dose response) is left to reviewers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from prismaflow.appraise import judgements
from prismaflow.config import DESIGN_FIELD
from prismaflow.sheets import SETTLED, Verdict, read_rows, settle
from prismaflow.spreadsheet import write_form_sheet
from prismaflow.synthesise.effects import Measure
from prismaflow.synthesise.groups import estimator, pooled_groups
from prismaflow.synthesise.plan import Analysis, Plan
from prismaflow.synthesise.small_studies import FEWEST_FOR_EGGER
from prismaflow.vocabulary import AWAITING, CONFLICT

DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")
OVERALL = "certainty"
NOT_SERIOUS, SERIOUS, VERY_SERIOUS = "not serious", "serious", "very serious"
DOWNGRADE = {NOT_SERIOUS: 0, SERIOUS: 1, VERY_SERIOUS: 2}
LEVELS = ("very low", "low", "moderate", "high")
# The tools' overall judgements (prismaflow.appraise.judgements), by how far they lower confidence.
AT_HIGH_RISK = frozenset(
    {judgements.HIGH, judgements.SERIOUS, judgements.CRITICAL, judgements.EXCLUDE}
)
WITH_CONCERNS = frozenset(
    {judgements.SOME_CONCERNS, judgements.MODERATE, judgements.NO_INFORMATION, judgements.SEEK}
)
EVENTS_NEEDED, PARTICIPANTS_NEEDED = 300, 400
BY_MACHINE = "machine (proposed)"
# The GRADE sheet the workflow writes; a reviewer's sheet needs group, domain and rating (and
# the analysis, where the protocol plans more than one).
RATING_COLUMNS = (
    "analysis",
    "group",
    "domain",
    "proposed",
    "proposed_because",
    "allowed",
    "rating",
    "reason",
)
CERTAINTY_SCHEMA = pa.schema(
    [
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("outcome", pa.string()),  # the analysis: outcome, comparison, time point
        ("studies", pa.int64()),
        ("participants", pa.int64()),
        ("effect", pa.string()),  # the protocol's estimator, as the report prints it
        ("assumed", pa.string()),  # the control arms' risk or mean, as GRADEpro shows it
        ("absolute", pa.string()),  # the absolute effect against it
        ("start", pa.string()),  # high (randomised trials) or low
        ("domain", pa.string()),  # one of DOMAINS, or "certainty" for the resulting level
        ("proposed", pa.string()),
        ("proposed_because", pa.string()),
        ("rating", pa.string()),
        ("reason", pa.string()),
        ("decided_by", pa.string()),  # a reviewer, "adjudication", or the machine's proposal
        ("status", pa.string()),  # settled or conflict
    ]
)
CERTAINTY_PROBLEMS_SCHEMA = pa.schema(
    [
        ("file", pa.string()),
        ("line", pa.int64()),
        ("analysis", pa.string()),
        ("group", pa.string()),
        ("domain", pa.string()),
        ("problem", pa.string()),
    ]
)


@dataclass
class Ratings:
    """Reviewers' ratings per (analysis, group, domain), and the rows that did not fit."""

    rated: dict[tuple[str, str, str], list[Verdict]] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)

    def problems_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.problems, columns=CERTAINTY_PROBLEMS_SCHEMA.names)


def read_ratings(paths: Sequence[str | Path], pooled: Sequence[tuple[str, str]]) -> Ratings:
    """Every reviewer's sheet (config/certainty/<reviewer>.csv or .xlsx): analysis, group,
    domain, rating, reason; the columns of the sheet the workflow writes are allowed beside
    them. A review of one analysis may leave the analysis out."""
    ratings = Ratings()
    analyses = sorted({analysis for analysis, _ in pooled})
    named = ", ".join(f"{a} {g}" if len(analyses) > 1 else g for a, g in pooled)
    for path in map(Path, paths):
        for line, row in read_rows(path, ("group", "domain", "rating"), RATING_COLUMNS):

            def problem(why: str, row=row, line=line, path=path) -> None:
                ratings.problems.append(
                    {"file": str(path), "line": line, "analysis": row.get("analysis"),
                     "group": row.get("group"), "domain": row.get("domain"), "problem": why}
                )  # fmt: skip

            if "rating" not in row:
                continue  # not rated yet
            analysis = row.get("analysis") or (analyses[0] if len(analyses) == 1 else None)
            # "Risk of bias" is risk_of_bias, as a reviewer may well write it.
            domain = "_".join(row.get("domain", "").casefold().split())
            if (analysis, row.get("group")) not in pooled:
                where = (
                    f"{row.get('analysis')} {row.get('group')}"
                    if row.get("analysis")
                    else (repr(row.get("group")))
                )
                problem(f"{where} is not a pooled group ({named or 'none is pooled'})")
            elif domain not in DOMAINS:
                problem(f"{row.get('domain')!r} is not a GRADE domain: {', '.join(DOMAINS)}")
            elif row["rating"].casefold() not in DOWNGRADE:
                problem(f"{row['rating']!r} is not one of: {', '.join(DOWNGRADE)}")
            else:
                key = (analysis, row["group"], domain)
                ratings.rated.setdefault(key, []).append(
                    Verdict(path.stem, row["rating"].casefold(), row.get("reason"))
                )
    return ratings


def start_level(designs: Sequence[Any], randomised: Sequence[str]) -> str:
    return "high" if designs and all(d in randomised for d in designs) else "low"


def _risk_of_bias(overall: Sequence[Any]) -> tuple[str, str]:
    judged = [j for j in overall if isinstance(j, str)]
    if len(judged) < len(overall):
        return (
            SERIOUS,
            f"risk of bias not assessed for {len(overall) - len(judged)} of {len(overall)} studies",
        )
    high = sum(j in AT_HIGH_RISK for j in judged)
    concerns = sum(j in WITH_CONCERNS for j in judged)
    if high * 2 > len(judged):
        return VERY_SERIOUS, f"{high} of {len(judged)} studies at high risk of bias"
    if high or concerns * 2 > len(judged):
        return (
            SERIOUS,
            f"{high} at high risk and {concerns} with concerns, of {len(judged)} studies",
        )
    return NOT_SERIOUS, f"{len(judged) - concerns} of {len(judged)} studies at low risk of bias"


def _crosses(measure: Measure, low: float, high: float) -> bool:
    return measure.null is not None and low < measure.null < high


def _inconsistency(pooled: Mapping[str, Any], measure: Measure) -> tuple[str, str]:
    i2 = pooled["i2"]
    spread = _crosses(measure, pooled["pi_low"], pooled["pi_high"]) and not _crosses(
        measure, pooled["ci_low"], pooled["ci_high"]
    )
    said = f"I² {i2:.0%}" + (", prediction interval crosses the null" if spread else "")
    if i2 >= 0.75:
        return VERY_SERIOUS, said
    if i2 >= 0.5 or spread:
        return SERIOUS, said
    return NOT_SERIOUS, said


def _imprecision(
    pooled: Mapping[str, Any], measure: Measure, participants: int | None, events: int | None
) -> tuple[str, str]:
    """From the interval and the optimal information size; an effect as published counts no
    participants, and its information size is named as unknown for a reviewer to judge."""
    crosses = _crosses(measure, pooled["ci_low"], pooled["ci_high"])
    if events is not None:
        short, size = events < EVENTS_NEEDED, f"{events} events (fewer than {EVENTS_NEEDED})"
    elif participants is None:
        short, size = False, ""
    else:
        short = participants < PARTICIPANTS_NEEDED
        size = f"{participants} participants (fewer than {PARTICIPANTS_NEEDED})"
    said = "; ".join(
        [*(["the interval crosses the null"] if crosses else []), *([size] if short else [])]
    )
    rating = VERY_SERIOUS if crosses and short else SERIOUS if crosses or short else NOT_SERIOUS
    if participants is None and events is None:
        said = "; ".join([*([said] if said else []), "the information size is not known"])
    return rating, said or "the interval excludes the null and the information size is met"


def propose(
    analysis: Analysis,
    group: Mapping[str, Any],
    pooled: Mapping[str, Any],
    overall_bias: Sequence[Any],
    studies: int,
) -> dict[str, tuple[str, str]]:
    """Each domain's proposed rating and why, for one pooled group."""
    measure = analysis.outcome.measure
    events = None
    if measure.kind == "binary":
        events = sum(_count(group[arm]) or 0 for arm in ("events", "control_events"))
    return {
        "risk_of_bias": _risk_of_bias(overall_bias),
        "inconsistency": _inconsistency(pooled, measure),
        "indirectness": (
            NOT_SERIOUS,
            "not judged by the machine: compare the studies with the PICO",
        ),
        "imprecision": _imprecision(pooled, measure, _count(group["participants"]), events),
        "publication_bias": (
            NOT_SERIOUS,
            f"fewer than {FEWEST_FOR_EGGER} studies: funnel-plot asymmetry cannot be tested"
            if studies < FEWEST_FOR_EGGER
            else "Egger's test and the funnel plot are in the synthesis: judge them",
        ),
    }


def _per_thousand(difference: float) -> str:
    count = round(abs(difference) * 1000)
    return f"{count} {'more' if difference > 0 else 'fewer'}" if count else "0 more"


def absolute_effect(
    analysis: Analysis, group: Mapping[str, Any], primary: Mapping[str, Any]
) -> tuple[str, str]:
    """(what the control arms show, the absolute effect against it), as GRADEpro states them:
    per 1,000 from the control arms' risk (study population) for a binary comparison, a
    proportion per 1,000 for one arm, the difference beside the control arms' mean for a
    continuous outcome; nothing where the data give no control risk (an effect as published)."""
    measure, name = analysis.outcome.measure, analysis.outcome.measure.name
    bounds = [primary[k] for k in ("estimate", "ci_low", "ci_high")]
    if name == "proportion":
        low, high = (round(b * 1000) for b in bounds[1:])
        return "", f"{round(bounds[0] * 1000)} per 1,000 (from {low} to {high})"
    if name in ("risk_ratio", "odds_ratio", "risk_difference"):
        risk = group["control_events"] / group["control_total"]

        def change(effect: float) -> float:
            if name == "risk_ratio":
                return risk * effect - risk
            if name == "odds_ratio":
                return effect * risk / (1 - risk + effect * risk) - risk
            return effect

        estimate, low, high = (change(b) for b in bounds)
        return (
            f"{round(risk * 1000)} per 1,000",
            f"{_per_thousand(estimate)} per 1,000 "
            f"(from {_per_thousand(low)} to {_per_thousand(high)})",
        )
    if measure.kind == "continuous":
        unit = " SD" if name == "standardised_mean_difference" else ""
        assumed = "" if unit else f"mean {group['control_mean']:.3g}"

        def said(value: float) -> str:
            return f"{abs(value):.2f}{unit} {'higher' if value >= 0 else 'lower'}"

        return assumed, f"{said(bounds[0])} (from {said(bounds[1])} to {said(bounds[2])})"
    return "", "not estimable: the studies give no control-group risk"


def _count(value: Any) -> int | None:
    return None if value is None or value != value else int(value)


def level(start: str, ratings: Sequence[str]) -> str:
    drop = sum(DOWNGRADE[r] for r in ratings)
    return LEVELS[max(0, LEVELS.index(start) - drop)]


def summary_of_findings(
    plan: Plan,
    groups: pd.DataFrame,
    pooled: pd.DataFrame,
    studies: pd.DataFrame,
    risk_of_bias: pd.DataFrame,
    ratings: Ratings,
    randomised: Sequence[str],
) -> pd.DataFrame:
    """One row per analysis, pooled group and domain, then the group's certainty."""
    judged = risk_of_bias[risk_of_bias["domain"] == judgements.OVERALL]
    overall = judged.set_index("record_id")["judgement"]
    summary = groups.set_index(["analysis", "group"])
    rows = []
    for analysis, group_name, members in pooled_groups(studies, groups, plan):
        group = summary.loc[(analysis.id, group_name)]
        primary = pooled[
            (pooled["analysis"] == analysis.id)
            & (pooled["group"] == group_name)
            & pooled["primary"]
        ].iloc[0]
        designs = list(members[DESIGN_FIELD]) if DESIGN_FIELD in members else []
        start = start_level(designs, randomised)
        bias = [overall.get(r) for r in members["record_id"]]
        effect = analysis.outcome.measure.interval(
            primary["estimate"], primary["ci_low"], primary["ci_high"]
        )
        assumed, absolute = absolute_effect(analysis, group, primary)
        base = {
            "analysis": analysis.id,
            "group": group_name,
            "outcome": analysis.title,
            "studies": int(primary["studies"]),
            "participants": _count(group["participants"]),
            "effect": f"{analysis.outcome.effect_label} {estimator(primary)} {effect}",
            "assumed": assumed,
            "absolute": absolute,
            "start": start,
        }
        settled = []
        for domain, (proposed, because) in propose(
            analysis, group, primary, bias, len(members)
        ).items():
            chosen, status = settle(ratings.rated.get((analysis.id, group_name, domain), []))
            status = SETTLED if status == AWAITING else status  # the proposal stands meanwhile
            rating = chosen.value if chosen else (None if status == CONFLICT else proposed)
            if rating is not None:
                settled.append(rating)
            rows.append(
                {
                    **base,
                    "domain": domain,
                    "proposed": proposed,
                    "proposed_because": because,
                    "rating": rating,
                    "reason": chosen.reason if chosen else None,
                    "decided_by": chosen.reviewer
                    if chosen
                    else (None if status == CONFLICT else BY_MACHINE),
                    "status": status,
                }
            )
        complete = len(settled) == len(DOMAINS)
        rows.append(
            {
                **base,
                "domain": OVERALL,
                "proposed": None,
                "proposed_because": f"starts {start}; each serious concern lowers it one level",
                "rating": level(start, settled) if complete else None,
                "reason": None,
                "decided_by": None,
                "status": SETTLED if complete else CONFLICT,
            }
        )
    return pd.DataFrame(rows, columns=CERTAINTY_SCHEMA.names)


def unexplained_changes(sof: pd.DataFrame) -> list[str]:
    """Ratings a reviewer changed from the proposal without saying why."""
    rated = sof[(sof["domain"] != OVERALL) & sof["rating"].notna()]
    changed = rated[(rated["rating"] != rated["proposed"]) & rated["reason"].isna()]
    return [
        f"{r.analysis} {r.group} {r.domain}: {r.rating} where {r.proposed} was proposed"
        for r in changed.itertuples()
    ]


def write_certainty_sheet(sof: pd.DataFrame, path: Path) -> None:
    """One row per pooled group and domain, with the machine's proposal and why; the rating is
    left blank for the reviewer, who confirms the proposal by writing it or changes it with a
    reason. Saved as config/certainty/<reviewer>.xlsx, it is read as it is."""
    rated = sof[sof["domain"] != OVERALL]
    rows = [
        {**row, "allowed": list(DOWNGRADE)}
        for row in rated[list(RATING_COLUMNS[:5])].to_dict("records")
    ]
    widths = {
        "analysis": 18,
        "group": 24,
        "domain": 18,
        "proposed": 14,
        "proposed_because": 60,
        "reason": 50,
    }
    write_form_sheet(path, "certainty", RATING_COLUMNS, rows, "rating", widths)
