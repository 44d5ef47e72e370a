"""The review's figures, each drawn from the synthesis tables and the protocol's plan: a forest
plot and a funnel plot per planned analysis, the evidence map and publications per year.

Figures are saved with a tight bounding box, so a long label widens the figure rather than
being cut; labels longer than a line are wrapped."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from prismaflow.extract.sheet import citation
from prismaflow.plotting import label, message, plt
from prismaflow.synthesise.groups import estimator, shown_estimates
from prismaflow.synthesise.plan import Analysis, Plan
from prismaflow.synthesise.small_studies import FEWEST_FOR_EGGER

INK = "#1f3b57"
POOLED_INK = "#c0504d"
LINE = 70  # characters of a label line before it wraps


def wrapped(text: str, width: int = LINE) -> str:
    return "\n".join(textwrap.wrap(label(text), width)) or label(text)


def forest_plot(
    studies: pd.DataFrame,
    summary: pd.DataFrame,
    pooled: pd.DataFrame,
    effects: pd.DataFrame,
    analysis: Analysis,
) -> Figure:
    """One panel per pooled group of an analysis: each study's estimate with its 95% interval
    (Wilson for a proportion), its data per arm and its weight; then the protocol's estimate as
    a diamond with its prediction interval, the other estimator's where it differs, and the
    group's totals per arm. Studies the analysis leaves out are not drawn; the report lists
    them with the reason. Below the axis, what each side of the null favours."""
    outcome, measure = analysis.outcome, analysis.outcome.measure
    mine = summary[(summary["analysis"] == analysis.id) & summary["pooled"]]
    if mine.empty:
        return message(
            wrapped(
                f"{analysis.title}: no group has {analysis.min_studies} or more studies "
                "that can be pooled."
            )
        )
    panels = []
    for group in mine.to_dict("records"):
        drawn = effects[(effects["analysis"] == analysis.id) & (effects["group"] == group["group"])]
        members = studies.set_index("record_id").loc[drawn["record_id"]].reset_index()
        order = members.sort_values(["year", "record_id"], kind="stable").index
        members, drawn = members.loc[order], drawn.reset_index(drop=True).loc[order]
        estimates = shown_estimates(
            pooled[(pooled["analysis"] == analysis.id) & (pooled["group"] == group["group"])]
        )
        panels.append((group, drawn, members, estimates))
    heights = [len(d) + len(e) + 2 for _, d, _, e in panels]
    figure, axes_list = plt.subplots(
        len(panels),
        1,
        figsize=(10, 0.42 * sum(heights) + 1.2),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for axes, (group, drawn, members, estimates) in zip(axes_list[:, 0], panels, strict=True):
        labels, y = [], 0
        for (_, study), effect in zip(members.iterrows(), drawn.itertuples(), strict=True):
            axes.plot([effect.ci_low, effect.ci_high], [y, y], color=INK)
            axes.plot(effect.estimate, y, "s", color=INK, markersize=3 + 12 * effect.weight**0.5)
            labels.append(
                wrapped(f"{citation(study)}  ({_data(analysis, study)})  {effect.weight:.0%}")
            )
            y -= 1
        for _, estimate in estimates.iterrows():
            p, low, high = estimate["estimate"], estimate["ci_low"], estimate["ci_high"]
            axes.plot([estimate["pi_low"], estimate["pi_high"]], [y, y], color=POOLED_INK, lw=1)
            axes.fill(
                [low, p, high, p], [y, y + 0.3, y, y - 0.3], color=POOLED_INK, edgecolor="black"
            )
            labels.append(
                wrapped(
                    f"{estimator(estimate)} {measure.interval(p, low, high)}, prediction "
                    f"[{measure.shown(estimate['pi_low'])}, {measure.shown(estimate['pi_high'])}]"
                    f"  I² {estimate['i2']:.0%}, τ² {estimate['tau2']:.4f}"
                )
            )
            y -= 1
        labels.append(wrapped(f"Total ({len(drawn)} studies): {_totals(analysis, group)}"))
        axes.set_yticks(range(0, y - 1, -1), labels, fontsize=8)
        if measure.log_axis:
            axes.set_xscale("log")
            # Plain numbers: labels are never read as mathematics (prismaflow.plotting).
            axes.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            axes.xaxis.set_minor_formatter(NullFormatter())
        elif not measure.comparative:
            axes.set_xlim(-0.03, 1.03)  # a study at 0/n or n/n is drawn whole
        if measure.null is not None:
            axes.axvline(measure.null, color="grey", linewidth=0.8, linestyle="--")
        axes.set_ylim(y - 0.6, 0.8)
        axes.set_title(
            wrapped(f"{group['group']}: {analysis.title}, {outcome.effect_label}", 90),
            fontsize=10,
            loc="left",
        )
        axes.grid(axis="x", alpha=0.3)
    bottom = axes_list[-1, 0]
    bottom.set_xlabel(
        f"{outcome.effect_label} (95% CI; % = weight; the line under a diamond: 95% prediction "
        "interval)",
        labelpad=24 if any(analysis.favours) else 4,
    )
    _favours(bottom, analysis)
    figure.tight_layout()
    return figure


def _favours(axes, analysis: Analysis) -> None:
    """'Favours …' on each side of the null, under the axis, as the protocol names them."""
    lower, higher = analysis.favours
    null = analysis.outcome.measure.null
    if null is None or not (lower or higher):
        return
    at = axes.transLimits.transform(axes.transScale.transform((null, 0)))[0]
    for text, side, align in ((lower, -0.01, "right"), (higher, 0.01, "left")):
        if text:
            axes.annotate(
                label(f"favours {text}"),
                (at + side, 0),
                xycoords="axes fraction",
                xytext=(0, -22),
                textcoords="offset points",
                ha=align,
                va="top",
                fontsize=8,
                style="italic",
            )


def _data(analysis: Analysis, study: pd.Series) -> str:
    """A study's data as the forest plot prints them: per arm, or as published."""
    field, kind = analysis.outcome.field, analysis.outcome.measure.kind

    def value(role: str) -> float:
        return study[field(role)]

    if kind == "published":
        if field("se"):
            return f"{value('estimate'):g}, SE {value('se'):g}"
        return f"{value('estimate'):g} [{value('ci_low'):g}, {value('ci_high'):g}]"
    if kind == "continuous":
        return " vs ".join(
            f"{value(mean):g} ({value(sd):g}), n={int(value(total))}"
            for mean, sd, total in (
                ("mean", "sd", "total"),
                ("control_mean", "control_sd", "control_total"),
            )
        )
    arms = f"{int(value('events'))}/{int(value('total'))}"
    if analysis.outcome.measure.comparative:
        arms += f" vs {int(value('control_events'))}/{int(value('control_total'))}"
    return arms


