"""Parsing XML from outside without expanding entities or reading external resources."""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from prismaflow.errors import InputFileError


def parse_xml(data: bytes, origin: str | Path) -> Element:
    """The document root, or an InputFileError naming the file and line of the fault.

    defusedxml refuses entity declarations and external references, so an entity-expansion
    ("billion laughs") or external-entity attack fails here instead of being expanded.
    """
    if not data.strip():
        raise InputFileError(origin, "the file is empty", fix="re-export or re-download it")
    try:
        return fromstring(data)
    except DefusedXmlException as exc:
        raise InputFileError(
            origin,
            f"refused unsafe XML ({type(exc).__name__}): entity declarations and external "
            "references are never expanded",
            fix="export the file again from the database",
        ) from None
    except ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise InputFileError(
            origin,
            f"malformed XML ({exc.msg if hasattr(exc, 'msg') else exc})",
            line=line,
            fix="the file is truncated or corrupt; download it again",
        ) from None
    except (LookupError, ValueError) as exc:  # an unknown encoding="..." in the declaration
        raise InputFileError(
            origin, f"malformed XML ({exc})", fix="export the file again as UTF-8"
        ) from None


def text_of(element: Element | None) -> str | None:
    """All text inside an element, markup such as <i> or <sup> flattened away."""
    if element is None:
        return None
    text = "".join(element.itertext())
    return " ".join(text.split()) or None
