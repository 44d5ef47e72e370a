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

__all__ = ["label", "plt"]


def label(text: Any) -> str:
    return visible_bidi(str(text))
