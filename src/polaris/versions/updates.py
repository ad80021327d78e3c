"""Available updates shown by ``polaris status`` (seed 13.1.1): the place the dependency work fills.

An update source is a callable ``(project) -> list[Update]`` registered in
:data:`UPDATE_SOURCES` (for example by the dependencies capability, checking a package index).
With none registered, ``status`` says that no source is configured, not that nothing is out of
date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from polaris.core.project import Project

__all__ = ["UPDATE_SOURCES", "Update", "UpdateSource", "available_updates"]


@dataclass(frozen=True, slots=True)
class Update:
    """A newer version available for something the platform uses."""

    name: str
    current: str
    available: str
    #: Which source found it (``pypi``, ``registry`` ...).
    source: str
    note: str = ""


UpdateSource = Callable[[Project], list[Update]]

#: Registered update sources, by name.
UPDATE_SOURCES: dict[str, UpdateSource] = {}


def available_updates(project: Project) -> tuple[list[str], list[Update]]:
    """The names of the sources asked, and every update they report."""
    updates: list[Update] = []
    for source in UPDATE_SOURCES.values():
        updates.extend(source(project))
    return list(UPDATE_SOURCES), updates