def _totals(analysis: Analysis, group: dict) -> str:
    """The group's totals per arm, as the summary row of a forest plot gives them."""
    kind, comparative = analysis.outcome.measure.kind, analysis.outcome.measure.comparative
    if kind == "binary":
        text = f"{group['events']}/{group['total']}"
        return (
            f"{text} vs {group['control_events']}/{group['control_total']}" if comparative else text
        )
    if kind == "continuous":
        return f"n = {group['total']} vs {group['control_total']}"
    return f"{group['participants'] or 'unknown'} participants"


def funnel_plot(
    pooled: pd.DataFrame, effects: pd.DataFrame, small: pd.DataFrame, analysis: Analysis
) -> Figure:
    """Per pooled group of ten or more studies: each study's effect against its standard
    error (on the pooling scale), the protocol's estimate and its pseudo 95% limits, and
    Egger's test; below ten, a statement of why none is drawn."""
    tested = small[(small["analysis"] == analysis.id) & small["tested"]]
    if tested.empty:
        return message(
            wrapped(
                f"{analysis.title}: no funnel plot. No pooled group has {FEWEST_FOR_EGGER} or "
                "more studies, below which asymmetry cannot be told from chance."
            )
        )
    figure, axes_list = plt.subplots(1, len(tested), figsize=(5 * len(tested), 4), squeeze=False)
    for axes, test in zip(axes_list[0], tested.to_dict("records"), strict=True):
        drawn = effects[(effects["analysis"] == analysis.id) & (effects["group"] == test["group"])]
        se = np.sqrt(drawn["vi"].to_numpy())
        primary = pooled[
            (pooled["analysis"] == analysis.id)
            & (pooled["group"] == test["group"])
            & pooled["primary"]
        ].iloc[0]
        theta, top = primary["theta"], float(se.max()) * 1.05
        axes.plot([theta - 1.96 * top, theta, theta + 1.96 * top], [top, 0, top], color="grey")
        axes.axvline(theta, color=POOLED_INK, linewidth=1)
        axes.scatter(drawn["yi"], se, color=INK, s=18)
        axes.set_ylim(top, 0)
        axes.set_xlabel(label(f"{analysis.outcome.effect_label} (pooling scale)"))
        axes.set_ylabel("standard error")
        axes.set_title(
            wrapped(
                f"{test['group']}: Egger's test t = {test['t']:.2f}, p = {test['p_value']:.3f}",
                50,
            ),
            fontsize=9,
        )
    figure.tight_layout()
    return figure


