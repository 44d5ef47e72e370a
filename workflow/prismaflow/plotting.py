"""The one way text reaches a figure: matplotlib draws off-screen, never reads "$...$" in a
label as mathematics (an author "Smith$\\undefined$" would stop the synthesis), and shows a
bidirectional control as <U+202E> instead of letting it reorder a label."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["text.parse_math"] = False

import matplotlib.pyplot as plt  # noqa: E402  (pyplot after the backend is chosen)

from prismaflow.hostile_text import visible_bidi  # noqa: E402

__all__ = ["label", "message", "plt"]


def label(text: Any) -> str:
    return visible_bidi(str(text))


def message(text: str, size: tuple[float, float] = (8, 1.6)) -> Any:
    """A figure that says why there is nothing to plot, rather than an empty file."""
    figure = plt.figure(figsize=size)
    figure.text(0.5, 0.5, label(text), ha="center", va="center", fontsize=11, wrap=True)
    return figure
