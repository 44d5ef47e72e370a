"""Text from records and protocols is data, whatever it holds: one place says which characters
are taken out on the way in and which are made visible on the way out.

On the way in (every record, through `records.clean_value`), control characters are removed:
a BEL, ESC or NUL in a title means nothing to a reader and breaks sheets and terminals. On the
way out (sheets, the report, plot labels), bidirectional controls, which would reorder what a
reviewer reads, are shown as <U+202E>.
"""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return (whitespace, collapsed elsewhere), DEL, C1.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_controls(text: str) -> tuple[str, int]:
    """The text with its control characters removed, and how many there were."""
    return CONTROL_CHARACTERS.subn("", text)


def visible_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub(lambda found: f"<U+{ord(found.group()):04X}>", text)
