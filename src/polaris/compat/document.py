"""The customer document's own compatibility spellings (seed 5.1.3 and 11.1), read as written.

The document writes names and ranges glued together: ``web_ui_2.x``, ``rag_search_v1.3.x``,
``api_v2.1.0`` as a key, ``v1.2.x`` alone; :func:`split_named` takes them apart. Its API matrix
(5.1.3) lists API majors ``v1``, ``v2`` ... with their status and compatible clients;
:func:`api_matrix_entry` turns one into rules of the range format. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["API_MATRIX_KEYS", "ApiMajor", "canonical", "split_named", "strip_name"]

_NAMED: Final = re.compile(
    r"^(?P<name>[A-Za-z][\w.-]*?)_v?(?P<range>\d+(?:\.(?:\d+|[xX*]))*(?:-[0-9A-Za-z.-]+)?)$"
)
_MAJOR_KEY: Final = re.compile(r"^v?(?P<major>\d+)$")

#: Keys of one API major in the document's ``api_compatibility_matrix`` (5.1.3).
API_MATRIX_KEYS: Final = (
    "status",
    "introduced_date",
    "deprecation_date",
    "retirement_date",
    "planned_release",
    "compatible_clients",
    "breaking_changes",
    "backward_compatible_with",
)


def split_named(text: str) -> tuple[str | None, str]:
    """``web_ui_2.x`` -> (``web_ui``, ``2.x``); ``v1.2.x`` -> (None, ``1.2.x``); else unchanged.

    >>> split_named("rag_search_v1.3.x")
    ('rag_search', '1.3.x')
    >>> split_named("api_v2.1.0")
    ('api', '2.1.0')
    >>> split_named(">=1.2 <2")
    (None, '>=1.2 <2')
    """
    text = text.strip()
    match = _NAMED.match(text)
    if match is not None:
        return match["name"], match["range"]
    if len(text) > 1 and text[0] in "vV" and text[1].isdigit():
        return None, text[1:]
    return None, text


def strip_name(text: str) -> str:
    """The range part of a document-style entry (``api_v2.0.x`` -> ``2.0.x``)."""
    return split_named(text)[1]


def canonical(name: str) -> str:
    """The name used to match spellings: ``API Service`` = ``api_service`` = ``api-service``."""
    return re.sub(r"[-_.\s]+", "-", name.strip()).lower()


@dataclass(frozen=True, slots=True)
class ApiMajor:
    """One API major of the document's API compatibility matrix."""

    major: int
    status: str | None
    clients: tuple[tuple[str, str], ...]
    breaking_changes: tuple[str, ...]
    backward_compatible_with: tuple[int, ...]
    planned_release: str | None

    @staticmethod
    def major_of(key: str) -> int | None:
        """``v2`` -> 2; ``None`` when the key is not an API major."""
        match = _MAJOR_KEY.match(key.strip())
        return int(match["major"]) if match else None
