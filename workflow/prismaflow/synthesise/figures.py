"""The review's figures, each drawn from the synthesis tables and the protocol's plan: forest
plots of the outcome per pooled group, the evidence map and publications per year."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from prismaflow.extract.sheet import citation
from prismaflow.plotting import label, message, plt
from prismaflow.synthesise.effects import Outcome, study_intervals
from prismaflow.synthesise.groups import estimator, poolable, shown_estimates
from prismaflow.synthesise.plan import Plan

INK = "#1f3b57"


def forest_plot(
    studies: pd.DataFrame, summary: pd.DataFrame, pooled: pd.DataFrame, plan: Plan
) -> Figure:
    """One panel per pooled group: each study's estimate with its 95% interval (Wilson for a
    proportion) and its weight, then the protocol's estimate as a diamond with its prediction
    interval (and the other estimator's where it differs). Studies the analysis leaves out are
    not drawn; the report lists them with the reason."""
    outcome, measure = plan.outcome, plan.outcome.measure
    groups = list(summary.loc[summary["pooled"], "group"])
    if not groups:
        return message(
            f"No group has {plan.min_studies} or more studies reporting {outcome.label}."
        )
    panels = [(group, poolable(plan, plan.members(studies, group))) for group in groups]
    rows = sum(len(members) + 3 for _, members in panels)
    figure, axes_list = plt.subplots(
        len(panels),
        1,
        figsize=(9, 0.36 * rows + 0.9),
        squeeze=False,
        gridspec_kw={"height_ratios": [len(m) + 3 for _, m in panels]},
    )
    for axes, (group, members) in zip(axes_list[:, 0], panels, strict=True):
        labels, y = [], 0
        members = members.sort_values("year")
        intervals = study_intervals(outcome, members)
        estimates = pooled[pooled["group"] == group]
        primary = estimates[estimates["primary"]].iloc[0]
        _, variances = outcome.effects(members)
        weights = 1 / (variances + primary["tau2"])
        weights = weights / weights.sum()
        rows = zip(members.iterrows(), intervals.itertuples(), weights, strict=True)
        for (_, study), bounds, weight in rows:
            axes.plot([bounds.ci_low, bounds.ci_high], [y, y], color=INK)
            axes.plot(bounds.estimate, y, "s", color=INK, markersize=3 + 12 * weight**0.5)
            labels.append(f"{citation(study)}  ({_counts(outcome, study)})  {weight:.0%}")
            y -= 1
        for _, estimate in shown_estimates(estimates).iterrows():
            p, low, high = estimate["estimate"], estimate["ci_low"], estimate["ci_high"]
            axes.plot([estimate["pi_low"], estimate["pi_high"]], [y, y], color="#c0504d", lw=1)
            axes.fill(
                [low, p, high, p], [y, y + 0.3, y, y - 0.3], color="#c0504d", edgecolor="black"
            )
            labels.append(
                f"{estimator(estimate)} {p:.2f} [{low:.2f}, {high:.2f}], prediction "
                f"[{estimate['pi_low']:.2f}, {estimate['pi_high']:.2f}]  I² {estimate['i2']:.0%}"
            )
            y -= 1
        axes.set_yticks(range(0, y, -1), [label(t) for t in labels], fontsize=8)
        if measure.log_axis:
            axes.set_xscale("log")
        elif not measure.comparative:
            axes.set_xlim(-0.03, 1.03)  # a study at 0/n or n/n is drawn whole
        if measure.null is not None:
            axes.axvline(measure.null, color="grey", linewidth=0.8, linestyle="--")
        axes.set_ylim(y + 0.4, 0.8)
        axes.set_title(label(f"{group}: {outcome.label}, {measure.label}"), fontsize=10, loc="left")
        axes.grid(axis="x", alpha=0.3)
    axes_list[-1, 0].set_xlabel(
        f"{measure.label} (95% CI; % = weight; the line under a diamond: 95% prediction interval)"
    )
    figure.tight_layout()
    return figure


def _counts(outcome: Outcome, study: pd.Series) -> str:
    if outcome.continuous:
        return " vs ".join(
            f"{study[mean]:g} ({study[sd]:g}), n={int(study[total])}"
            for mean, sd, total in (
                (outcome.mean, outcome.sd, outcome.total),
                (outcome.control_mean, outcome.control_sd, outcome.control_total),
            )
        )
    arms = f"{int(study[outcome.events])}/{int(study[outcome.total])}"
    if outcome.measure.comparative:
        arms += f" vs {int(study[outcome.control_events])}/{int(study[outcome.control_total])}"
    return arms


def evidence_map(studies: pd.DataFrame, plan: Plan) -> Figure:
    """The first two fields the plan describes groups by, as rows and columns; bubble area
    proportional to the participants counted. A study that reports no count adds none: it is
    named in its cell's label ("+1 of unknown size"), and a cell of such studies alone is drawn
    as an empty circle, never as one participant."""
    axes_fields = list(plan.describe_by[:2])
    if len(axes_fields) < 2:
        return message("The protocol names fewer than two fields in synthesis.describe_by.")
    if studies.empty:
        return message("No included study.")
    rows_field, columns_field = axes_fields
    frame = pd.DataFrame(
        {
            "participants": plan.outcome.participants(studies),
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
        f"Evidence map: studies / participants by {rows_field} and {columns_field}", fontsize=10
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