def evidence_map(studies: pd.DataFrame, plan: Plan) -> Figure:
    """The first two fields the plan describes groups by, as rows and columns; bubble area
    proportional to the participants the primary analysis counts. A study that reports no count
    adds none: it is named in its cell's label ("+1 of unknown size"), and a cell of such
    studies alone is drawn as an empty circle, never as one participant."""
    axes_fields = list(plan.describe_by[:2])
    if len(axes_fields) < 2:
        return message("The protocol names fewer than two fields in synthesis.describe_by.")
    if studies.empty:
        return message("No included study.")
    rows_field, columns_field = axes_fields
    frame = pd.DataFrame(
        {
            "participants": plan.primary.outcome.participants(studies),
            "row": _labels(studies[rows_field]),
            "column": _labels(studies[columns_field]),
            "record_id": studies["record_id"],
        }
    )
    cells = frame.groupby(["row", "column"], as_index=False).agg(
        participants=("participants", "sum"),
        studies=("record_id", "size"),
        unknown=("participants", lambda counts: int(counts.isna().sum())),
    )
    largest = max(cells["participants"].max(), 1)
    row_values = sorted(cells["row"].unique())
    column_values = sorted(cells["column"].unique())
    figure, axes = plt.subplots(
        figsize=(2.0 + 1.5 * len(column_values), 1.0 + 0.42 * len(row_values))
    )
    counted = cells["participants"] > 0
    for known, style in (
        (True, {"color": INK, "alpha": 0.55}),
        (False, {"facecolors": "none", "edgecolors": INK}),
    ):
        shown = cells[counted == known]
        axes.scatter(
            [column_values.index(c) for c in shown["column"]],
            [row_values.index(r) for r in shown["row"]],
            s=30 + 900 * shown["participants"] / largest,
            **style,
        )
    for cell in cells.itertuples():
        unknown = f" (+{cell.unknown} of unknown size)" if cell.unknown else ""
        axes.annotate(
            f"{cell.studies} / {int(cell.participants)}{unknown}",
            (column_values.index(cell.column), row_values.index(cell.row)),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=7,
        )
    axes.set_xticks(
        range(len(column_values)), map(label, column_values), rotation=20, ha="right", fontsize=8
    )
    axes.set_yticks(range(len(row_values)), map(label, row_values), fontsize=8)
    axes.set_xlim(-0.6, len(column_values) - 0.4)
    axes.set_ylim(-0.8, len(row_values) - 0.2)
    axes.set_title(
        wrapped(f"Evidence map: studies / participants by {rows_field} and {columns_field}", 60),
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def _labels(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "not classified").astype(str)


def publications_per_year(studies: pd.DataFrame) -> Figure:
    """Included studies per year; a study with no year is named under the chart, never
    dropped without a word."""
    undated = [citation(study) for _, study in studies[studies["year"].isna()].iterrows()]
    years = studies["year"].dropna().astype(int)
    if years.empty:
        named = f": {'; '.join(undated)}" if undated else ""
        return message(f"No included study has a publication year{named}.")
    counts = years.value_counts().reindex(range(years.min(), years.max() + 1), fill_value=0)
    figure, axes = plt.subplots(figsize=(8, 2.8 + 0.25 * bool(undated)))
    axes.bar(counts.index, counts.values, color=INK)
    axes.set_xticks(counts.index, counts.index, rotation=45, fontsize=8)
    axes.set_ylabel("included studies")
    title = "Included studies by publication year"
    axes.set_title(label(title), fontsize=10)
    axes.yaxis.get_major_locator().set_params(integer=True)
    if undated:
        note = f"Not shown, no publication year ({len(undated)}): {'; '.join(undated)}"
        figure.text(0.01, 0.01, label(note), fontsize=7, wrap=True)
    figure.tight_layout(rect=(0, 0.08 if undated else 0, 1, 1))
    return figure
