"""The review's figures, each drawn from the synthesis tables alone: forest plots of response
proportions per pooled group, the evidence map and publications per year."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from prismaflow.extract.sheet import citation
from prismaflow.synthesise.groups import with_counts
from prismaflow.synthesise.proportions import wilson_interval

INK = "#1f3b57"


def _message(text: str, size: tuple[float, float] = (8, 1.6)) -> Figure:
    """A figure that says why there is nothing to plot, rather than an empty file."""
    figure = plt.figure(figsize=size)
    figure.text(0.5, 0.5, text, ha="center", va="center", fontsize=11, wrap=True)
    return figure


def forest_plot(studies: pd.DataFrame, summary: pd.DataFrame, pooled: pd.DataFrame) -> Figure:
    """One panel per pooled group: each study's proportion with its Wilson interval, then the
    DerSimonian-Laird and REML pooled proportions as diamonds."""
    groups = list(summary.loc[summary["pooled"], "condition_group"])
    if not groups:
        return _message("No condition group has two or more studies reporting responders.")
    panels = [
        (group, with_counts(studies[studies["condition_group"] == group])) for group in groups
    ]
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
        for _, study in members.sort_values("year").iterrows():
            x, n = int(study["n_responders"]), int(study["n_patients"])
            low, high = wilson_interval(x, n)
            axes.plot([low, high], [y, y], color=INK)
            axes.plot(x / n, y, "s", color=INK, markersize=4 + min(n, 40) / 6)
            labels.append(f"{citation(study)}  ({x}/{n})")
            y -= 1
        for estimate in pooled[pooled["condition_group"] == group].itertuples():
            p, low, high = estimate.proportion, estimate.ci_low, estimate.ci_high
            axes.fill(
                [low, p, high, p], [y, y + 0.3, y, y - 0.3], color="#c0504d", edgecolor="black"
            )
            labels.append(
                f"{estimate.method} pooled {p:.2f} [{low:.2f}, {high:.2f}]"
                f"  I² {estimate.i2:.0%}, τ² {estimate.tau2:.2f}"
            )
            y -= 1
        axes.set_yticks(range(0, y, -1), labels, fontsize=8)
        axes.set_xlim(0, 1)
        axes.set_ylim(y + 0.4, 0.8)
        axes.set_title(f"{group}: proportion of patients responding", fontsize=10, loc="left")
        axes.grid(axis="x", alpha=0.3)
    axes_list[-1, 0].set_xlabel("response proportion (95% CI: Wilson per study, random effects)")
    figure.tight_layout()
    return figure


def evidence_map(studies: pd.DataFrame, designs: list[str]) -> Figure:
    """Condition by design, bubble area proportional to patients (a study without a count
    counts as one patient, so it stays visible)."""
    if studies.empty:
        return _message("No included study.")
    frame = studies.assign(
        patients=studies["n_patients"].fillna(1),
        condition=studies["condition"].fillna("not classified"),
        study_design=studies["study_design"].fillna("not classified"),
    )
    cells = frame.groupby(["condition", "study_design"], as_index=False).agg(
        patients=("patients", "sum"), studies=("record_id", "size")
    )
    conditions = sorted(cells["condition"].unique())
    columns = [d for d in designs if d in set(cells["study_design"])] + sorted(
        set(cells["study_design"]) - set(designs)
    )
    figure, axes = plt.subplots(figsize=(2.0 + 1.5 * len(columns), 1.0 + 0.42 * len(conditions)))
    axes.scatter(
        [columns.index(d) for d in cells["study_design"]],
        [conditions.index(c) for c in cells["condition"]],
        s=30 + 12 * cells["patients"],
        alpha=0.55,
        color=INK,
    )
    for cell in cells.itertuples():
        axes.annotate(
            f"{cell.studies} / {int(cell.patients)}",
            (columns.index(cell.study_design), conditions.index(cell.condition)),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=7,
        )
    axes.set_xticks(range(len(columns)), columns, rotation=20, ha="right", fontsize=8)
    axes.set_yticks(range(len(conditions)), conditions, fontsize=8)
    axes.set_xlim(-0.6, len(columns) - 0.4)
    axes.set_ylim(-0.8, len(conditions) - 0.2)
    axes.set_title("Evidence map: studies / patients by condition and design", fontsize=10)
    figure.tight_layout()
    return figure


def publications_per_year(studies: pd.DataFrame) -> Figure:
    years = studies["year"].dropna().astype(int)
    if years.empty:
        return _message("No included study has a publication year.")
    counts = years.value_counts().reindex(range(years.min(), years.max() + 1), fill_value=0)
    figure, axes = plt.subplots(figsize=(8, 2.8))
    axes.bar(counts.index, counts.values, color=INK)
    axes.set_xticks(counts.index, counts.index, rotation=45, fontsize=8)
    axes.set_ylabel("included studies")
    axes.set_title("Included studies by publication year", fontsize=10)
    axes.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    return figure
