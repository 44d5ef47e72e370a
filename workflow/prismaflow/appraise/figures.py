"""Risk-of-bias figures as robvis draws them: a traffic-light plot (one row per study, one
column per domain and the overall judgement) and a summary plot (per domain, the share of
studies at each judgement), one panel per tool."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from prismaflow.appraise.judgements import (
    CRITICAL,
    EXCLUDE,
    HIGH,
    INCLUDE,
    LOW,
    MODERATE,
    NO,
    NO_INFORMATION,
    NOT_APPLICABLE,
    OVERALL,
    SEEK,
    SERIOUS,
    SOME_CONCERNS,
    UNCLEAR,
    YES,
)
from prismaflow.appraise.tools import TOOLS, Tool
from prismaflow.plotting import label, message, plt

COLOURS = {
    LOW: "#02C100",
    YES: "#02C100",
    INCLUDE: "#02C100",
    SOME_CONCERNS: "#E2DF07",
    MODERATE: "#E2DF07",
    UNCLEAR: "#E2DF07",
    SEEK: "#E2DF07",
    HIGH: "#BF0000",
    SERIOUS: "#BF0000",
    NO: "#BF0000",
    EXCLUDE: "#BF0000",
    CRITICAL: "#820000",
    NO_INFORMATION: "#4EA1F7",
    NOT_APPLICABLE: "#CCCCCC",
}
PENDING = "#FFFFFF"  # not settled yet: drawn empty, never as a judgement


NOTHING = "No study was assessed for risk of bias."


def _panels(
    assessed: pd.DataFrame,
    rows_of: Callable[[Tool, pd.DataFrame], int],
    width: float,
    per_row: float,
) -> tuple[Figure, list[tuple[Any, Tool, pd.DataFrame]]]:
    """One panel per tool, each as tall as the rows it draws: (axes, tool, its rows)."""
    tools = [TOOLS[name] for name in dict.fromkeys(assessed["tool"])]
    rows = [assessed[assessed["tool"] == tool.name] for tool in tools]
    heights = [rows_of(tool, mine) + 2 for tool, mine in zip(tools, rows, strict=True)]
    figure, axes = plt.subplots(
        len(tools),
        1,
        figsize=(width, per_row * sum(heights) + 0.7),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    return figure, list(zip(axes[:, 0], tools, rows, strict=True))


def traffic_light(assessed: pd.DataFrame, citations: dict[str, str]) -> Figure:
    if assessed.empty:
        return message(NOTHING)
    figure, panels = _panels(assessed, lambda _, rows: rows["record_id"].nunique(), 10, 0.38)
    for axes, tool, rows in panels:
        columns = [*tool.domain_ids, OVERALL]
        studies = list(dict.fromkeys(rows["record_id"]))
        cells = rows.set_index(["record_id", "domain"])["judgement"]
        for y, record in enumerate(studies):
            for x, domain in enumerate(columns):
                judgement = cells.get((record, domain))
                colour = COLOURS.get(judgement, PENDING) if isinstance(judgement, str) else PENDING
                axes.scatter(x, -y, s=260, color=colour, edgecolors="black", linewidths=0.6)
        axes.set_xticks(range(len(columns)), [*tool.domain_ids, "Overall"], fontsize=8)
        axes.xaxis.tick_top()
        axes.set_yticks(
            [-y for y in range(len(studies))],
            [label(citations.get(r, r)) for r in studies],
            fontsize=8,
        )
        axes.set_xlim(-0.6, len(columns) - 0.4)
        axes.set_ylim(-len(studies) + 0.4, 0.6)
        axes.set_title(label(tool.label), fontsize=10, loc="left", pad=18)
        for side in ("right", "bottom", "left", "top"):
            axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure


def summary_plot(assessed: pd.DataFrame) -> Figure:
    if assessed.empty:
        return message(NOTHING)
    figure, panels = _panels(assessed, lambda tool, _: len(tool.domains), 9, 0.32)
    for axes, tool, rows in panels:
        columns = [*tool.domain_ids, OVERALL]
        for y, domain in enumerate(columns):
            judged = rows.loc[rows["domain"] == domain, "judgement"].fillna("pending")
            shares = judged.value_counts(normalize=True).to_dict()
            left = 0.0
            for judgement in dict.fromkeys((*tool.judgements, *tool.overall_judgements, "pending")):
                share = shares.get(judgement, 0.0)
                if share:
                    colour = COLOURS.get(judgement, PENDING)
                    axes.barh(-y, share, left=left, color=colour, edgecolor="black", lw=0.5)
                    left += share
        axes.set_yticks(
            [-y for y in range(len(columns))],
            [label(f"{d} {tool.label_of(d)}") if d != OVERALL else "Overall" for d in columns],
            fontsize=8,
        )
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
        axes.set_title(label(f"{tool.label}: share of studies"), fontsize=10, loc="left")
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=colour, ec="black", lw=0.5)
        for colour in dict.fromkeys(COLOURS.values())
    ]
    names = {}
    for judgement, colour in COLOURS.items():
        names.setdefault(colour, []).append(judgement)
    figure.legend(
        handles, ["/".join(names[c]) for c in dict.fromkeys(COLOURS.values())],
        loc="lower center", ncol=3, fontsize=7, frameon=False,
    )  # fmt: skip
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure
