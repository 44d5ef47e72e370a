"""The PRISMA 2020 flow diagram (databases and registers; new reviews, or updated reviews when
the counts hold an update's boxes), drawn from the count table and nothing else: every number
in a box is a row of prisma.parquet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from prismaflow.plotting import label as plain
from prismaflow.plotting import plt
from prismaflow.synthesise.prisma import count_of

# The databases prismaflow searches itself; an export file's box carries its database's name.
SOURCE_NAMES = {"pubmed": "PubMed (MEDLINE)", "scopus": "Scopus"}
LINE = 0.32  # height of one text line, in figure units
MIN_HEIGHT = 1.1  # room for a phase's label beside a one-line box
# Each phase's label spans rows first..last of the main flow (None: to the last row).
PHASES = (("Identification", 0, 0), ("Screening", 1, 3), ("Included", 4, None))


@dataclass(frozen=True)
class Box:
    column: int  # 0: the main flow, 1: what leaves it (or, if `joins`, what joins it)
    row: int
    lines: list[str]
    joins: bool = False


def _with_reasons(title: str, counts: pd.DataFrame, box: str) -> list[str]:
    rows = counts[counts["box"] == f"{box}_reason"]
    reasons = [f"    {r.label} (n = {r.count})" for r in rows.itertuples()]
    return [f"{title} (n = {count_of(counts, box)})" + (":" if reasons else ""), *reasons]


def diagram_boxes(counts: pd.DataFrame) -> list[Box]:
    """The diagram's boxes and their text, PRISMA 2020's wording, numbers from the counts."""

    def n(box: str) -> int:
        return count_of(counts, box)

    def label(box: str) -> str:
        return counts.loc[counts["box"] == box, "label"].iloc[0]

    update = "total_included" in set(counts["box"])
    identified = counts[counts["box"] == "identified"]
    removed = [f"    Duplicate records removed (n = {n('duplicates_removed')})"]
    if update:
        removed.append(f"    {label('previously_screened')} (n = {n('previously_screened')})")
    automation = _with_reasons(label("automation_removed"), counts, "automation_removed")
    removed += [f"    {line}" for line in automation]
    boxes = [
        Box(
            0,
            0,
            [f"Records identified from (n = {n('identified')}):"]
            + [
                f"    {SOURCE_NAMES.get(r.source, r.source)} (n = {r.count})"
                for r in identified.itertuples()
            ],
        ),
        Box(1, 0, ["Records removed before screening:", *removed]),
        Box(0, 1, [f"Records screened (n = {n('screened')})"]),
        Box(1, 1, _with_reasons("Records excluded", counts, "excluded")),
        Box(0, 2, [f"Reports sought for retrieval (n = {n('sought')})"]),
        Box(1, 2, [f"Reports not retrieved (n = {n('not_retrieved')})"]),
        Box(0, 3, [f"Reports assessed for eligibility (n = {n('assessed')})"]),
        Box(1, 3, _with_reasons("Reports excluded", counts, "reports_excluded")),
        Box(
            0,
            4,
            [
                f"{label('included')} (n = {n('included')})",
                f"{label('included_reports')} (n = {n('included_reports')})",
            ],
        ),
    ]
    if update:
        previous = [f"{label('previous_included')} (n = {n('previous_included')})"]
        if n("withdrawn"):
            previous.append(f"    {label('withdrawn')} (n = {n('withdrawn')})")
        boxes.append(Box(0, 5, [f"{label('total_included')} (n = {n('total_included')})"]))
        boxes.append(Box(1, 5, previous, joins=True))
    awaiting = n("awaiting_screening") + n("awaiting_full_text")
    if awaiting:
        boxes.append(Box(1, 4, [f"Awaiting a reviewer's decision (n = {awaiting})"]))
    return boxes


def draw_prisma(counts: pd.DataFrame) -> Figure:
    boxes = diagram_boxes(counts)
    heights = {
        row: max(MIN_HEIGHT, max(len(b.lines) for b in boxes if b.row == row) * LINE + 0.3)
        for row in {b.row for b in boxes}
    }
    tops, y = {}, 0.0
    for row in sorted(heights):
        tops[row] = y
        y -= heights[row] + 0.6
    width = {0: 4.4, 1: 6.4}
    left = {0: 1.2, 1: 6.2}
    figure = plt.figure(figsize=(13, -y * 0.62 + 0.6))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, 13)
    axes.set_ylim(y + 0.3, 0.6)
    axes.axis("off")
    for box in boxes:
        top, height = tops[box.row], heights[box.row]
        axes.add_patch(
            FancyBboxPatch(
                (left[box.column], top - height),
                width[box.column],
                height,
                boxstyle="round,pad=0.02",
                facecolor="white" if box.column == 0 else "#f4f6f8",
                edgecolor="#333333",
            )
        )
        axes.text(
            left[box.column] + 0.15,
            top - 0.15,
            plain("\n".join(box.lines)),
            va="top",
            ha="left",
            fontsize=9,
            linespacing=1.45,
        )
        middle = top - height / 2
        if box.column == 1:
            main_side, side = (left[0] + width[0], middle), (left[1], middle)
            axes.annotate(
                "",
                xy=main_side if box.joins else side,
                xytext=side if box.joins else main_side,
                arrowprops={"arrowstyle": "->"},
            )
        elif box.row + 1 in tops:
            axes.annotate(
                "",
                xy=(left[0] + width[0] / 2, tops[box.row + 1]),
                xytext=(left[0] + width[0] / 2, top - height),
                arrowprops={"arrowstyle": "->"},
            )
    for label, row, last in PHASES:
        last = max(tops) if last is None else last
        span_top, span_bottom = tops[row], tops[last] - heights[last]
        axes.add_patch(
            FancyBboxPatch(
                (0.2, span_bottom),
                0.6,
                span_top - span_bottom,
                boxstyle="round,pad=0.02",
                facecolor="#cfe2f3",
                edgecolor="#6d9eeb",
            )
        )
        axes.text(
            0.5,
            (span_top + span_bottom) / 2,
            label,
            rotation=90,
            va="center",
            ha="center",
            fontsize=10,
            fontweight="bold",
        )
    return figure


def save_prisma(counts: pd.DataFrame, svg: str | Path, png: str | Path) -> None:
    """SVG with real text (searchable, readable by screen readers) and stable ids, so an
    unchanged count table gives an unchanged file; PNG for documents that take no SVG."""
    figure = draw_prisma(counts)
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "prismaflow"}):
        figure.savefig(svg, metadata={"Date": None})
    figure.savefig(png, dpi=150)
    plt.close(figure)
